import { describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../helpers/api.js';

const T0 = Date.UTC(2026, 10, 18, 9, 0);
const MINUTE = 60_000;

interface Call {
  id: number;
  at: number;
  caller?: string;
  callerKind: string;
  action: string;
  reason: string;
  did?: string;
  label?: string;
}
interface Page {
  items: Call[];
  nextCursor?: number;
}

/** Five calls, ten minutes apart (no repeat callers), from the clock's start. */
async function seeded() {
  const clock = { now: T0 };
  const api = await startApi({
    env: { CALLFILTER_HOME_AREA_CODE: '30', CALLFILTER_TIMEZONE: 'Europe/Berlin' },
    overrides: { clock: () => clock.now },
  });
  await api.ctx.store.entries.create({ number: '+493012345670', kind: 'block', label: 'Gewinnspiel' });
  const calls: [string, string?][] = [
    ['030 12345670'],
    ['anonymous'],
    ['0170 9999999', '+4930999111'],
    ['**610'],
    ['030 12345670'],
  ];
  for (const [caller, did] of calls) {
    // **610 is one of the house's phones: the dialplan says so (the second AGI argument).
    const origin = caller === '**610' ? { args: ['+4930999000', 'internal'] } : {};
    await api.call(caller, {
      ...(did && { did }),
      ...origin,
      env: { calleridname: caller === '0170 9999999' ? 'Paula Paketdienst' : 'unknown' },
    });
    clock.now += 10 * MINUTE;
  }
  return { api, clock };
}

const ids = (page: Page) => page.items.map((c) => c.id);
const get = async (api: TestApi, url: string) => (await api.json<Page>('GET', url)).body;

describe('/api/v1/calls', () => {
  it('lists the log newest first, filtered by action, reason, number, called number and time, with cursor paging', async () => {
    const { api } = await seeded();
    expect(ids(await get(api, '/api/v1/calls'))).toEqual([5, 4, 3, 2, 1]);
    expect(ids(await get(api, '/api/v1/calls?action=hangup'))).toEqual([5, 1]);
    expect(ids(await get(api, '/api/v1/calls?reason=anonymous'))).toEqual([2]);
    expect(ids(await get(api, '/api/v1/calls?number=%2B49%2030%2012345670'))).toEqual([5, 1]);
    expect(ids(await get(api, '/api/v1/calls?did=030%20999111'))).toEqual([3]);
    expect(
      ids(await get(api, `/api/v1/calls?from=${T0 + 10 * MINUTE}&to=${new Date(T0 + 40 * MINUTE).toISOString()}`)),
    ).toEqual([4, 3, 2]);
    const first = await get(api, '/api/v1/calls?limit=2');
    expect(ids(first)).toEqual([5, 4]);
    const second = await get(api, `/api/v1/calls?limit=2&cursor=${first.nextCursor}`);
    expect(ids(second)).toEqual([3, 2]);
    expect(ids(await get(api, `/api/v1/calls?limit=2&cursor=${second.nextCursor}`))).toEqual([1]);

    const one = await api.json<Call>('GET', '/api/v1/calls/1');
    expect(one.body).toMatchObject({
      id: 1,
      caller: '+493012345670',
      callerKind: 'number',
      action: 'hangup',
      reason: 'blocklist',
      label: 'Gewinnspiel',
      did: '+4930999000',
    });
    expect((await api.json('GET', '/api/v1/calls/99')).status).toBe(404);
  });

  it('refuses bad filters, naming them', async () => {
    const { api } = await seeded();
    expect((await api.json('GET', '/api/v1/calls?number=abc')).body).toMatchObject({
      message: 'querystring/number: "abc" is not a phone number: it has no digits',
    });
    expect((await api.json('GET', '/api/v1/calls?from=yesterday')).body).toMatchObject({
      message: expect.stringContaining('querystring/from: "yesterday" is not a time'),
    });
    expect((await api.json('GET', '/api/v1/calls?action=drop')).body).toMatchObject({
      message: 'querystring/action must be one of connect, voicemail, hangup, announce',
    });
    expect((await api.json('GET', '/api/v1/calls?caller=1')).body).toMatchObject({
      message: 'querystring must NOT have additional property "caller"',
    });
  });

  it('exports the log as CSV, at /calls.csv and with format=csv, with the same filters', async () => {
    const { api } = await seeded();
    const csv = await api.inject({ method: 'GET', url: '/api/v1/calls.csv?action=hangup' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="callfilter-calls.csv"');
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,time,caller,caller_raw,caller_name,did,action,reason,cause,label,profile,latency_ms,explanation',
    );
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3))).toEqual([
      ['5', new Date(T0 + 40 * MINUTE).toISOString(), '+493012345670'],
      ['1', new Date(T0).toISOString(), '+493012345670'],
    ]);
    const same = await api.inject({ method: 'GET', url: '/api/v1/calls?format=csv&action=hangup' });
    expect(same.body).toBe(csv.body);
    expect((await api.inject({ method: 'GET', url: '/api/v1/calls.csv' })).body.trimEnd().split('\r\n')).toHaveLength(
      6,
    );
  });

  it('writes a caller-chosen name that looks like a formula as text, not a formula', async () => {
    const api = await startApi();
    await api.call('+4930123456', { env: { calleridname: '=HYPERLINK("http://x","y")' } });
    const csv = (await api.inject({ method: 'GET', url: '/api/v1/calls.csv' })).body;
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
  });

  it('neutralises a formula after a separator inside a caller name, for German spreadsheets too (`;`)', async () => {
    const api = await startApi();
    await api.call('+4930123456', { env: { calleridname: 'Paket;=HYPERLINK("http://x","y")' } });
    await api.call('+4930123457', { env: { calleridname: 'Info\t=2+2' } });
    const csv = (await api.inject({ method: 'GET', url: '/api/v1/calls.csv' })).body;
    expect(csv).toContain(`,"Paket;'=HYPERLINK(""http://x"",""y"")",`);
    expect(csv).toContain(`,"Info\t'=2+2",`);
    expect(csv).not.toMatch(/[;\t]=/);
  });
});

