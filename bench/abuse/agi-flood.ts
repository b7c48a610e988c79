/**
 * agi-flood: 1,200 connections from 127.0.0.2 that each send half an environment and then stall, while 20 real
 * calls come from 127.0.0.1 — the FastAGI slot starvation of issue 17 (18 of 20 calls got no answer when the flood
 * held all 1,000 slots for the 5 s environment deadline). The real service runs as its own process, with its
 * defaults, in a temporary data folder; everything is on loopback and stopped at the end.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { environmentLines } from '../agi-env.js';
import { removeNow, removeOnExit } from '../processes.js';
import { startCallfilter } from '../servers.js';
import { summarize } from '../stats.js';
import type { Figure, Scenario } from './scenario.js';

const FLOOD = 1_200;
const FLOOD_FROM = '127.0.0.2';
/** Flood connections being opened at once: enough to fill every slot in a blink, not a test of the listen backlog. */
const FLOOD_CONNECTING = 100;
const CALLS = 20;
const CALLS_FROM = '127.0.0.1';
/** The real calls start once this many flood connections are up, one every CALL_EVERY_MS: in the thick of it. */
const CALLS_START_AFTER = 1_000;
const CALL_EVERY_MS = 25;
/** The shipped dialplan's guard: TIMEOUT(absolute)=5 rings a call unscreened after 5 s. */
const CALL_TIMEOUT_MS = 5_000;
/** Flood connections still open after this are closed by us, and counted as left open. */
const FLOOD_WAIT_MS = 10_000;
/** How often the service's open FastAGI connections are read from /metrics during the flood. */
const SAMPLE_EVERY_MS = 250;
/** Target: the decision deadline (CALLFILTER_DECISION_MS); the dialplan's guard would ring the call at 5 s. */
const CALL_P99_TARGET_MS = 1_000;
/** CALLFILTER_AGI_MAX_PER_ADDRESS's default: what the flood may hold at once. */
const PER_ADDRESS_CAP = 100;

interface FloodConn {
  closedAfterMs?: number;
  received: number;
  socket: net.Socket;
}

/** One connection that sends the first half of an environment block and then says nothing more. */
function floodOnce(port: number, half: string): Promise<FloodConn> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: FLOOD_FROM });
    const conn: FloodConn = { received: 0, socket };
    socket.on('data', (chunk: Buffer) => (conn.received += chunk.length));
    socket.on('error', () => {}); // a reset is how a refused connection ends
    socket.once('close', () => (conn.closedAfterMs = performance.now() - started));
    socket.once('connect', () => {
      socket.write(half);
      resolve(conn);
    });
    socket.once('error', () => resolve(conn));
  });
}

/** One real call the way Asterisk places it; resolves with its latency, or an error. */
function realCall(port: number, seq: number): Promise<{ ms: number; action?: string; error?: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const env = environmentLines(
      {
        category: 'unknown',
        callerid: `+49301${String(seq).padStart(6, '0')}`,
        calleridname: 'unknown',
        callingpres: 0,
      },
      seq,
      { request: `agi://127.0.0.1:${port}/screen`, network: true },
    );
    const socket = net.connect({
      port,
      host: '127.0.0.1',
      localAddress: CALLS_FROM,
      noDelay: true,
      allowHalfOpen: true,
    });
    let pending = '';
    let action: string | undefined;
    let done = false;
    const finish = (error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({
        ms: performance.now() - started,
        ...(action !== undefined && { action }),
        ...(error !== undefined && { error }),
      });
    };
    const timer = setTimeout(() => {
      finish('no answer within the dialplan guard (5 s): rings unscreened');
      socket.destroy();
    }, CALL_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      for (const line of env) socket.write(line); // setup_env(): one write per line
    });
    socket.on('data', (chunk: string) => {
      pending += chunk;
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const m = /^SET VARIABLE "CALLFILTER_ACTION" "(.*)"$/.exec(pending.slice(0, nl));
        if (m) action = m[1];
        pending = pending.slice(nl + 1);
        socket.write('200 result=1\n');
      }
    });
    socket.on('end', () => {
      finish(action ? undefined : 'closed without CALLFILTER_ACTION');
      socket.end('HANGUP\n'); // run_agi(): EOF, then a last HANGUP and close
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    socket.on('close', () => finish('closed before the server ended the session'));
  });
}

/** The value of `name{labels}` (or `name` without labels) on the service's /metrics; 0 when absent. */
async function metric(httpPort: number, token: string, name: string, labels = ''): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** Reads callfilter_agi_sessions every SAMPLE_EVERY_MS until stopped; resolves with the most seen. */
function sampleSessions(httpPort: number, token: string): { stop: () => Promise<number> } {
  let most = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      most = Math.max(most, await metric(httpPort, token, 'callfilter_agi_sessions').catch(() => 0));
      await sleep(SAMPLE_EVERY_MS);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return most;
    },
  };
}

