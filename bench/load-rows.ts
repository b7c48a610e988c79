/**
 * The load part of a run: starting the servers under test, the rows (every server × every load, load-major, each row
 * in slices that take turns with the other servers'), and the RSS trend through a fresh instance of our service. Each
 * slice is one job of a fresh load-client process.
 */
import { performance } from 'node:perf_hooks';
import { ENV_VARS } from '../src/config/env-schema.js';
import { deadChannelsStarter } from './dead-channels.js';
import type { LoadJob, LoadResult } from './load-protocol.js';
import { runLoad } from './load-runner.js';
import { mergeResults } from './merge.js';
import { cpuTimes } from './noise.js';
import type { BenchOptions, ServerChoice } from './options.js';
import { NODE_START_TIMEOUT_MS, type PostgresBench } from './pg-node.js';
import { cpuMs, rssMB, rssPartsMB } from './processes.js';
import type { LoadRow, TrendResult } from './report.js';
import { agiScript, type RunningServer, startCallfilter, startDingDong, startFloor } from './servers.js';
import { slope } from './stats.js';

type Log = (line: string) => void;

export const PRODUCTION_LOG_LEVEL = ENV_VARS.find((v) => v.key === 'CALLFILTER_LOG_LEVEL')?.default ?? 'info';
export const OURS = `callfilter (log=${PRODUCTION_LOG_LEVEL})`;
/** Our service as a cluster node on PostgreSQL (`--store postgres`), at the production log level like OURS. */
export const ON_POSTGRES = `callfilter on PostgreSQL (log=${PRODUCTION_LOG_LEVEL})`;
const WARN = 'callfilter (log=warn)';
/** A TCP call that takes this long is stuck; a per-call script under overload may queue for long. */
const TCP_CALL_TIMEOUT_MS = 10_000;
const SCRIPT_CALL_TIMEOUT_MS = 30_000;
const PAUSE_BETWEEN_SLICES_MS = 300;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function job(
  opts: BenchOptions,
  target: RunningServer,
  partial: Partial<LoadJob> & Pick<LoadJob, 'mode' | 'seed'>,
): LoadJob {
  const script = target.target.kind === 'spawn';
  return {
    target: target.target,
    concurrency: 1,
    rate: 0,
    durationMs: 3_600_000,
    maxCalls: Number.MAX_SAFE_INTEGER,
    maxInFlight: 500,
    progressEvery: 0,
    callTimeoutMs: script ? SCRIPT_CALL_TIMEOUT_MS : TCP_CALL_TIMEOUT_MS,
    sampleRssEvery: script ? 25 : 0,
    envWrites: opts.envPerLine ? 'lines' : 'block',
    ...partial,
  };
}

/**
 * The load client is one Asterisk that holds up to 500 calls at once (c=500, and the open-loop rows), five times
 * the per-address cap a real one needs: the bench lifts it to the connection cap.
 */
const BENCH_ENV = { CALLFILTER_AGI_MAX_PER_ADDRESS: '1000' };

/** The other build of an A/B run (`--against`), with its own copy of the database (its schema may differ). */
export interface AgainstServer {
  name: string;
  dataDir: string;
  build: { root: string; nodeFlags: readonly string[] };
}

export async function startServers(
  opts: BenchOptions,
  dataDir: string,
  dbFile: string,
  profileDir: string | undefined,
  against?: AgainstServer,
  postgres?: PostgresBench,
): Promise<RunningServer[]> {
  const servers: RunningServer[] = [];
  const prof = { env: BENCH_ENV, ...(profileDir && { cpuProfDir: profileDir }) };
  // Its copy of the database is taken now, before any server has the file open.
  const deadChannels = opts.servers.includes('callfilter-dead-channels')
    ? deadChannelsStarter(dbFile, prof)
    : undefined;
  const starters: Record<ServerChoice, () => Promise<RunningServer>> = {
    floor: startFloor,
    callfilter: () => startCallfilter({ name: OURS, dataDir, ...prof }),
    'callfilter-dead-channels': () => (deadChannels as () => Promise<RunningServer>)(),
    'callfilter-warn': () => startCallfilter({ name: WARN, dataDir, logLevel: 'warn', ...prof }),
    'ding-dong': () => startDingDong(dbFile, profileDir),
    'agi-script': async () => agiScript(dbFile),
  };
  for (const choice of opts.servers) {
    servers.push(await starters[choice]());
    // Right after ours, so the two builds' slices follow each other in every round.
    if (choice === 'callfilter' && against)
      servers.push(
        await startCallfilter({ name: against.name, dataDir: against.dataDir, build: against.build, ...prof }),
      );
    if (choice === 'callfilter' && postgres) {
      const node = await startCallfilter({
        name: ON_POSTGRES,
        dataDir: postgres.dataDir,
        ...prof,
        env: { ...prof.env, ...postgres.env },
        startTimeoutMs: NODE_START_TIMEOUT_MS,
      });
      servers.push({ ...node, databaseCpuMs: postgres.cpuMs });
    }
  }
  return servers;
}