describe('POST /api/v1/calls/{id}/block and /allow', () => {
  it('blocks the caller of a log row, then allows it again (the last click wins)', async () => {
    const { api } = await seeded();
    const blocked = await api.json<{
      entry: { id: number; number: string; kind: string; label?: string; source: string };
      created: boolean;
      removed: unknown[];
    }>('POST', '/api/v1/calls/3/block');
    expect(blocked.status).toBe(201);
    expect(blocked.body).toMatchObject({
      created: true,
      removed: [],
      entry: { number: '+491709999999', kind: 'block', source: 'call-log', label: 'Paula Paketdienst' },
    });

    const allowed = await api.json<{
      entry: { number: string; kind: string; label?: string };
      created: boolean;
      removed: { id: number }[];
    }>('POST', '/api/v1/calls/3/allow', { vip: true });
    expect(allowed.status).toBe(201);
    expect(allowed.body.entry).toMatchObject({
      number: '+491709999999',
      kind: 'allow',
      label: 'Paula Paketdienst',
      vip: true,
    });
    expect(allowed.body.removed.map((e) => e.id)).toEqual([blocked.body.entry.id]);
    // Again: the entry exists, is updated, and nothing else changes.
    const again = await api.json<{ created: boolean }>('POST', '/api/v1/calls/3/allow', { label: 'Paula' });
    expect(again).toMatchObject({ status: 200, body: { created: false, entry: { label: 'Paula' } } });
  });

  it('blocks with the options given', async () => {
    const { api } = await seeded();
    const res = await api.json('POST', '/api/v1/calls/3/block', {
      action: 'hangup',
      cause: 1,
      note: 'parcel scam',
      expiresAt: '2027-01-01',
    });
    expect(res.body).toMatchObject({
      entry: { action: 'hangup', cause: 1, note: 'parcel scam', expiresAt: Date.UTC(2027, 0, 1) },
    });
    expect((await api.json('POST', '/api/v1/calls/3/block', { action: 'connect' })).body).toMatchObject({
      message: 'body/action: a block entry cannot connect; use /allow',
    });
    expect((await api.json('POST', '/api/v1/calls/3/block', { colour: 'red' })).body).toMatchObject({
      message: 'body must NOT have additional property "colour"',
    });
  });

  it('answers 409 for a withheld or internal caller, and 404 for no such call', async () => {
    const { api } = await seeded();
    const withheld = await api.json<{ error: string; message: string }>('POST', '/api/v1/calls/2/block');
    expect(withheld.status).toBe(409);
    expect(withheld.body.message).toBe(
      'call 2 came from a withheld number (caller id "anonymous"): there is no number to block; the policy\'s withheld step decides such calls',
    );
    const internal = await api.json<{ message: string }>('POST', '/api/v1/calls/4/allow');
    expect(internal.status).toBe(409);
    expect(internal.body.message).toContain('internal extension "**610"');
    expect((await api.json('POST', '/api/v1/calls/99/block')).status).toBe(404);
    expect(await api.ctx.store.entries.count()).toBe(1);
  });
});

