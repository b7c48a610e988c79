/**
 * `npm run bench`: one run, side by side on one machine, so its noise cancels out — our service against the TCP
 * floor and two peers, plus the in-process decision time, the RSS trend over many calls and a big CSV import.
 * Prints a table and the targets (PASS/FAIL from this run's numbers) and writes bench/results/<timestamp>.json.
 * Fields are explained in bench/results/README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { ENV_VARS } from '../src/config/env-schema.js';
import { copyToTempDataDir, ensureDatabase } from './build-db.js';
import { measureDecision, type DecisionResult } from './decision.js';
import { measureImport, type ImportResult } from './import-bench.js';
import type { LoadJob } from './load-protocol.js';
import { runLoad } from './load-runner.js';
import { parseOptions, type BenchOptions, type ServerChoice } from './options.js';
import { cpuShare, cpuTimes, formatNoise, probeNoise, type Noise } from './noise.js';
import { cpuMs, installCleanup, removeNow, rssMB, rssPartsMB, stopAll } from './processes.js';
import { formatProfile, summarizeProfile } from './profile-summary.js';
import { checkTargets, formatTable, formatTargets, type LoadRow, type TrendResult } from './report.js';
import { agiScript, PYTHON, ROOT, startCallfilter, startDingDong, startFloor, type RunningServer } from './servers.js';
import { slope, summarize, type Summary } from './stats.js';

const log = (line: string): void => void process.stdout.write(`${line}\n`);
const PRODUCTION_LOG_LEVEL = ENV_VARS.find((v) => v.key === 'CALLFILTER_LOG_LEVEL')?.default ?? 'info';
const OURS = `callfilter (log=${PRODUCTION_LOG_LEVEL})`;
const WARN = 'callfilter (log=warn)';
/** A TCP call that takes this long is stuck; a per-call script under overload may queue for long. */
const TCP_CALL_TIMEOUT_MS = 10_000;
const SCRIPT_CALL_TIMEOUT_MS = 30_000;
const PAUSE_BETWEEN_ROWS_MS = 500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function job(opts: BenchOptions, target: RunningServer, partial: Partial<LoadJob> & Pick<LoadJob, 'mode' | 'seed'>): LoadJob {
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

async function startServers(opts: BenchOptions, dataDir: string, dbFile: string, profileDir: string | undefined): Promise<RunningServer[]> {
  const servers: RunningServer[] = [];
  const prof = profileDir ? { cpuProfDir: profileDir } : {};
  const starters: Record<ServerChoice, () => Promise<RunningServer>> = {
    floor: startFloor,
    callfilter: () => startCallfilter({ name: OURS, dataDir, ...prof }),
    'callfilter-warn': () => startCallfilter({ name: WARN, dataDir, logLevel: 'warn', ...prof }),
    'ding-dong': () => startDingDong(dbFile),
    'agi-script': async () => agiScript(dbFile),
  };
  for (const choice of opts.servers) servers.push(await starters[choice]());
  return servers;
}

async function loadRows(opts: BenchOptions, servers: RunningServer[]): Promise<LoadRow[]> {
  const rssStart = new Map<RunningServer, number | undefined>();
  for (const s of servers) rssStart.set(s, s.pid === undefined ? undefined : rssMB(s.pid));
  for (const [k, s] of servers.entries()) {
    const calls = s.kind === 'agi-script' ? Math.ceil(opts.warmupCalls / 10) : opts.warmupCalls;
    log(`warming up ${s.name} (${calls} calls)`);
    await runLoad(job(opts, s, { mode: 'closed', concurrency: 8, maxCalls: calls, seed: 900 + k }));
  }
  const loads: Pick<LoadJob, 'mode' | 'concurrency' | 'rate' | 'durationMs'>[] = [
    ...opts.concurrency.map((c) => ({ mode: 'closed' as const, concurrency: c, rate: 0, durationMs: opts.durationMs })),
    { mode: 'open' as const, concurrency: 0, rate: opts.rate, durationMs: opts.openDurationMs },
  ];
  const rows: LoadRow[] = [];
  // Load-major order: every server gets each load within a minute of the others. Each (load, server) has its own
  // seed: the same mix, but not the same numbers — the servers share the call log, and a number called again within
  // five minutes would turn into a repeat caller for the next server.
  for (const [i, load] of loads.entries()) {
    const name = load.mode === 'closed' ? `c=${load.concurrency}` : `${load.rate}/s`;
    for (const [k, s] of servers.entries()) {
      // The second log level is a side measurement: the light loads only. So is the per-call script in a quick run:
      // at c=500 and 1000/s it spawns hundreds of processes and runs into its timeouts.
      const light = load.mode === 'closed' && load.concurrency <= 50;
      if (!light && (s.name === WARN || (opts.quick && s.kind === 'agi-script'))) continue;
      await sleep(PAUSE_BETWEEN_ROWS_MS);
      const machine0 = cpuTimes();
      const cpu0 = s.pid === undefined ? undefined : cpuMs(s.pid);
      const result = await runLoad(job(opts, s, { ...load, seed: opts.seed * 1000 + i * 10 + k }));
      const cpu1 = s.pid === undefined ? undefined : cpuMs(s.pid);
      const machine1 = cpuTimes();
      const row: LoadRow = { server: s.name, kind: s.kind, load: name, mode: load.mode, concurrency: load.concurrency, rate: load.rate, result };
      const calls = result.calls + result.errors;
      if (cpu0 !== undefined && cpu1 !== undefined && calls > 0) row.serverCpuUsPerCall = ((cpu1 - cpu0) * 1000) / calls;
      if (calls > 0) row.clientCpuUsPerCall = (result.clientCpuMs * 1000) / calls;
      const share = cpuShare(machine0, machine1);
      if (share && machine0 && machine1) {
        // /proc/stat counts 10 ms ticks summed over all cores.
        const busyMs = (machine1.total - machine0.total - (machine1.idle - machine0.idle)) * 10;
        const coreMs = (machine1.total - machine0.total) * 10;
        row.otherCpuPct = Math.max(0, (100 * (busyMs - (cpu1 ?? 0) + (cpu0 ?? 0) - result.clientCpuMs)) / coreMs);
        row.stealPct = share.stealPct;
      }
      rows.push(row);
      log(`  ${s.name.padEnd(24)} ${name.padEnd(7)} ${result.callsPerSec.toFixed(0).padStart(6)} calls/s  p99 ${result.latency.p99.toFixed(2)} ms` +
        `${result.errors ? `  ${result.errors} errors: ${result.errorSamples[0]}` : ''}${result.dropped ? `  ${result.dropped} dropped` : ''}`);
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

async function rssTrend(opts: BenchOptions, dataDir: string): Promise<TrendResult> {
  const server = await startCallfilter({ name: `${OURS} trend`, dataDir });
  try {
    const pid = server.pid as number;
    const calls = [0];
    const rss = [rssMB(pid) ?? NaN];
    const parts = [rssPartsMB(pid)];
    log(`RSS trend: ${opts.trendCalls.toLocaleString('en')} calls at c=50 through a fresh ${OURS}, sampled every ${opts.trendEvery.toLocaleString('en')}`);
    const started = performance.now();
    const result = await runLoad(job(opts, server, { mode: 'closed', concurrency: 50, maxCalls: opts.trendCalls, progressEvery: opts.trendEvery, seed: opts.seed * 1000 + 500 }), (completed) => {
      calls.push(completed);
      rss.push(rssMB(pid) ?? NaN);
      const p = rssPartsMB(pid);
      parts.push(p);
      log(`  ${completed.toLocaleString('en').padStart(9)} calls  RSS ${(rss.at(-1) as number).toFixed(1)} MB${p ? ` (anon ${p.anon.toFixed(1)}, file ${p.file.toFixed(1)}, shmem ${p.shmem.toFixed(1)})` : ''}`);
    });
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

/** What our service logged as its own decision time (latency_us: evaluate(), before the log write) under load. */
function loggedLatency(dbFile: string, afterId: number): Summary | undefined {
  const db = new BetterSqlite3(dbFile, { readonly: true });
  try {
    const values = db.prepare('SELECT latency_us FROM calls WHERE id > ? AND explanation IS NOT NULL AND latency_us IS NOT NULL').pluck().all(afterId) as number[];
    return values.length ? summarize(values) : undefined;
  } finally {
    db.close();
  }
}

function maxCallId(dbFile: string): number {
  const db = new BetterSqlite3(dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT coalesce(max(id), 0) FROM calls').pluck().get() as number) ?? 0;
  } finally {
    db.close();
  }
}

function machine() {
  const version = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  };
  const mem = new BetterSqlite3(':memory:');
  const sqlite = mem.prepare('SELECT sqlite_version()').pluck().get() as string;
  mem.close();
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryMB: Math.round(os.totalmem() / 1e6),
    kernel: os.release(),
    node: process.version,
    python: version(PYTHON, ['--version']),
    pythonSqlite: version(PYTHON, ['-c', 'import sqlite3; print(sqlite3.sqlite_version)']),
    sqlite,
    loadAverage: os.loadavg(),
  };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const started = new Date();
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const profileDir = opts.cpuProf ? join(resultsDir, `profiles-${stamp}`) : undefined;
  let dataDir: string | undefined;
  installCleanup();
  log(`callfilter bench ${opts.quick ? '(quick) ' : ''}— ${os.cpus().length} cores, node ${process.version}; our service at log level ${PRODUCTION_LOG_LEVEL} (the production default)`);

  const machineAtStart = cpuTimes();
  const noise: Record<string, Noise> = {};
  const probe = (when: string) => {
    noise[when] = probeNoise();
    log(`machine ${when}: ${formatNoise(noise[when] as Noise)}${(noise[when] as Noise).load1 > 1 ? '  ← other work is running: expect noisy tails' : ''}`);
  };
  try {
    probe('at start');
    const db = await ensureDatabase(resultsDir, opts.size, log);
    log(`database: ${db.fromCache ? 'cached' : 'built'} ${db.cached} (${(db.bytes / 1e6).toFixed(0)} MB, schema ${db.schemaVersion})`);
    const copy = copyToTempDataDir(db.cached);
    dataDir = copy.dataDir;

    let decision: DecisionResult | undefined;
    if (!opts.skip.has('decision')) {
      log(`in-process decision: ${opts.decisionCalls.toLocaleString('en')} calls of evaluate() + calls.insert()`);
      decision = await measureDecision(copy.dataDir, { calls: opts.decisionCalls, warmup: Math.min(5_000, Math.ceil(opts.decisionCalls / 5)), seed: opts.seed * 1000 + 700 });
      log(`  p50 ${decision.total.p50.toFixed(1)} µs, p99 ${decision.total.p99.toFixed(1)} µs (evaluate p99 ${decision.evaluate.p99.toFixed(1)}, insert p99 ${decision.insert.p99.toFixed(1)})`);
    }

    let rows: LoadRow[] = [];
    let logged: Summary | undefined;
    if (!opts.skip.has('load')) {
      const before = maxCallId(copy.dbFile);
      const servers = await startServers(opts, copy.dataDir, copy.dbFile, profileDir);
      try {
        rows = await loadRows(opts, servers);
      } finally {
        for (const s of servers) await s.stop();
      }
      logged = loggedLatency(copy.dbFile, before);
    }

    probe('after the load rows');
    let trend: TrendResult | undefined;
    if (!opts.skip.has('trend')) trend = await rssTrend(opts, copy.dataDir);

    let imported: ImportResult | undefined;
    if (!opts.skip.has('import')) imported = await measureImport(opts.importRows, log);

    const openLoad = `${opts.rate}/s`;
    const targets = checkTargets({
      rows,
      ours: OURS,
      concurrency: opts.concurrency,
      openLoad,
      ...(decision && { decision }),
      ...(trend && { trend }),
      ...(imported && { imported }),
      importRowsTarget: 1_000_000,
      trendCallsTarget: 200_000,
    });

    log('');
    if (rows.length) log(formatTable(rows));
    log('');
    if (decision) log(`in-process decision (evaluate + log write, ${decision.calls} calls): p50 ${decision.total.p50.toFixed(1)} µs, p95 ${decision.total.p95.toFixed(1)} µs, p99 ${decision.total.p99.toFixed(1)} µs; evaluate alone p99 ${decision.evaluate.p99.toFixed(1)} µs, insert alone p99 ${decision.insert.p99.toFixed(1)} µs`);
    if (logged) log(`decision time our service logged under load (latency_us, evaluate only): p50 ${logged.p50} µs, p99 ${logged.p99} µs over ${logged.n} calls`);
    if (trend) log(`RSS trend: ${trend.rssMB.map((r, i) => `${(trend.calls[i] as number) / 1000}k:${r.toFixed(0)}`).join(' ')} MB; slope ${trend.slopeMBPer100k.toFixed(2)} MB/100k calls`);
    if (imported) log(`import: ${imported.rows.toLocaleString('en')} rows in ${imported.seconds.toFixed(1)} s, peak RSS ${imported.peakRssMB?.toFixed(0)} MB (${imported.method})`);
    const whole = cpuShare(machineAtStart, cpuTimes());
    log(`machine during the run: ${whole ? `${whole.busyPct.toFixed(0)} % busy, steal ${whole.stealPct.toFixed(1)} %` : 'n/a'}; ${Object.entries(noise).map(([k, n]) => `${k}: ${formatNoise(n)}`).join('; ')}`);
    log('');
    log('targets:');
    log(formatTargets(targets));

    let profiles: Record<string, unknown> | undefined;
    if (profileDir) {
      profiles = {};
      const { readdirSync } = await import('node:fs');
      for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
        const summary = summarizeProfile(join(profileDir, file), 20);
        profiles[file] = summary;
        log(`\nprofile ${join(profileDir, file)}:\n${formatProfile(summary)}`);
      }
    }

    const file = join(resultsDir, `${stamp}.json`);
    const finished = new Date();
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          startedAt: started.toISOString(),
          finishedAt: finished.toISOString(),
          seconds: (finished.getTime() - started.getTime()) / 1000,
          machine: { ...machine(), noise, run: whole },
          options: { ...opts, skip: [...opts.skip] },
          logLevel: { ours: PRODUCTION_LOG_LEVEL, productionDefault: PRODUCTION_LOG_LEVEL },
          database: { file: db.cached, fromCache: db.fromCache, buildMs: db.buildMs, bytes: db.bytes, size: db.size, schemaVersion: db.schemaVersion, copyBytes: statSync(copy.dbFile).size },
          rows,
          decision,
          loggedDecisionUs: logged,
          trend,
          import: imported,
          targets,
          profiles,
        },
        null,
        2,
      )}\n`,
    );
    log(`\nresults: ${file} (${((finished.getTime() - started.getTime()) / 1000).toFixed(0)} s)`);
  } finally {
    await stopAll();
    if (dataDir) removeNow(dataDir);
  }
}

main().catch(async (err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  await stopAll();
  process.exit(1);
});
