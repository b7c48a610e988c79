/**
 * `npm run bench`: one run, side by side on one machine, so its noise cancels out — our service against the TCP
 * floor and two peers, plus the in-process decision time, the RSS trend over many calls and a big CSV import.
 * Prints a table and the targets (PASS/FAIL from this run's numbers) and writes bench/results/<timestamp>.json.
 * Fields are explained in bench/results/README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SERVICE_NODE_FLAGS } from '../src/node-flags.js';
import { compareRows, formatAb } from './ab-report.js';
import { buildRef, importFromRef, type RefBuild } from './against.js';
import { copyToTempDataDir, ensureDatabase } from './build-db.js';
import { formatDeadChannels } from './dead-channels.js';
import { type DecisionResult, measureDecision } from './decision.js';
import { type ImportResult, measureImport } from './import-bench.js';
import {
  type AgainstServer,
  loadRows,
  ON_POSTGRES,
  OURS,
  PRODUCTION_LOG_LEVEL,
  rssTrend,
  startServers,
} from './load-rows.js';
import { formatMemoryIndex, type MemoryIndexResult, measureMemoryIndex } from './memory-index.js';
import { cpuShare, cpuTimes, formatNoise, type Noise, probeNoise } from './noise.js';
import { parseOptions } from './options.js';
import { formatPostgres, type PostgresBench, postgresTargets, preparePostgres } from './pg-node.js';
import { installCleanup, removeNow, stopAll } from './processes.js';
import { formatProfile, summarizeProfile } from './profile-summary.js';
import { checkTargets, formatTable, formatTargets, type LoadRow, type TrendResult } from './report.js';
import { PYTHON, ROOT } from './servers.js';
import { type Summary, summarize } from './stats.js';

const log = (line: string): void => void process.stdout.write(`${line}\n`);

/** What our service logged as its own decision time (latency_us: classify, look up, decide — before the log write) under load. */
function loggedLatency(dbFile: string, afterId: number): Summary | undefined {
  const db = new BetterSqlite3(dbFile, { readonly: true });
  try {
    const values = db
      .prepare('SELECT latency_us FROM calls WHERE id > ? AND explanation IS NOT NULL AND latency_us IS NOT NULL')
      .pluck()
      .all(afterId) as number[];
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

/** The other build of an A/B run: built, its own database copy (its schema may differ from ours), its Node flags. */
async function prepareAgainst(
  ref: string,
  resultsDir: string,
  opts: ReturnType<typeof parseOptions>,
): Promise<{ build: RefBuild; server: AgainstServer }> {
  log(`A/B: building ${ref}`);
  const build = buildRef(ref, log);
  const flags = await importFromRef<{ SERVICE_NODE_FLAGS?: readonly string[] }>(build, 'dist/src/node-flags.js').catch(
    () => ({ SERVICE_NODE_FLAGS: undefined }),
  );
  const theirDb = await (
    await importFromRef<typeof import('./build-db.js')>(build, 'dist/bench/build-db.js')
  ).ensureDatabase(resultsDir, opts.size, log);
  const copy = copyToTempDataDir(theirDb.cached);
  return {
    build,
    server: {
      name: build.name,
      dataDir: copy.dataDir,
      build: { root: build.root, nodeFlags: flags.SERVICE_NODE_FLAGS ?? SERVICE_NODE_FLAGS },
    },
  };
}

/** Two halves' summaries as one (their mean): the builds' decision loops take turns, half the calls at a time. */
function meanOfHalves(a: DecisionResult, b: DecisionResult): DecisionResult {
  const mean = (x: Summary, y: Summary): Summary => ({
    n: x.n + y.n,
    mean: (x.mean + y.mean) / 2,
    p50: (x.p50 + y.p50) / 2,
    p95: (x.p95 + y.p95) / 2,
    p99: (x.p99 + y.p99) / 2,
    max: Math.max(x.max, y.max),
  });
  return {
    calls: a.calls + b.calls,
    total: mean(a.total, b.total),
    evaluate: mean(a.evaluate, b.evaluate),
    insert: mean(a.insert, b.insert),
    p99ByCategory: a.p99ByCategory,
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
  let postgres: PostgresBench | undefined;
  installCleanup();
  log(
    `callfilter bench ${opts.quick ? '(quick) ' : ''}— ${os.cpus().length} cores, node ${process.version}; our service at log level ${PRODUCTION_LOG_LEVEL} (the production default)`,
  );

  const machineAtStart = cpuTimes();
  const noise: Record<string, Noise> = {};
  const probe = (when: string) => {
    noise[when] = probeNoise();
    log(
      `machine ${when}: ${formatNoise(noise[when] as Noise)}${(noise[when] as Noise).load1 > 1 ? '  ← other work is running: expect noisy tails' : ''}`,
    );
  };
  try {
    probe('at start');
    const db = await ensureDatabase(resultsDir, opts.size, log);
    log(
      `database: ${db.fromCache ? 'cached' : 'built'} ${db.cached} (${(db.bytes / 1e6).toFixed(0)} MB, schema ${db.schemaVersion})`,
    );
    const copy = copyToTempDataDir(db.cached);
    dataDir = copy.dataDir;
    const against = opts.against === undefined ? undefined : await prepareAgainst(opts.against, resultsDir, opts);

    let decision: DecisionResult | undefined;
    let theirDecision: DecisionResult | undefined;
    if (!opts.skip.has('decision')) {
      log(
        `in-process decision: ${opts.decisionCalls.toLocaleString('en')} calls of screenCall() (classify, look up, decide, log the row)`,
      );
      const measure = { warmup: Math.min(5_000, Math.ceil(opts.decisionCalls / 5)), seed: opts.seed * 1000 + 700 };
      if (against) {
        // Half the calls each, taking turns (ours, theirs, ours, theirs), so a slow spell falls on both.
        const theirs = await importFromRef<typeof import('./decision.js')>(against.build, 'dist/bench/decision.js');
        const half = Math.ceil(opts.decisionCalls / 2);
        const a1 = await measureDecision(copy.dataDir, { ...measure, calls: half });
        const b1 = await theirs.measureDecision(against.server.dataDir, { ...measure, calls: half });
        const a2 = await measureDecision(copy.dataDir, { ...measure, calls: half, seed: measure.seed + 1 });
        const b2 = await theirs.measureDecision(against.server.dataDir, {
          ...measure,
          calls: half,
          seed: measure.seed + 1,
        });
        decision = meanOfHalves(a1, a2);
        theirDecision = meanOfHalves(b1, b2);
        log(
          `  ${against.build.name}: p50 ${theirDecision.total.p50.toFixed(1)} µs, p99 ${theirDecision.total.p99.toFixed(1)} µs`,
        );
      } else {
        decision = await measureDecision(copy.dataDir, { ...measure, calls: opts.decisionCalls });
      }
      log(
        `  p50 ${decision.total.p50.toFixed(1)} µs, p99 ${decision.total.p99.toFixed(1)} µs (evaluate p99 ${decision.evaluate.p99.toFixed(1)}, insert p99 ${decision.insert.p99.toFixed(1)})`,
      );
    }

    let memoryIndex: MemoryIndexResult | undefined;
    if (opts.store === 'postgres' && !opts.skip.has('decision')) {
      log(
        `decision from the in-memory index (as a node on PostgreSQL screens): ${opts.decisionCalls.toLocaleString('en')} calls after loading the whole database into it`,
      );
      memoryIndex = measureMemoryIndex(db.cached, { calls: opts.decisionCalls, size: opts.size });
      log(
        `  ${memoryIndex.entries.toLocaleString('en')} entries loaded in ${(memoryIndex.loadMs / 1000).toFixed(1)} s, ${memoryIndex.heapMB.toFixed(0)} MB of heap; p50 ${memoryIndex.decision.p50.toFixed(1)} µs, p99 ${memoryIndex.decision.p99.toFixed(1)} µs`,
      );
      // The index is garbage now: gone before the load rows, so the bench process's heap stays small while they run.
      (globalThis as { gc?: () => void }).gc?.();
    }

    let rows: LoadRow[] = [];
    let logged: Summary | undefined;
    let loggedOnPostgres: Summary | undefined;
    /** Which server a profile file is of: node names it CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile. */
    const profiled = new Map<string, string>();
    if (!opts.skip.has('load')) {
      const before = maxCallId(copy.dbFile);
      if (opts.store === 'postgres') postgres = await preparePostgres(db.cached, log);
      try {
        const servers = await startServers(opts, copy.dataDir, copy.dbFile, profileDir, against?.server, postgres);
        for (const s of servers) if (s.pid !== undefined) profiled.set(String(s.pid), s.name);
        try {
          rows = await loadRows(opts, servers, log);
        } finally {
          for (const s of servers) await s.stop();
        }
        loggedOnPostgres = await postgres?.loggedLatency().catch((err: unknown) => {
          log(`the node on PostgreSQL: its logged decision times could not be read: ${(err as Error).message}`);
          return undefined;
        });
      } finally {
        await postgres?.close();
      }
      logged = loggedLatency(copy.dbFile, before);
    }

    probe('after the load rows');
    let trend: TrendResult | undefined;
    if (!opts.skip.has('trend')) trend = await rssTrend(opts, copy.dataDir, log);

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
    if (opts.store === 'postgres') targets.push(...postgresTargets(rows, OURS, ON_POSTGRES, memoryIndex));

    log('');
    if (rows.length) log(formatTable(rows));
    const dead = formatDeadChannels(rows, OURS);
    if (dead) log(`\n${dead}`);
    const onPostgres = formatPostgres(rows, OURS, ON_POSTGRES);
    if (onPostgres) log(`\n${onPostgres}`);
    log('');
    if (decision)
      log(
        `in-process decision (evaluate + log write, ${decision.calls} calls): p50 ${decision.total.p50.toFixed(1)} µs, p95 ${decision.total.p95.toFixed(1)} µs, p99 ${decision.total.p99.toFixed(1)} µs; evaluate alone p99 ${decision.evaluate.p99.toFixed(1)} µs, insert alone p99 ${decision.insert.p99.toFixed(1)} µs`,
      );
    if (memoryIndex) log(formatMemoryIndex(memoryIndex));
    if (logged)
      log(
        `decision time our service logged under load (latency_us, evaluate only): p50 ${logged.p50} µs, p99 ${logged.p99} µs over ${logged.n} calls`,
      );
    if (loggedOnPostgres)
      log(
        `decision time the node on PostgreSQL logged under load (latency_us, evaluate only): p50 ${loggedOnPostgres.p50} µs, p99 ${loggedOnPostgres.p99} µs over ${loggedOnPostgres.n} calls`,
      );
    if (trend)
      log(
        `RSS trend: ${trend.rssMB.map((r, i) => `${(trend.calls[i] as number) / 1000}k:${r.toFixed(0)}`).join(' ')} MB; slope ${trend.slopeMBPer100k.toFixed(2)} MB/100k calls`,
      );
    if (imported)
      log(
        `import: ${imported.rows.toLocaleString('en')} rows in ${imported.seconds.toFixed(1)} s, peak RSS ${imported.peakRssMB?.toFixed(0)} MB (${imported.method})`,
      );
    const whole = cpuShare(machineAtStart, cpuTimes());
    log(
      `machine during the run: ${whole ? `${whole.busyPct.toFixed(0)} % busy, steal ${whole.stealPct.toFixed(1)} %` : 'n/a'}; ${Object.entries(
        noise,
      )
        .map(([k, n]) => `${k}: ${formatNoise(n)}`)
        .join('; ')}`,
    );
    const ab = against ? compareRows(rows, OURS, against.build.name) : undefined;
    if (against && ab) {
      log('');
      log(
        formatAb(
          ab,
          OURS,
          against.build.name,
          decision && theirDecision ? { ours: decision, theirs: theirDecision } : undefined,
        ),
      );
    }
    log('');
    log('targets:');
    log(formatTargets(targets));

    let profiles: Record<string, unknown> | undefined;
    if (profileDir) {
      profiles = {};
      for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
        const summary = summarizeProfile(join(profileDir, file), 20);
        profiles[file] = summary;
        const [pid = '', thread = '0'] = file.split('.').slice(3, 5);
        const of = `${profiled.get(pid) ?? `pid ${pid}`}, ${thread === '0' ? 'main thread' : `thread ${thread}`}`;
        log(`\nprofile ${join(profileDir, file)} (${of}):\n${formatProfile(summary)}`);
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
          database: {
            file: db.cached,
            fromCache: db.fromCache,
            buildMs: db.buildMs,
            bytes: db.bytes,
            size: db.size,
            schemaVersion: db.schemaVersion,
            copyBytes: statSync(copy.dbFile).size,
          },
          rows,
          decision,
          loggedDecisionUs: logged,
          ...(opts.store === 'postgres' && {
            postgres: {
              node: ON_POSTGRES,
              copy: postgres?.copy,
              loggedDecisionUs: loggedOnPostgres,
              memoryIndex,
            },
          }),
          trend,
          import: imported,
          targets,
          ...(against && {
            against: {
              ref: against.build.ref,
              commit: against.build.commit,
              name: against.build.name,
              decision: theirDecision,
              comparison: ab,
            },
          }),
          profiles,
        },
        null,
        2,
      )}\n`,
    );
    log(`\nresults: ${file} (${((finished.getTime() - started.getTime()) / 1000).toFixed(0)} s)`);
  } finally {
    await stopAll();
    await postgres?.close();
    if (dataDir) removeNow(dataDir);
    if (postgres) removeNow(postgres.dataDir);
  }
}

main().catch(async (err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  await stopAll();
  process.exit(1);
});
