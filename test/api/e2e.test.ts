/**
 * End to end in one process: a call screened over FastAGI (the fake Asterisk over real TCP) lands in the log; the
 * caller is blocked from that log row over real HTTP; the same number screened again is blocked; allowed, it rings.
 */
import { describe, expect, it } from 'vitest';
import { startApi } from '../helpers/api.js';

const MINUTE = 60_000;

describe('block and allow a caller from the call log', () => {
  it('blocks the next call from a number blocked via its log row, and connects it once allowed', async () => {
    const clock = { now: Date.UTC(2026, 10, 18, 9, 0) };
    const api = await startApi({
      env: { CALLFILTER_HOME_AREA_CODE: '30', CALLFILTER_TIMEZONE: 'Europe/Berlin' },
      overrides: { clock: () => clock.now },
    });
    const base = await api.listen();
    const post = (path: string) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${api.token}` } });

    // 1. An unknown caller: voicemail, and a row in the log.
    const first = await api.call('030 98765432');
    expect(first.variables).toMatchObject({ CALLFILTER_ACTION: 'voicemail', CALLFILTER_REASON: 'unknown' });
    const callId = Number(first.variables.CALLFILTER_CALL_ID);
    const log = (await (
      await fetch(`${base}/api/v1/calls`, { headers: { authorization: `Bearer ${api.token}` } })
    ).json()) as { items: { id: number; caller: string }[] };
    expect(log.items).toEqual([expect.objectContaining({ id: callId, caller: '+493098765432' })]);

    // 2. "Block this caller" on that row.
    const blocked = await post(`/api/v1/calls/${callId}/block`);
    expect(blocked.status).toBe(201);

    // 3. Same number, written the way another trunk sends it: blocked (hangup, cause 21).
    clock.now += 30 * MINUTE;
    const second = await api.call('+49 30 98765432');
    expect(second.variables).toMatchObject({
      CALLFILTER_ACTION: 'hangup',
      CALLFILTER_REASON: 'blocklist',
      CALLFILTER_CAUSE: '21',
    });

    // 4. "Allow this caller" on the blocked call's row: it rings.
    const allowed = await post(`/api/v1/calls/${second.variables.CALLFILTER_CALL_ID}/allow`);
    expect(allowed.status).toBe(201);
    clock.now += 30 * MINUTE;
    const third = await api.call('0049 30 98765432');
    expect(third.variables).toMatchObject({ CALLFILTER_ACTION: 'connect', CALLFILTER_REASON: 'allowlist' });

    // The log tells the story.
    const rows = (await api.ctx.store.calls.list()).items.map((c) => [c.action, c.reason]);
    expect(rows).toEqual([
      ['connect', 'allowlist'],
      ['hangup', 'blocklist'],
      ['voicemail', 'unknown'],
    ]);
  });
});
