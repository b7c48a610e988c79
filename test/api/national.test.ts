/**
 * Every number the page reads comes with its display form beside it (`xNational`): national for the home country,
 * international for others, a prefix formatted as far as it goes. The page cannot format numbers itself.
 */
import { describe, expect, it } from 'vitest';
import { startApi } from '../helpers/api.js';

const HOME = { env: { CALLFILTER_HOME_AREA_CODE: '30' } };

describe('numbers as people at home write them, in the API', () => {
  it('entries: home numbers national, foreign ones international, prefixes without their *', async () => {
    const api = await startApi(HOME);
    const home = await api.json('POST', '/api/v1/entries', { number: '+49 30 1234567', kind: 'block' });
    expect(home.body).toMatchObject({ number: '+49301234567', numberNational: '030 1234567' });
    const foreign = await api.json('POST', '/api/v1/entries', { number: '0044 20 7946 0018', kind: 'block' });
    expect(foreign.body).toMatchObject({ number: '+442079460018', numberNational: '+44 20 7946 0018' });
    const range = await api.json('POST', '/api/v1/entries', { number: '+4930123*', kind: 'allow' });
    expect(range.body).toMatchObject({ number: '+4930123', prefix: true, numberNational: '030 123' });
    const { items } = (await api.json<{ items: Record<string, unknown>[] }>('GET', '/api/v1/entries')).body;
    expect(items.map((e) => e.numberNational)).toEqual(['030 123', '+44 20 7946 0018', '030 1234567']);
    // The conflict of the range with the number inside it, each side with its display form.
    expect(items[0]?.conflicts).toMatchObject([
      { numberNational: '030 1234567', wins: { numberNational: '030 1234567' }, loses: { numberNational: '030 123' } },
    ]);
  });

  it('the call log of the page, explain and stats', async () => {
    const api = await startApi(HOME);
    await api.json('POST', '/api/v1/entries', { number: '030 7654321', kind: 'block' });
    await api.call('030 7654321', { did: '030 999000' });
    await api.call('+44 20 7946 0018');
    const calls = (await api.json<{ items: Record<string, unknown>[] }>('GET', '/api/v1/web/calls')).body.items;
    expect(calls.map((c) => c.callerNational)).toEqual(['+44 20 7946 0018', '030 7654321']);
    expect(calls[1]).toMatchObject({
      caller: '+49307654321',
      callerNational: '030 7654321',
      didNational: '030 999000',
    });

    const explained = (
      await api.json<Record<string, Record<string, unknown>>>(
        'GET',
        '/api/v1/explain?number=%2B49307654321&did=030999000',
      )
    ).body;
    expect(explained.caller).toMatchObject({ e164: '+49307654321', e164National: '030 7654321' });
    expect(explained).toMatchObject({ did: '+4930999000', didNational: '030 999000' });
    expect(explained.decision).toMatchObject({ entry: { numberNational: '030 7654321' } });

    const stats = (await api.json<{ topBlocked: Record<string, unknown>[] }>('GET', '/api/v1/stats')).body;
    expect(stats.topBlocked).toMatchObject([{ caller: '+49307654321', callerNational: '030 7654321' }]);
  });

  it("an import report's conflicts, and an error's number", async () => {
    const api = await startApi(HOME);
    await api.json('POST', '/api/v1/entries', { number: '0170 1234567', kind: 'allow', label: 'Anna' });
    const report = await api.upload<{ conflicts: Record<string, unknown>[] }>(
      '/api/v1/import?kind=block',
      '0170 1234567;Spam\n',
      'text/csv',
    );
    expect(report.body.conflicts).toMatchObject([
      { number: '+491701234567', numberNational: '0170 1234567', wins: { numberNational: '0170 1234567' } },
    ]);
    await api.json('POST', '/api/v1/entries', { number: '030 123*', kind: 'block' });
    const again = await api.json('POST', '/api/v1/entries', { number: '+4930123*', kind: 'block' });
    expect(again.body).toMatchObject({
      code: 'entry.exists',
      params: { number: '+4930123*', numberNational: '030 123*' },
    });
  });
});