async function run(): Promise<Figure[]> {
  const dataDir = removeOnExit(mkdtempSync(join(tmpdir(), 'callfilter-abuse-agi-')));
  const server = await startCallfilter({ name: 'callfilter agi-flood', dataDir });
  const port = server.target.kind === 'tcp' ? server.target.port : 0;
  try {
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const sampler = sampleSessions(server.httpPort, token);
    const block = environmentLines(
      { category: 'unknown', callerid: '+4930123456', calleridname: 'unknown', callingpres: 0 },
      1,
      { request: `agi://127.0.0.1:${port}/screen`, network: true },
    ).join('');
    const half = block.slice(0, Math.floor(block.length / 2));

    // The flood, and the real calls once most of it is up.
    const flood: FloodConn[] = [];
    let startCalls: () => void = () => {};
    const callsMayStart = new Promise<void>((resolve) => (startCalls = resolve));
    let next = 0;
    const opener = async (): Promise<void> => {
      while (next < FLOOD) {
        next++;
        flood.push(await floodOnce(port, half));
        if (flood.length >= CALLS_START_AFTER) startCalls();
      }
    };
    const opening = Promise.all(Array.from({ length: FLOOD_CONNECTING }, opener));
    await callsMayStart;
    const calls = await Promise.all(
      Array.from({ length: CALLS }, async (_, i) => {
        await sleep(i * CALL_EVERY_MS);
        return realCall(port, i + 1);
      }),
    );
    await opening;

    // Every flood connection must be closed by the service itself; give it time, then count what is left.
    const until = performance.now() + FLOOD_WAIT_MS;
    while (flood.some((c) => c.closedAfterMs === undefined) && performance.now() < until) await sleep(100);
    const mostOpen = await sampler.stop();
    const stillOpen = flood.filter((c) => c.closedAfterMs === undefined);
    for (const c of stillOpen) c.socket.destroy();
    const answered = flood.filter((c) => c.received > 0).length;
    const lifetimes = summarize(flood.flatMap((c) => (c.closedAfterMs === undefined ? [] : [c.closedAfterMs])));

    const perAddress = await metric(
      server.httpPort,
      token,
      'callfilter_agi_rejected_total',
      'reason="max-per-address"',
    );
    const overCap = await metric(server.httpPort, token, 'callfilter_agi_rejected_total', 'reason="max-connections"');
    const stalled = await metric(
      server.httpPort,
      token,
      'callfilter_errors_total',
      'source="agi",kind="AgiTimeoutError"',
    );

    const decided = calls.filter((c) => c.error === undefined);
    const p99 = summarize(decided.map((c) => c.ms)).p99;
    const errors = [...new Set(calls.flatMap((c) => (c.error ? [c.error] : [])))];
    return [
      {
        what: `real calls from ${CALLS_FROM} decided during the flood`,
        value: `${decided.length} of ${CALLS}${errors.length ? ` (${errors.join('; ')})` : ''}`,
        target: `all ${CALLS}`,
        pass: decided.length === CALLS,
      },
      {
        what: 'their latency, connect to close: p99',
        value:
          decided.length > 0
            ? `${p99.toFixed(1)} ms (max ${Math.max(...decided.map((c) => c.ms)).toFixed(1)} ms)`
            : 'none decided',
        target: `≤ ${CALL_P99_TARGET_MS.toLocaleString('en')} ms`,
        pass: decided.length > 0 && p99 <= CALL_P99_TARGET_MS,
      },
      {
        what: `flood connections from ${FLOOD_FROM} refused at once`,
        value: `${perAddress + overCap} of ${FLOOD} (per-address cap ${perAddress}, connection cap ${overCap})`,
      },
      { what: 'flood connections taken in, then closed for a stalled environment', value: `${stalled} of ${FLOOD}` },
      {
        what: 'flood connections refused or closed by the service, none answered or left open',
        value: `${perAddress + overCap + stalled} of ${FLOOD}; answered ${answered}, left open ${stillOpen.length}`,
        target: `all ${FLOOD}`,
        pass: perAddress + overCap + stalled === FLOOD && answered === 0 && stillOpen.length === 0,
      },
      {
        what: `FastAGI connections open at once, most seen (every ${SAMPLE_EVERY_MS} ms)`,
        value: `${mostOpen}`,
        target: `≤ ${PER_ADDRESS_CAP + CALLS} (the flood's cap of ${PER_ADDRESS_CAP} plus the calls)`,
        pass: mostOpen <= PER_ADDRESS_CAP + CALLS,
      },
      {
        what: 'flood connection lifetime as its client saw it (with the wait in the accept queue)',
        value: `p50 ${lifetimes.p50.toFixed(0)} ms, p99 ${lifetimes.p99.toFixed(0)} ms, max ${lifetimes.max.toFixed(0)} ms`,
      },
    ];
  } finally {
    await server.stop();
    removeNow(dataDir);
  }
}

export const agiFlood: Scenario = { name: 'agi-flood', run };
