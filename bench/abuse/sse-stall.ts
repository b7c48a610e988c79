/**
 * Stalled live views: 32 clients open GET /api/v1/events (all the slots there are) and never read, while 26,000 calls
 * are screened over FastAGI, and a page that does read tries to connect meanwhile. Unbounded, the service would keep
 * every event for every stalled client (issue: RSS 190 → 410 MB, and 355 MB after). Bounded, each stalled stream is
 * disconnected once 256 KiB wait for it (src/web/events.ts MAX_STREAM_BUFFER_BYTES): RSS stays where calls alone take
 * it, and the reading page gets a slot and every event from then on.
 *
 * Target, RSS at most 50 MB above its level after a warm-up: the stalled streams may hold 32 × 256 KiB = 8 MiB, and the
 * service's own working set moves by some tens of MB with the collector's cycle under load (README "Performance":
 * 149–160 MB over 600,000 calls, one 207 MB sample) — an unbounded buffer grows by ~10 MB per thousand calls.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fakeCall } from 'asterisk-agi/testing';
import { removeNow, removeOnExit, rssMB } from '../processes.js';
import { startCallfilter } from '../servers.js';
import type { Figure, Scenario } from './scenario.js';

const STALLED = 32;
const CALLS = 26_000;
const WARM_UP_CALLS = 2_000;
const CONCURRENCY = 20;
const RSS_HEADROOM_MB = 50;
/** How long the reading client may take to catch up after the last call before it counts as having missed events. */
const CATCH_UP_MS = 10_000;
/** How soon the reader tries again when every slot is taken (the service tells browsers 3 s; quicker here). */
const RETRY_MS = 100;

