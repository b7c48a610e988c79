/**
 * A local number (sent without its area code) while the home area code is unknown: screened as unknown, with a hint
 * in the log text, and logged as sent — never as a made-up E.164 that would be someone else's number.
 */
import { describe, expect, it } from 'vitest';
import { startApi } from '../helpers/api.js';
import { startService } from '../helpers/service.js';

describe('a local number before setup', () => {
  it('is screened as unknown, logged without a made-up number, and the log line says what to set', async () => {
    const svc = await startService();
    // Someone's real entry for the number a guess would make of it must not fire either.
    await svc.ctx.store.entries.create({ number: '+49222222', kind: 'block', label: 'not this caller' });
    const call = await svc.call('222222');
    expect(call.variables).toMatchObject({ CALLFILTER_ACTION: 'voicemail', CALLFILTER_REASON: 'unknown' });

    const [row] = (await svc.ctx.store.calls.list({ limit: 10 })).items;
    expect(row).toMatchObject({ callerRaw: '222222', callerKind: 'number', reason: 'unknown', action: 'voicemail' });
    expect(row?.caller).toBeUndefined();
    expect(row?.country).toBeUndefined();
    expect(JSON.stringify(row)).not.toContain('+49222222');
    expect(row?.explanation).toBe(
      'Local number 222222 without its area code, which is not set yet: screened as unknown (set it with “callfilter setup --area-code …” or on the web page).',
    );
    const line = svc.logs.find((l) => l.caller === '222222');
    expect(line).toMatchObject({ reason: 'unknown', msg: row?.explanation });
  });

  it('explain says the same, its log row cannot be blocked by a made-up number, and it is read once the area code is set', async () => {
    const api = await startApi();
    const before = await api.json<{
      caller: Record<string, unknown>;
      decision: { reason: string; explanation: string };
    }>('GET', '/api/v1/explain?number=222222&lang=en');
    expect(before.status).toBe(200);
    expect(before.body.caller).toEqual({ kind: 'local', raw: '222222', digits: '222222' });
    expect(before.body.decision.reason).toBe('unknown');
    expect(before.body.decision.explanation).toContain('without its area code');

    // Its log row has no number to block or allow.
    await api.call('222222');
    const [row] = (await api.ctx.store.calls.list({ limit: 1 })).items;
    expect(await api.json('POST', `/api/v1/calls/${row?.id}/block`)).toEqual({
      status: 409,
      body: {
        error: 'conflict',
        code: 'call.local',
        params: { id: row?.id, caller: '222222' },
        message: `call ${row?.id} came from "222222", a local number that could not be read without the home area code (callfilter setup --area-code …); add an entry with its full number instead`,
      },
    });

    expect((await api.json('PUT', '/api/v1/settings', { areaCode: '30' })).status).toBe(200);
    const after = await api.json<{ caller: Record<string, unknown> }>('GET', '/api/v1/explain?number=222222');
    expect(after.body.caller).toMatchObject({ kind: 'number', e164: '+4930222222' });
  });

  it('a full national number is read as before', async () => {
    const svc = await startService();
    await svc.call('030 1234567');
    expect((await svc.ctx.store.calls.list({ limit: 1 })).items[0]?.caller).toBe('+49301234567');
  });
});