export async function loadRows(opts: BenchOptions, servers: RunningServer[], log: Log): Promise<LoadRow[]> {
  const rssStart = new Map<RunningServer, number | undefined>();
  for (const s of servers) rssStart.set(s, s.pid === undefined ? undefined : rssMB(s.pid));
  for (const [k, s] of servers.entries()) {
    const calls = s.kind === 'agi-script' ? Math.ceil(opts.warmupCalls / 10) : opts.warmupCalls;
    log(`warming up ${s.name} (${calls} calls)`);
    await runLoad(job(opts, s, { mode: 'closed', concurrency: 8, maxCalls: calls, seed: 900 + k }));
  }
  const loads: Pick<LoadJob, 'mode' | 'concurrency' | 'rate' | 'durationMs'>[] = [
    ...opts.concurrency.map((c) => ({ mode: 'closed' as const, concurrency: c, rate: 0, durationMs: opts.durationMs })),
    // No arrivals at all would be a row that never ends: --rate=0 leaves it out.
    ...(opts.rate > 0
      ? [{ mode: 'open' as const, concurrency: 0, rate: opts.rate, durationMs: opts.openDurationMs }]
      : []),
  ];
  const rows: LoadRow[] = [];
  // Load-major order, and each row in `rounds` slices that take turns (merge.ts): every server meets the machine's
  // slow spells alike. Each slice has its own seed: the same mix, but not the same numbers — the servers share the
  // call log, and a number called again within five minutes would turn into a repeat caller for the next server.
  for (const [i, load] of loads.entries()) {
    const name = load.mode === 'closed' ? `c=${load.concurrency}` : `${load.rate}/s`;
    // The second log level is a side measurement: the light loads only. So is the per-call script in a quick run:
    // at c=500 and 1000/s it spawns hundreds of processes and runs into its timeouts.
    const light = load.mode === 'closed' && load.concurrency <= 50;
    const runs = servers
      .map((s, k) => ({
        s,
        k,
        slices: [] as LoadResult[],
        sliceCpu: [] as number[],
        serverCpuMs: 0 as number | undefined,
        sliceDbCpu: [] as number[],
        dbCpuMs: 0 as number | undefined,
        busyMs: 0,
        coreMs: 0,
        stealTicks: 0,
        ticks: 0,
      }))
      .filter(({ s }) => light || !(s.name === WARN || (opts.quick && s.kind === 'agi-script')));
    const sliceMs = Math.max(1, Math.round(load.durationMs / opts.rounds));
    for (let round = 0; round < opts.rounds; round++) {
      for (const run of runs) {
        const { s } = run;
        await sleep(PAUSE_BETWEEN_SLICES_MS);
        const machine0 = cpuTimes();
        const cpu0 = s.pid === undefined ? undefined : cpuMs(s.pid);
        const db0 = s.databaseCpuMs?.();
        const result = await runLoad(
          job(opts, s, { ...load, durationMs: sliceMs, seed: opts.seed * 100_000 + i * 1_000 + round * 10 + run.k }),
        );
        const db1 = s.databaseCpuMs?.();
        const cpu1 = s.pid === undefined ? undefined : cpuMs(s.pid);
        const machine1 = cpuTimes();
        run.slices.push(result);
        const sliceCalls = result.calls + result.errors;
        if (cpu0 !== undefined && cpu1 !== undefined && sliceCalls > 0)
          run.sliceCpu.push(((cpu1 - cpu0) * 1000) / sliceCalls);
        if (db0 !== undefined && db1 !== undefined && sliceCalls > 0)
          run.sliceDbCpu.push(((db1 - db0) * 1000) / sliceCalls);
        run.dbCpuMs =
          db0 !== undefined && db1 !== undefined && run.dbCpuMs !== undefined ? run.dbCpuMs + db1 - db0 : undefined;
        run.serverCpuMs =
          cpu0 !== undefined && cpu1 !== undefined && run.serverCpuMs !== undefined
            ? run.serverCpuMs + cpu1 - cpu0
            : undefined;
        if (machine0 && machine1 && machine1.total > machine0.total) {
          // /proc/stat counts 10 ms ticks summed over all cores.
          run.busyMs += (machine1.total - machine0.total - (machine1.idle - machine0.idle)) * 10;
          run.coreMs += (machine1.total - machine0.total) * 10;
          run.stealTicks += machine1.steal - machine0.steal;
          run.ticks += machine1.total - machine0.total;
        }
      }
    }
    for (const run of runs) {
      const { s } = run;
      const result = mergeResults(run.slices);
      const row: LoadRow = {
        server: s.name,
        kind: s.kind,
        load: name,
        mode: load.mode,
        concurrency: load.concurrency,
        rate: load.rate,
        result,
      };
      row.slices = run.slices.map((r, i) => ({
        callsPerSec: r.callsPerSec,
        p99: r.latency.p99,
        ...(run.sliceCpu[i] !== undefined && { serverCpuUsPerCall: run.sliceCpu[i] }),
        ...(run.sliceDbCpu[i] !== undefined && { postgresCpuUsPerCall: run.sliceDbCpu[i] }),
      }));
      const calls = result.calls + result.errors;
      if (run.serverCpuMs !== undefined && s.pid !== undefined && calls > 0)
        row.serverCpuUsPerCall = (run.serverCpuMs * 1000) / calls;
      if (calls > 0) row.clientCpuUsPerCall = (result.clientCpuMs * 1000) / calls;
      const dbCpuMs = s.databaseCpuMs ? run.dbCpuMs : undefined;
      if (dbCpuMs !== undefined && calls > 0) row.postgresCpuUsPerCall = (dbCpuMs * 1000) / calls;
      if (run.coreMs > 0) {
        row.otherCpuPct = Math.max(
          0,
          (100 * (run.busyMs - (run.serverCpuMs ?? 0) - (dbCpuMs ?? 0) - result.clientCpuMs)) / run.coreMs,
        );
        row.stealPct = (100 * run.stealTicks) / run.ticks;
      }
      rows.push(row);
      log(
        `  ${s.name.padEnd(24)} ${name.padEnd(7)} ${result.callsPerSec.toFixed(0).padStart(6)} calls/s  p99 ${result.latency.p99.toFixed(2)} ms` +
          `${result.errors ? `  ${result.errors} errors: ${result.errorSamples[0]}` : ''}${result.dropped ? `  ${result.dropped} dropped` : ''}`,
      );
    }
  }
  for (const s of servers) {
    const end = s.pid === undefined ? undefined : rssMB(s.pid);
    const scriptRss = (r: LoadRow) => r.result.scriptRssKiB;
    for (const r of rows.filter((x) => x.server === s.name)) {
      if (s.kind === 'agi-script') {
        const own = rows.filter((x) => x.server === s.name && scriptRss(x));
        const first = own[0] ? scriptRss(own[0]) : undefined;
        const last = own.at(-1) ? scriptRss(own.at(-1) as LoadRow) : undefined;
        if (first) r.rssStartMB = (first.first * 1024) / 1e6;
        if (last) r.rssEndMB = (last.last * 1024) / 1e6;
        r.rssPerCall = true;
      } else {
        const start = rssStart.get(s);
        if (start !== undefined) r.rssStartMB = start;
        if (end !== undefined) r.rssEndMB = end;
      }
    }
  }
  return rows;
}

