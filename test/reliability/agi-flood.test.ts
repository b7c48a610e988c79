/**
 * Hundreds of abusive connections held open against the real service, while legitimate calls come in through the
 * fake Asterisk: every legitimate call must still be decided within the decision deadline.
 */
import { describe, expect, it, vi } from 'vitest';
import { startService } from '../helpers/service.js';
import {
  type AbusiveClient,
  connect,
  envLines,
  percentile,
  pool,
  randomBytes,
  seededRandom,
  sleep,
} from './clients.js';
import { heapUsedAfterGc, MB, openFds, watchUnhandled } from './measure.js';

const ABUSIVE = 500;
const LEGIT_CALLS = 300;
/**
 * The environment deadline of this service: long enough that the abusive peers are still held when the last
 * legitimate call ends, also on a machine so busy that the 300 calls take three times as long as usual.
 */
const ENV_TIMEOUT_MS = 15_000;

/** Abusive peers come from these (60–100 each), the legitimate calls from 127.0.0.1: a flood from some hosts. */
const ABUSIVE_FROM = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7'];

/** Opens `n` connections of one abusive kind, a few at a time (a burst of 500 SYNs would only test the backlog). */
async function openMany(
  n: number,
  port: number,
  behave: (c: AbusiveClient, i: number) => void,
): Promise<AbusiveClient[]> {
  return pool(n, 50, async (i) => {
    const c = await connect(port, { localAddress: ABUSIVE_FROM[i % ABUSIVE_FROM.length] as string });
    behave(c, i);
    return c;
  });
}

describe('FastAGI port flooded with abusive connections', () => {
  it(`decides every legitimate call within the deadline while ${ABUSIVE} abusive connections are held open`, async () => {
    const unhandled = watchUnhandled();
    const svc = await startService({ agi: { session: { envTimeoutMs: ENV_TIMEOUT_MS } } });
    const { decisionMs } = svc.config;
    expect(svc.config.agi.maxConnections).toBeGreaterThanOrEqual(ABUSIVE + 50);
    await svc.call('+4930100000'); // warm-up
    const heapBefore = heapUsedAfterGc();
    const fdsBefore = openFds();
    const env = envLines().join('');

    // Within the environment deadline all of these are still legal-looking peers, so they are held: each
    // sends a byte more often than the idle limit (ENV_IDLE_MS, 1 s) would allow silence.
    const drip = (c: AbusiveClient, from: number) => {
      let at = from;
      c.every(700, () => c.send(env.slice(at, ++at)));
    };
    const idle = await openMany(150, svc.port, (c) => drip(c, 0));
    const half = await openMany(150, svc.port, (c) => {
      c.send(env.slice(0, env.length / 2));
      drip(c, env.length / 2);
    });
    const drips = await openMany(100, svc.port, (c) => drip(c, 0));
    // A line that grows by 100 bytes per 100 ms: it reaches the 16 KiB line cap only after the phase below.
    const endless = await openMany(100, svc.port, (c) => c.every(100, () => c.send('x'.repeat(100))));
    const abusive = [...idle, ...half, ...drips, ...endless];
    await vi.waitFor(() => expect(svc.agi.liveSessions).toBeGreaterThanOrEqual(ABUSIVE), { timeout: 5_000 });

    // Meanwhile short garbage connections keep arriving.
    let churning = true;
    let churned = 0;
    const churn = pool(8, 8, async (w) => {
      const random = seededRandom(9_000 + w);
      while (churning) {
        const c = await connect(svc.port);
        c.send(randomBytes(random, 1 + Math.floor(random() * 512)));
        c.send('\n');
        await c.closed;
        churned++;
      }
    });

    const t0 = performance.now();
    const results = await pool(LEGIT_CALLS, 10, (i) => svc.call(`+4930${String(2_000_000 + i)}`, { timeoutMs: 5_000 }));
    const phaseMs = performance.now() - t0;
    const held = abusive.filter((c) => !c.socket.destroyed).length;
    churning = false;
    await churn;

    const durations = results.map((r) => r.durationMs);
    const p50 = percentile(durations, 50);
    const p99 = percentile(durations, 99);
    const max = Math.max(...durations);
    console.log(
      `[reliability] flood: ${LEGIT_CALLS} legit calls in ${(phaseMs / 1000).toFixed(2)} s while ${held} abusive connections were held open ` +
        `and ${churned} garbage connections came and went; decision p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`,
    );
    expect(held).toBe(ABUSIVE);
    expect(
      results.filter(
        (r) => r.variables.CALLFILTER_ACTION !== 'voicemail' || r.variables.CALLFILTER_REASON !== 'unknown',
      ),
    ).toEqual([]);
    expect(max).toBeLessThan(decisionMs);

    // The held peers are cut off at the environment deadline without our help.
    const closedIn = await Promise.all(
      abusive.map((c) => Promise.race([c.closed, sleep(ENV_TIMEOUT_MS + 3_000).then(() => Infinity)])),
    );
    expect(closedIn.filter((ms) => ms === Infinity)).toHaveLength(0);
    expect(abusive.every((c) => c.received() === 0)).toBe(true);
    await vi.waitFor(() => expect(svc.agi.liveSessions).toBe(0), { timeout: 5_000 });

    const heapGrowth = heapUsedAfterGc() - heapBefore;
    const fdsAfter = openFds();
    console.log(`[reliability] flood: heap growth ${(heapGrowth / MB).toFixed(1)} MB, fds ${fdsBefore} → ${fdsAfter}`);
    expect(heapGrowth).toBeLessThan(32 * MB);
    expect(fdsAfter).toBeLessThanOrEqual(fdsBefore + 5);
    // ~700 bad connections, a bounded number of warn lines (LOG_BURST per kind and window).
    const warns = svc.logs.filter((l) => (l.level as number) >= 40);
    expect(warns.length).toBeLessThan(60);
    expect(unhandled).toEqual([]);
  }, 60_000);
});
