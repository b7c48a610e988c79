/**
 * The load client: a separate process (forked by bench/run.ts, one per job) that behaves like Asterisk. Per call it
 * connects (FastAGI) or starts the script (classic AGI over stdin/stdout), sends the environment block line by line,
 * answers every command line with `200 result=1`, and reads until the server closes — then, like res_agi.c, sends
 * a last `HANGUP` and closes its side. Latency is connect (or spawn) → the server's close.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { type EnvTarget, environmentLines } from './agi-env.js';
import { type CallSpec, createCallerMix } from './caller-mix.js';
import { FULL_SIZE } from './dataset.js';
import { type ClientMessage, type LoadJob, type LoadResult, MAX_ERROR_SAMPLES, type Target } from './load-protocol.js';
import { summarize } from './stats.js';

interface Outcome {
  error?: string;
  latencyMs: number;
  commands: number;
  reason?: string;
  rssKiB?: number;
}

const REPLY = '200 result=1\n';
const scripts = new Set<ChildProcess>();

/** `SET VARIABLE "CALLFILTER_REASON" "unknown"` (ours) or `SET VARIABLE CALLFILTER_REASON "unknown"` (peers). */
function variableOf(line: string): { name: string; value: string } | undefined {
  const m = /^SET VARIABLE "?([^" ]+)"? "(.*)"$/.exec(line);
  return m ? { name: m[1] as string, value: m[2] as string } : undefined;
}

function vmRssKiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Answers command lines; returns what the call told us so far. */
function commandHandler(reply: (line: string) => void, onAction?: () => void) {
  let pending = '';
  const state = { commands: 0, reason: undefined as string | undefined, action: false };
  const onData = (chunk: string): void => {
    pending += chunk;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      state.commands++;
      const v = variableOf(line);
      if (v?.name === 'CALLFILTER_REASON') state.reason = v.value;
      if (v?.name === 'CALLFILTER_ACTION') {
        state.action = true;
        onAction?.();
      }
      reply(REPLY);
    }
  };
  return { state, onData };
}

function tcpCall(target: Extract<Target, { kind: 'tcp' }>, env: string[], timeoutMs: number): Promise<Outcome> {
  // env: the lines to write, one write each (a single element when the job writes the block at once)
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect({ host: target.host, port: target.port, noDelay: true, allowHalfOpen: true });
    const { state, onData } = commandHandler((line) => socket.write(line));
    let done = false;
    const finish = (error: string | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const out: Outcome = { latencyMs: performance.now() - started, commands: state.commands };
      if (error) out.error = error;
      if (state.reason) out.reason = state.reason;
      resolve(out);
    };
    const timer = setTimeout(() => {
      finish('timeout');
      socket.destroy();
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      for (const piece of env) socket.write(piece);
    });
    socket.on('data', onData);
    socket.on('end', () => {
      finish(state.action ? undefined : 'closed without CALLFILTER_ACTION');
      socket.end('HANGUP\n'); // run_agi(): EOF, then a last HANGUP (AGISIGHUP) and close
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    socket.on('close', () => finish('closed before the server ended the session'));
  });
}