describe('GET /api/v1/explain and /stats', () => {
  it('explains a decision without logging a call, for a number, a withheld caller and a time', async () => {
    const { api } = await seeded();
    const before = await api.ctx.store.calls.count();
    const blocked = await api.json<{
      caller: { e164: string };
      decision: { action: string; reason: string; explanation: string; entry: { number: string } };
    }>('GET', '/api/v1/explain?number=030%2012345670');
    expect(blocked.body.caller.e164).toBe('+493012345670');
    expect(blocked.body.decision).toMatchObject({
      action: 'hangup',
      reason: 'blocklist',
      entry: { number: '+493012345670' },
    });
    // In CALLFILTER_LANGUAGE (German for a German home) unless `lang` says otherwise, with the facts beside the words.
    expect(blocked.body.decision.explanation).toMatch(/^Seit .* auf Ihrer Sperrliste als „Gewinnspiel“\.$/);
    const english = await api.json<{
      decision: {
        explanation: string;
        others: string[];
        because: { grounds: { step: string } };
        matches: { wins: boolean }[];
      };
    }>('GET', '/api/v1/explain?number=030%2012345670&lang=en');
    expect(english.body.decision).toMatchObject({
      explanation: expect.stringMatching(/^On your blocklist as “Gewinnspiel” since /),
      others: [],
      because: { grounds: { step: 'block' } },
      matches: [{ wins: true }],
    });
    const anon = await api.json('GET', '/api/v1/explain?number=anonymous');
    expect(anon.body).toMatchObject({
      caller: { kind: 'withheld' },
      decision: { action: 'voicemail', reason: 'anonymous' },
    });
    const hidden = await api.json('GET', '/api/v1/explain?number=%2B4930555&presentation=32');
    expect(hidden.body).toMatchObject({ decision: { reason: 'anonymous' } });
    const at = await api.json<{ at: number }>(
      'GET',
      '/api/v1/explain?number=0170%201234567&did=030999111&at=2026-12-24T23:00:00Z',
    );
    expect(at.body).toMatchObject({ at: Date.UTC(2026, 11, 24, 23), did: '+4930999111' });
    expect(await api.ctx.store.calls.count()).toBe(before);
    expect((await api.json('GET', '/api/v1/explain')).body).toMatchObject({
      message: 'querystring/number is required',
    });
    expect((await api.json('GET', '/api/v1/explain?number=1&at=tomorrow')).body).toMatchObject({
      message: expect.stringContaining('querystring/at: "tomorrow" is not a time'),
    });
  });

  it('explains a call from the trunk by default, and one the dialplan marks internal with origin=internal', async () => {
    const { api } = await seeded();
    const trunk = await api.json('GET', `/api/v1/explain?number=${encodeURIComponent('*03012345670')}`);
    expect(trunk.body).toMatchObject({
      caller: { kind: 'number', e164: '+493012345670', plausible: false },
      decision: { action: 'hangup', reason: 'blocklist' },
    });
    const internal = await api.json(
      'GET',
      `/api/v1/explain?number=${encodeURIComponent('*03012345670')}&origin=internal`,
    );
    expect(internal.body).toMatchObject({
      caller: { kind: 'internal' },
      decision: { action: 'connect', reason: 'internal' },
    });
    expect((await api.json('GET', '/api/v1/explain?number=100&origin=trunk')).body).toMatchObject({
      caller: { kind: 'number' },
    });
    const bad = await api.json<{ message: string }>('GET', '/api/v1/explain?number=100&origin=house');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('querystring/origin');
  });

  it('counts calls per day by action and reason, and the most blocked callers', async () => {
    const { api, clock } = await seeded();
    clock.now = T0 + 2 * 60 * MINUTE;
    const stats = await api.json<{
      timeZone: string;
      days: { day: string; total: number; byAction: Record<string, number>; byReason: Record<string, number> }[];
      topBlocked: { caller: string; calls: number }[];
    }>('GET', '/api/v1/stats?days=2');
    expect(stats.body.timeZone).toBe('Europe/Berlin');
    expect(stats.body.days.map((d) => d.day)).toEqual(['2026-11-17', '2026-11-18']);
    expect(stats.body.days[1]).toMatchObject({
      total: 5,
      byAction: { hangup: 2, voicemail: 2, connect: 1, announce: 0 },
      byReason: { blocklist: 2, anonymous: 1, unknown: 1, internal: 1 },
    });
    expect(stats.body.topBlocked).toEqual([
      expect.objectContaining({ caller: '+493012345670', calls: 2, label: 'Gewinnspiel' }),
    ]);
    expect((await api.json<{ days: unknown[] }>('GET', '/api/v1/stats')).body.days).toHaveLength(7);
    expect((await api.json('GET', '/api/v1/stats?days=400')).body).toMatchObject({
      message: 'querystring/days must be <= 366',
    });
  });
});
