/**
 * Names from outside reach the store, the page and the phone's display without bidi controls: the caller name a trunk
 * sends, and labels set through the admin API. (Imported files: test/importers/labels.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { startApi } from '../helpers/api.js';

/** Shows as "Bank nilreb" reversed in part: written one way, displayed another. */
const SPOOF = 'Bank \u202Enilreb\u202C';
const BIDI = /[\u202a-\u202e\u2066-\u2069]/;

describe('bidi controls in names and labels', () => {
  it('logs a caller name without them, and sets CALLFILTER_LABEL and CALLERID(name) without them', async () => {
    const api = await startApi({ env: { CALLFILTER_HOME_AREA_CODE: '30' } });
    // A label stored before labels were cleaned, as an older version or a direct edit of the database would leave it.
    await api.ctx.store.entries.create({ number: '+4930123456', kind: 'allow', label: `\u2067${SPOOF}\u2069` });
    const call = await api.call('+4930123456', { env: { calleridname: `\u202E${SPOOF}` } });
    expect(call.variables).toMatchObject({ CALLFILTER_LABEL: 'Bank nilreb', 'CALLERID(name)': 'Bank nilreb' });
    const row = await api.ctx.store.calls.get(Number(call.variables.CALLFILTER_CALL_ID));
    expect(row?.callerNameRaw).toBe('Bank nilreb');

    const page = await api.json<{ items: { callerNameRaw?: string }[] }>('GET', '/api/v1/web/calls');
    expect(page.body.items.map((c) => c.callerNameRaw)).toEqual(['Bank nilreb']);
  });

  it('stores labels, notes and names sent to the admin API without them', async () => {
    const api = await startApi();
    const created = await api.json<{ id: number; label: string; note: string }>('POST', '/api/v1/entries', {
      number: '+4930123456',
      kind: 'block',
      label: SPOOF,
      note: `\u2066${SPOOF}`,
    });
    expect(created).toMatchObject({ status: 201, body: { label: 'Bank nilreb', note: 'Bank nilreb' } });
    const patched = await api.json('PATCH', `/api/v1/entries/${created.body.id}`, { label: `${SPOOF}!` });
    expect(patched.body).toMatchObject({ label: 'Bank nilreb!' });
    expect(JSON.stringify((await api.ctx.store.entries.list()).items)).not.toMatch(BIDI);
  });
});