function spawnCall(
  target: Extract<Target, { kind: 'spawn' }>,
  env: string[],
  timeoutMs: number,
  sampleRss: boolean,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(target.command, target.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    scripts.add(child);
    let rssKiB: number | undefined;
    // The script waits for our reply to its last command: the moment its memory is at its largest.
    const { state, onData } = commandHandler(
      (line) => child.stdin?.write(line),
      sampleRss ? () => (rssKiB = vmRssKiB(child.pid)) : undefined,
    );
    let latencyMs: number | undefined;
    let stderr = '';
    let done = false;
    const finish = (error: string | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      scripts.delete(child);
      const out: Outcome = { latencyMs: latencyMs ?? performance.now() - started, commands: state.commands };
      if (error) out.error = error;
      if (state.reason) out.reason = state.reason;
      if (rssKiB !== undefined) out.rssKiB = rssKiB;
      resolve(out);
    };
    const timer = setTimeout(() => {
      finish('timeout');
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdin?.on('error', () => {}); // EPIPE when the script is gone: its exit code tells
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', onData);
    child.stdout?.on('end', () => {
      latencyMs = performance.now() - started; // Asterisk continues the dialplan at EOF
      child.stdin?.end('HANGUP\n');
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(0, 400)));
    child.on('error', (err) => finish(err.message));
    child.on('close', (code) =>
      finish(
        code !== 0 ? `exit ${code}: ${stderr.trim()}` : state.action ? undefined : 'exited without CALLFILTER_ACTION',
      ),
    );
    for (const piece of env) child.stdin?.write(piece);
  });
}

async function runJob(job: LoadJob): Promise<LoadResult> {
  const next = createCallerMix(job.seed, FULL_SIZE);
  const envTarget: EnvTarget =
    job.target.kind === 'tcp'
      ? { request: `agi://${job.target.host}:${job.target.port}/screen`, network: true }
      : { request: job.target.request, network: false };
  let seq = job.seed * 1_000_000;
  const latencies: number[] = [];
  const reasons: Record<string, number> = {};
  const errorSamples: string[] = [];
  const rss: number[] = [];
  let errors = 0;
  let commands = 0;
  let completed = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + job.durationMs;
  let lastEnd = t0;

  const callOnce = async (): Promise<void> => {
    const call: CallSpec = next();
    seq++;
    const lines = environmentLines(call, seq, envTarget);
    const env = job.envWrites === 'lines' ? lines : [lines.join('')];
    const o =
      job.target.kind === 'tcp'
        ? await tcpCall(job.target, env, job.callTimeoutMs)
        : await spawnCall(job.target, env, job.callTimeoutMs, job.sampleRssEvery > 0 && seq % job.sampleRssEvery === 0);
    const now = performance.now();
    lastEnd = Math.max(lastEnd, now);
    completed++;
    if (o.rssKiB !== undefined) rss.push(o.rssKiB);
    if (o.error) {
      errors++;
      if (errorSamples.length < MAX_ERROR_SAMPLES) errorSamples.push(`${call.category} ${call.callerid}: ${o.error}`);
    } else {
      latencies.push(o.latencyMs);
      commands += o.commands;
      const reason = o.reason ?? '(none)';
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
    if (job.progressEvery > 0 && completed % job.progressEvery === 0) send({ type: 'progress', completed });
  };

  let dropped = 0;
  const lags: number[] = [];
  if (job.mode === 'closed') {
    let started = 0;
    const worker = async (): Promise<void> => {
      while (performance.now() < deadline && started < job.maxCalls) {
        started++;
        await callOnce();
      }
    };
    await Promise.all(Array.from({ length: job.concurrency }, worker));
  } else {
    await new Promise<void>((resolve) => {
      const interval = 1000 / job.rate;
      let i = 0;
      let inFlight = 0;
      let arriving = true;
      const tick = (): void => {
        const now = performance.now();
        while (arriving && t0 + i * interval <= now) {
          const scheduled = t0 + i * interval;
          i++;
          if (i * interval >= job.durationMs || i >= job.maxCalls) arriving = false;
          if (inFlight >= job.maxInFlight) {
            dropped++;
            continue;
          }
          lags.push(performance.now() - scheduled);
          inFlight++;
          void callOnce().finally(() => {
            inFlight--;
            if (!arriving && inFlight === 0) resolve();
          });
        }
        if (arriving) setTimeout(tick, 1);
        else if (inFlight === 0) resolve();
      };
      tick();
    });
  }

  const elapsedMs = lastEnd - t0;
  const ok = latencies.length;
  const result: LoadResult = {
    calls: ok,
    errors,
    errorSamples,
    dropped,
    elapsedMs,
    // Every call over the time from the first start to the last end. For a fast server the tail (the calls open at
    // the deadline) is a few ms; for the per-call script, whose calls outlast a short window, it is the only fair count.
    callsPerSec: ok / (elapsedMs / 1000),
    latency: summarize(latencies),
    reasons,
    commandsPerCall: ok ? commands / ok : 0,
    clientCpuMs: (() => {
      const used = process.cpuUsage(cpu0);
      return (used.user + used.system) / 1000;
    })(),
  };
  if (job.mode === 'open') result.lag = summarize(lags);
  result.samples = { latencyMs: latencies, ...(job.mode === 'open' && { lagMs: lags }) };
  if (rss.length > 0)
    result.scriptRssKiB = {
      first: rss[0] as number,
      last: rss.at(-1) as number,
      max: Math.max(...rss),
      samples: rss.length,
    };
  return result;
}

function send(message: ClientMessage): void {
  process.send?.(message);
}

function killScripts(): void {
  for (const child of scripts) child.kill('SIGKILL');
  scripts.clear();
}

process.on('exit', killScripts);
process.on('SIGTERM', () => process.exit(1)); // runs the exit handler, so no script outlives the client
process.on('disconnect', () => {
  killScripts();
  process.exit(1);
});
process.once('message', (job: LoadJob) => {
  runJob(job).then(
    (result) => process.send?.({ type: 'result', result } satisfies ClientMessage, () => process.exit(0)),
    (err: unknown) =>
      process.send?.({ type: 'error', message: String((err as Error).stack ?? err) } satisfies ClientMessage, () =>
        process.exit(1),
      ),
  );
});
