/**
 * Protocol abuse against the real service's FastAGI port (real TCP on loopback, real SQLite file): seeded fuzzing,
 * then the slow and endless peers one by one. Every connection must be closed by the server on its own, and the
 * service must go on deciding.
 */
import { fakeCall } from 'asterisk-agi/testing';
import { describe, expect, it, vi } from 'vitest';
import { startService } from '../helpers/service.js';
import { connect, envLines, pool, seededRandom, sleep } from './clients.js';
import { fuzzCase } from './fuzz-cases.js';
import { heapUsedAfterGc, MB, openFds, watchUnhandled } from './measure.js';

const ACTIONS = ['connect', 'voicemail', 'hangup', 'announce'];
const FUZZ_CASES = 3_000;
const ENV_TIMEOUT_MS = 300;
const REPLY_TIMEOUT_MS = 300;

/** Warn-or-worse lines the FastAGI layer wrote (pino levels: 40 warn, 50 error). */
function agiWarnings(logs: Record<string, unknown>[]): Record<string, unknown>[] {
  return logs.filter((l) => l.subsystem === 'agi' && (l.level as number) >= 40);
}

describe('FastAGI port under abuse', () => {
  it(`survives ${FUZZ_CASES} seeded fuzz cases: every connection closed by the server, every valid block decided`, async () => {
    const unhandled = watchUnhandled();
    const svc = await startService({
      agi: { session: { envTimeoutMs: ENV_TIMEOUT_MS, replyTimeoutMs: REPLY_TIMEOUT_MS } },
    });
    expect((await svc.call('+4930123456')).variables.CALLFILTER_ACTION).toBe('voicemail'); // warm-up
    const heapBefore = heapUsedAfterGc();
    const fdsBefore = openFds();
    const kinds = new Map<string, number>();
    const slow: string[] = [];
    const undecided: string[] = [];
    const started = performance.now();

    await pool(FUZZ_CASES, 64, async (i) => {
      const seed = 1_000 + i;
      const c = fuzzCase(seed, seededRandom(seed));
      kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
      if (c.kind === 'weird-values') {
        const result = await fakeCall(
          { port: svc.port },
          { script: 'screen', env: c.env, args: c.args, timeoutMs: 3_000 },
        );
        if (!ACTIONS.includes(result.variables.CALLFILTER_ACTION ?? '') || !result.closedByServer)
          undecided.push(`seed ${seed}: ${JSON.stringify(result.variables)}`);
        return;
      }
      const client = await connect(svc.port);
      for (const chunk of c.chunks) client.send(chunk);
      // Not ended by us: the server must notice the violation (or the deadline) and close by itself.
      const ms = await Promise.race([
        client.closed,
        sleep(ENV_TIMEOUT_MS + REPLY_TIMEOUT_MS * 8 + 1_000).then(() => Infinity),
      ]);
      if (ms === Infinity) {
        slow.push(`seed ${seed} (${c.kind})`);
        client.stop();
      }
    });
    const elapsed = performance.now() - started;

    expect(slow).toEqual([]);
    expect(undecided).toEqual([]);
    await vi.waitFor(() => expect(svc.agi.liveSessions).toBe(0), { timeout: 5_000 });
    // Hostile values were decided normally: nothing failed open because of them.
    expect(svc.outcomes.filter((o) => o.error !== undefined).map((o) => String(o.error))).toEqual([]);
    expect((await svc.call('+4930123457')).variables.CALLFILTER_ACTION).toBe('voicemail');

    const heapGrowth = heapUsedAfterGc() - heapBefore;
    const fdsAfter = openFds();
    console.log(
      `[reliability] fuzz: ${FUZZ_CASES} cases (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}) in ${(elapsed / 1000).toFixed(1)} s; ` +
        `heap ${(heapGrowth / MB).toFixed(1)} MB, fds ${fdsBefore} → ${fdsAfter}, agi warn lines ${agiWarnings(svc.logs).length}`,
    );
    expect(heapGrowth).toBeLessThan(32 * MB);
    expect(fdsAfter).toBeLessThanOrEqual(fdsBefore + 5);
    // Thousands of bad peers must not mean thousands of warn lines.
    expect(agiWarnings(svc.logs).length).toBeLessThan(100);
    const warnOrWorse = new Map<string, number>();
    for (const l of svc.logs)
      if ((l.level as number) >= 40)
        warnOrWorse.set(
          `${String(l.subsystem)}: ${String(l.msg).slice(0, 60)}`,
          (warnOrWorse.get(`${String(l.subsystem)}: ${String(l.msg).slice(0, 60)}`) ?? 0) + 1,
        );
    console.log(warnOrWorse);
    expect(unhandled).toEqual([]);
  });

  it('cuts off a slow-drip client (two bytes per second, within the idle limit) at the environment deadline', async () => {
    const svc = await startService({ agi: { session: { envTimeoutMs: 1_500 } } });
    const env = envLines().join('');
    const drip = await connect(svc.port);
    let at = 0;
    drip.every(500, () => drip.send(env.slice(at, ++at)));
    const ms = await drip.closed;
    expect(ms).toBeGreaterThanOrEqual(1_400);
    expect(ms).toBeLessThan(2_500);
    expect(drip.received()).toBe(0);
    expect(svc.logs.some((l) => String(l.msg).includes('no complete environment within 1500 ms'))).toBe(true);
    expect(svc.outcomes).toEqual([]);
  });

  it('cuts off an endless line at the line limit, endless environment lines at the block limit, and a half-sent block at the idle limit', async () => {
    const svc = await startService({ agi: { session: { envTimeoutMs: 2_000 } } });
    // One line that never ends: 1 KiB every 5 ms, no newline.
    const endless = await connect(svc.port);
    let sentLine = 0;
    endless.every(5, () => {
      endless.send('9'.repeat(1024));
      sentLine += 1024;
    });
    // Valid environment lines that never end in the empty line.
    const lines = await connect(svc.port);
    let sentLines = 0;
    lines.every(5, () => {
      for (let i = 0; i < 20; i++) lines.send(`agi_x${sentLines++}: y\n`);
    });
    // Half a block, then silence.
    const half = await connect(svc.port);
    const env = envLines();
    half.send(env.slice(0, 10).join(''));

    const [lineMs, linesMs, halfMs] = await Promise.all([endless.closed, lines.closed, half.closed]);
    // MAX_LINE_BYTES (16 KiB) and MAX_ENV_LINES (200), long before the 2 s deadline; the half block after ENV_IDLE_MS
    // (1 s) without a byte, also before it.
    expect(lineMs).toBeLessThan(1_500);
    expect(sentLine).toBeLessThan(64 * 1024);
    expect(linesMs).toBeLessThan(1_500);
    expect(sentLines).toBeLessThan(1_000);
    expect(halfMs).toBeGreaterThanOrEqual(900);
    expect(halfMs).toBeLessThan(1_900);
    expect(svc.logs.some((l) => String(l.msg).includes('environment stalled: no byte for 1000 ms'))).toBe(true);
    expect([endless, lines, half].map((c) => c.received())).toEqual([0, 0, 0]);
    expect((await svc.call('+4930123456')).variables.CALLFILTER_ACTION).toBe('voicemail');
  });
});