/** Places `n` calls, `CONCURRENCY` at a time; counts those decided (not failed open) and the highest call-log id. */
async function placeCalls(port: number, n: number, first: number): Promise<{ decided: number; lastId: number }> {
  let next = 0;
  let decided = 0;
  let lastId = 0;
  const worker = async () => {
    while (next < n) {
      const i = first + next++;
      const call = await fakeCall(
        { port, host: '127.0.0.1' },
        {
          script: 'screen',
          args: ['+4930999000'],
          env: { callerid: `+49301${String(i).padStart(7, '0')}`, calleridname: 'Abuse Test' },
        },
      );
      if (call.variables.CALLFILTER_ACTION && call.variables.CALLFILTER_REASON !== 'fail-open') decided++;
      lastId = Math.max(lastId, Number(call.variables.CALLFILTER_CALL_ID ?? 0));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { decided, lastId };
}

/**
 * A client that reads the stream, as the page's EventSource would: refused while every slot is taken, it tries again
 * (every RETRY_MS) until a stalled stream's slot is free. It notes the id of every call event.
 */
function reader(http: string, token: string) {
  const controller = new AbortController();
  const ids = new Set<number>();
  let connectedAt: number | undefined;
  const startedAt = Date.now();
  const consume = async (body: ReadableStream<Uint8Array>) => {
    let pending = '';
    for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      const end = pending.lastIndexOf('\n\n');
      if (end < 0) continue;
      for (const m of pending.slice(0, end).matchAll(/^id: (\d+)$/gm)) ids.add(Number(m[1]));
      pending = pending.slice(end + 2);
    }
  };
  void (async () => {
    while (!controller.signal.aborted) {
      try {
        const res = await fetch(`${http}/api/v1/events`, {
          headers: { authorization: `Bearer ${token}` },
          signal: controller.signal,
        });
        if (res.status === 200) {
          connectedAt = Date.now();
          await consume(res.body!);
          return;
        }
        await res.body?.cancel();
      } catch {
        if (controller.signal.aborted) return;
      }
      await sleep(RETRY_MS);
    }
  })();
  return {
    ids,
    waitedMs: () => (connectedAt === undefined ? undefined : connectedAt - startedAt),
    stop: () => controller.abort(),
  };
}

/** A client that asks for the stream, then never reads again. Resolves with the status line's code. */
function stalled(http: string, token: string, sockets: net.Socket[]): Promise<number> {
  const { port } = new URL(http);
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: Number(port) }, () => {
      socket.write(`GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    });
    sockets.push(socket);
    socket.on('error', () => resolve(0));
    socket.once('data', (d: Buffer) => {
      socket.pause();
      resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(d.toString())?.[1] ?? 0));
    });
  });
}

async function run(): Promise<Figure[]> {
  const dataDir = removeOnExit(mkdtempSync(join(tmpdir(), 'callfilter-abuse-sse-')));
  const server = await startCallfilter({ name: 'sse-stall', dataDir });
  const sockets: net.Socket[] = [];
  try {
    const pid = server.pid as number;
    const port = server.target.kind === 'tcp' ? server.target.port : 0;
    while (
      !(await fetch(`${server.http}/healthz`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      await sleep(50);
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const started = rssMB(pid) ?? 0;
    await placeCalls(port, WARM_UP_CALLS, 0);
    const before = rssMB(pid) ?? 0;

    const statuses = await Promise.all(Array.from({ length: STALLED }, () => stalled(server.http, token, sockets)));
    const reading = reader(server.http, token);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMB(pid) ?? 0)), 200);
    const t0 = Date.now();
    const { decided, lastId } = await placeCalls(port, CALLS, WARM_UP_CALLS);
    const seconds = (Date.now() - t0) / 1000;
    const caughtUp = Date.now() + CATCH_UP_MS;
    while (!reading.ids.has(lastId) && Date.now() < caughtUp) await sleep(100);
    clearInterval(sampler);
    await sleep(2_000);
    const after = rssMB(pid) ?? 0;
    peak = Math.max(peak, after);
    reading.stop();

    const log = readFileSync(server.logFile, 'utf8');
    const cut = log.split('\n').filter((l) => l.includes('a live view stopped reading; disconnected it')).length;
    const opened = statuses.filter((s) => s === 200).length;
    // Every call from the first one the reader saw to the last one placed: no gap.
    const firstSeen = reading.ids.size === 0 ? undefined : Math.min(...reading.ids);
    const expected = firstSeen === undefined ? 0 : lastId - firstSeen + 1;
    const waited = reading.waitedMs();
    const mb = (x: number) => `${x.toFixed(0)} MB`;
    return [
      {
        what: 'stalled streams opened',
        value: `${opened} of ${STALLED} (the cap)`,
        target: 'all',
        pass: opened === STALLED,
      },
      {
        what: 'calls screened',
        value: `${CALLS} in ${seconds.toFixed(1)} s (${(CALLS / seconds).toFixed(0)}/s), ${CONCURRENCY} at a time`,
      },
      {
        what: 'calls decided (not failed open)',
        value: `${decided} of ${CALLS}`,
        target: 'all',
        pass: decided === CALLS,
      },
      {
        what: 'stalled streams disconnected by the service',
        value: `${cut} of ${opened}`,
        target: 'all',
        pass: cut === opened,
      },
      {
        what: 'the reading stream got a slot (refused while the stalled ones held all)',
        value: waited === undefined ? 'never' : `after ${(waited / 1000).toFixed(1)} s`,
      },
      {
        what: 'the reading stream got every event since then',
        value: firstSeen === undefined ? 'none' : `${reading.ids.size} of ${expected} (calls ${firstSeen}–${lastId})`,
        target: 'all',
        pass: expected > 0 && reading.ids.size === expected,
      },
      { what: 'RSS at start / after a warm-up of 2,000 calls', value: `${mb(started)} / ${mb(before)}` },
      {
        what: 'RSS peak',
        value: mb(peak),
        target: `≤ ${mb(before + RSS_HEADROOM_MB)} (warm-up + ${RSS_HEADROOM_MB})`,
        pass: peak <= before + RSS_HEADROOM_MB,
      },
      {
        what: 'RSS after',
        value: mb(after),
        target: `≤ ${mb(before + RSS_HEADROOM_MB)}`,
        pass: after <= before + RSS_HEADROOM_MB,
      },
    ];
  } finally {
    for (const socket of sockets) socket.destroy();
    await server.stop();
    removeNow(dataDir);
  }
}

export const sseStall: Scenario = { name: 'sse-stall', run };
