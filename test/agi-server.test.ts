/**
 * The service's FastAGI guards over real TCP on loopback: CALLFILTER_AGI_MAX_PER_ADDRESS, the idle limit on an
 * environment that stopped arriving, and the CALLFILTER_AGI_SECRET key in the AGI URL.
 */
import { describe, expect, it, vi } from 'vitest';
import { startService } from './helpers/service.js';
import { connect, envLines, pool } from './reliability/clients.js';

const FLOOD_FROM = '127.0.0.2';
const SECRET = '3f9c2a7e5b1d4068a9e2';

describe('CALLFILTER_AGI_MAX_PER_ADDRESS', () => {
  it('holds 100 connections from one address by default, closes the next from it at once, and still serves another address', async () => {
    // The held peers send half a block and keep quiet; the idle limit is lifted so that they stay for the test.
    const svc = await startService({ agi: { session: { envIdleMs: 60_000 } } });
    expect(svc.config.agi.maxPerAddress).toBe(100);
    const half = envLines().join('').slice(0, 200);
    const held = await pool(100, 20, async () => {
      const c = await connect(svc.port, { localAddress: FLOOD_FROM });
      c.send(half);
      return c;
    });
    await vi.waitFor(() => expect(svc.agi.liveSessions).toBe(100), { timeout: 10_000 });

    const over = await connect(svc.port, { localAddress: FLOOD_FROM });
    over.send(envLines().join(''));
    await over.closed;
    expect(over.received()).toBe(0);
    expect(svc.ctx.faults.get('agiRejected', { reason: 'max-per-address' })).toBe(1);
    expect(await svc.metrics.text()).toContain('callfilter_agi_rejected_total{reason="max-per-address"} 1');

    const call = await svc.call('+4930123456');
    expect(call.variables).toMatchObject({ CALLFILTER_ACTION: 'voicemail', CALLFILTER_REASON: 'unknown' });
    expect(held.every((c) => !c.socket.destroyed)).toBe(true);
  });

  it('closes a connection whose environment stopped arriving after a second, long before the 5 s deadline', async () => {
    const svc = await startService();
    const c = await connect(svc.port, { localAddress: FLOOD_FROM });
    c.send(envLines().join('').slice(0, 200));
    await c.closed;
    expect(c.received()).toBe(0);
    expect(svc.logs.some((l) => String(l.msg).includes('environment stalled: no byte for 1000 ms'))).toBe(true);
    expect(svc.ctx.faults.get('errors', { source: 'agi', kind: 'AgiTimeoutError' })).toBe(1);
    expect(await svc.ctx.store.calls.count()).toBe(0);
  });
});

describe('CALLFILTER_AGI_SECRET', () => {
  it('answers a session with the right key, and closes one with a wrong or missing key unanswered, counting it', async () => {
    const svc = await startService({ env: { CALLFILTER_AGI_SECRET: SECRET } });
    const right = await svc.call('+4930123456', { script: `screen?key=${SECRET}` });
    expect(right.variables).toMatchObject({ CALLFILTER_ACTION: 'voicemail', CALLFILTER_REASON: 'unknown' });

    for (const script of [
      'screen?key=3f9c2a7e5b1d4068a9e3',
      'screen?key=',
      'screen',
      `screen?key=${SECRET}x`,
      `screen?KEY=${SECRET}`,
    ]) {
      const wrong = await svc.call('+4930123457', { script });
      // No variable at all: Asterisk finds CALLFILTER_ACTION empty and connects the call (fail-open).
      expect(wrong, script).toMatchObject({ closedByServer: true, commands: [], variables: {} });
    }
    expect(svc.ctx.faults.get('agiRejected', { reason: 'unauthorized' })).toBe(5);
    expect(await svc.metrics.text()).toContain('callfilter_agi_rejected_total{reason="unauthorized"} 5');
    expect(await svc.ctx.store.calls.count()).toBe(1);
    // The key's value never reaches the log, right or wrong.
    expect(JSON.stringify(svc.logs)).not.toContain(SECRET.slice(0, 12));
  });

  it('ignores any key when no secret is set', async () => {
    const svc = await startService();
    for (const [i, script] of ['screen?key=anything-at-all', 'screen?key=', 'screen'].entries()) {
      expect((await svc.call(`+493012345${i}`, { script })).variables, script).toMatchObject({
        CALLFILTER_ACTION: 'voicemail',
        CALLFILTER_REASON: 'unknown',
      });
    }
    expect(svc.ctx.faults.get('agiRejected')).toBe(0);
  });
});