export async function rssTrend(opts: BenchOptions, dataDir: string, log: Log): Promise<TrendResult> {
  const server = await startCallfilter({ name: `${OURS} trend`, dataDir, env: BENCH_ENV });
  try {
    const pid = server.pid as number;
    const calls = [0];
    const rss = [rssMB(pid) ?? NaN];
    const parts = [rssPartsMB(pid)];
    log(
      `RSS trend: ${opts.trendCalls.toLocaleString('en')} calls at c=50 through a fresh ${OURS}, sampled every ${opts.trendEvery.toLocaleString('en')}`,
    );
    const started = performance.now();
    const result = await runLoad(
      job(opts, server, {
        mode: 'closed',
        concurrency: 50,
        maxCalls: opts.trendCalls,
        progressEvery: opts.trendEvery,
        seed: opts.seed * 1000 + 500,
      }),
      (completed) => {
        calls.push(completed);
        rss.push(rssMB(pid) ?? NaN);
        const p = rssPartsMB(pid);
        parts.push(p);
        log(
          `  ${completed.toLocaleString('en').padStart(9)} calls  RSS ${(rss.at(-1) as number).toFixed(1)} MB${p ? ` (anon ${p.anon.toFixed(1)}, file ${p.file.toFixed(1)}, shmem ${p.shmem.toFixed(1)})` : ''}`,
        );
      },
    );
    const elapsed = (performance.now() - started) / 1000;
    const from = calls.findIndex((c) => c >= 0.4 * opts.trendCalls);
    const s = slope(calls.slice(from), rss.slice(from));
    return {
      calls,
      rssMB: rss,
      partsMB: parts,
      slopeMBPer100k: s * 100_000,
      finalMB: rss.at(-1) as number,
      peakMB: Math.max(...rss),
      callsPerSec: (result.calls + result.errors) / elapsed,
      errors: result.errors,
    };
  } finally {
    await server.stop();
  }
}
