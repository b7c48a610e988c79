/**
 * CALLFILTER_AGI_ALLOW against the real service: a peer that is not on the list is closed at once — before a
 * byte is read — counted, and logged a bounded number of times however many there are.
 */
import { describe, expect, it, vi } from 'vitest';
import { startService } from '../helpers/service.js';
import { connect, envLines, percentile, pool } from './clients.js';

const OTHER_HOST = '127.0.0.2';
const REJECTED = 300;

describe('FastAGI client allow-list', () => {
  it(`closes ${REJECTED} connections from a host not on the list at once, counts them, and logs a bounded number of lines`, async () => {
    const svc = await startService({ env: { CALLFILTER_AGI_ALLOW: '127.0.0.1' } });
    const env = envLines('+4930123456').join('');
    const closedAfter = await pool(REJECTED, 10, async () => {
      const c = await connect(svc.port, { localAddress: OTHER_HOST });
      c.send(env);
      const ms = await c.closed;
      expect(c.received()).toBe(0);
      return ms;
    });
    const p99 = percentile(closedAfter, 99);
    console.log(
      `[reliability] allow-list: ${REJECTED} connections from ${OTHER_HOST} closed after p50 ${percentile(closedAfter, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
    );
    // "At once": no environment deadline, no reply timeout — closed as soon as accepted.
    expect(p99).toBeLessThan(250);

    expect(svc.ctx.faults.get('agiRejected', { reason: 'allow' })).toBe(REJECTED);
    expect(await svc.metrics.text()).toContain(`callfilter_agi_rejected_total{reason="allow"} ${REJECTED}`);
    expect(svc.outcomes).toEqual([]);
    expect(await svc.ctx.store.calls.count()).toBe(0);

    // Loopback itself is still served, and not counted.
    const ok = await svc.call('+4930123456');
    expect(ok.variables).toMatchObject({ CALLFILTER_ACTION: 'voicemail', CALLFILTER_REASON: 'unknown' });
    expect(svc.ctx.faults.get('agiRejected')).toBe(REJECTED);

    const rejectedLines = () => svc.logs.filter((l) => l.msg === 'AGI connection rejected');
    expect(rejectedLines().length).toBeLessThanOrEqual(10);
    expect(rejectedLines()[0]).toMatchObject({ level: 40, remoteAddress: OTHER_HOST, reason: 'allow' });
    // The rest are summed up in one line (at the end of the window, or at shutdown).
    await svc.close();
    await vi.waitFor(() =>
      expect(
        svc.logs.find((l) => String(l.msg).includes('"AGI connection rejected (allow)" lines were not written')),
      ).toMatchObject({ suppressed: REJECTED - rejectedLines().length }),
    );
  });

  it('closes connections over CALLFILTER_AGI_MAX_CONNECTIONS at once and counts them; a call then gets no variables (the dialplan connects)', async () => {
    const svc = await startService({ env: { CALLFILTER_AGI_MAX_CONNECTIONS: '50' } });
    const held = await pool(50, 10, () => connect(svc.port));
    await vi.waitFor(() => expect(svc.agi.liveSessions).toBe(50));
    const over = await pool(20, 10, async () => {
      const c = await connect(svc.port);
      return c.closed;
    });
    expect(Math.max(...over)).toBeLessThan(500);
    const refused = await svc.call('+4930123456');
    // Closed before a command: AGISTATUS=SUCCESS and no CALLFILTER_ACTION, which the shipped dialplan connects.
    expect(refused).toMatchObject({ closedByServer: true, agiStatus: 'SUCCESS', variables: {} });
    expect(svc.ctx.faults.get('agiRejected', { reason: 'max-connections' })).toBe(21);
    for (const c of held) c.stop();
    await vi.waitFor(() => expect(svc.agi.liveSessions).toBe(0));
    expect((await svc.call('+4930123457')).variables.CALLFILTER_ACTION).toBe('voicemail');
  });
});
