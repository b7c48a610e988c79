/**
 * What a run measures and for how long: flags (`npm run bench -- --quick --duration=5000`) or the same names as
 * BENCH_* environment variables (BENCH_QUICK=1, BENCH_DURATION=5000). Flags win.
 */
import { type DatasetSize, FULL_SIZE } from './dataset.js';

export type ServerChoice =
  | 'callfilter'
  | 'callfilter-dead-channels'
  | 'callfilter-warn'
  | 'floor'
  | 'ding-dong'
  | 'agi-script';
export const ALL_SERVERS: readonly ServerChoice[] = [
  'floor',
  'callfilter',
  'callfilter-dead-channels',
  'callfilter-warn',
  'ding-dong',
  'agi-script',
];
export type Part = 'load' | 'decision' | 'trend' | 'import';
export type StoreChoice = 'sqlite' | 'postgres';

export interface BenchOptions {
  quick: boolean;
  size: DatasetSize;
  /** Closed-loop concurrencies. */
  concurrency: number[];
  /** Each closed-loop row runs this long, ms. */
  durationMs: number;
  /** Open loop: offered calls per second, and for how long. */
  rate: number;
  openDurationMs: number;
  /** Each row runs as this many slices, taking turns with the other servers' slices of the same load (merge.ts). */
  rounds: number;
  /** Warm-up calls per server before the first row (JIT, page cache); the per-call script gets a tenth. */
  warmupCalls: number;
  servers: ServerChoice[];
  decisionCalls: number;
  trendCalls: number;
  trendEvery: number;
  importRows: number;
  skip: Set<Part>;
  /** The load client writes the environment line by line, as Asterisk does (default: in one write). */
  envPerLine: boolean;
  /** Write CPU profiles of our service (both log levels) to bench/results/profiles-<timestamp>/. */
  cpuProf: boolean;
  seed: number;
  /** A git ref whose build runs beside ours in every load row and in the decision loop (bench/against.ts). */
  against?: string;
  /**
   * 'postgres': a cluster node of our service on a throw-away PostgreSQL (bench/pg-node.ts) runs beside the SQLite
   * one in every load row, and the decision from the in-memory index is measured too.
   */
  store: StoreChoice;
}

const HELP = `usage: npm run bench -- [options]   (or BENCH_<NAME>=value)
  --quick                 ~1-2 minute smoke run (short rows, peer B at c=1 and c=50 only, 10k-call trend, 100k-row import)
  --duration=MS           closed-loop row length (default 6000; quick 1500; with --store=postgres 30000)
  --open-duration=MS      open-loop row length (default 8000; quick 2000)
  --rounds=N              slices per row, the servers taking turns (default 3; quick 1; with --store=postgres 6)
  --rate=N                open-loop arrivals per second (default 1000; 0 leaves the open-loop row out)
  --concurrency=1,50,500  closed-loop concurrencies
  --servers=LIST          of ${ALL_SERVERS.join(',')}
  --decision-calls=N      in-process decisions measured (default 50000)
  --trend-calls=N         calls for the RSS trend (default 200000), --trend-every=N sample interval
  --import-rows=N         CSV rows to import (default 1000000)
  --entries=N             exact block entries in the database (default 1000000)
  --skip=LIST             of load,decision,trend,import
  --cpu-prof              write V8 CPU profiles of our service and of peer A
  --env-per-line          the load client writes the AGI environment line by line (as Asterisk) instead of at once
  --seed=N
  --against=REF           also build REF (a commit, branch or tag) in a temporary worktree and run it beside ours,
                          same load, slices interleaved: an A/B in one run (the table ends with the comparison)
  --store=postgres        also run our service as a cluster node on PostgreSQL (a throw-away server, the bench
                          database copied in as migrate-store does) beside the SQLite one, same load, slices
                          interleaved; its rows add PostgreSQL's own CPU per call, and the run measures the decision
                          from the in-memory index (default sqlite: the SQLite service only). Its rows are longer
                          unless given (~15 minutes with --skip=trend,import): the comparison needs them`;

function raw(argv: string[], name: string): string | undefined {
  const flag = argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (flag !== undefined) return flag.includes('=') ? flag.slice(flag.indexOf('=') + 1) : 'true';
  return process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
}

function int(argv: string[], name: string, fallback: number): number {
  const v = raw(argv, name);
  if (v === undefined) return fallback;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: ${JSON.stringify(v)} is not a whole number`);
  return n;
}

function list(argv: string[], name: string): string[] | undefined {
  return raw(argv, name)
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `--NAME VALUE` or `--NAME=VALUE` (or BENCH_NAME): an option that always takes a value. */
function valued(argv: string[], name: string, what: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) {
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) throw new Error(`--${name} needs ${what}`);
    return next;
  }
  const v = raw(argv, name);
  return v === undefined || v === 'true' ? undefined : v;
}

const againstRef = (argv: string[]) => valued(argv, 'against', 'a git ref (a commit, branch or tag)');

function storeChoice(argv: string[]): StoreChoice {
  const v = valued(argv, 'store', 'sqlite or postgres') ?? 'sqlite';
  if (v !== 'sqlite' && v !== 'postgres') throw new Error(`--store: ${JSON.stringify(v)} is not sqlite or postgres`);
  return v;
}

export function parseOptions(argv: string[]): BenchOptions {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const quick = /^(1|true|yes)$/i.test(raw(argv, 'quick') ?? '');
  const servers = (list(argv, 'servers') ?? [...ALL_SERVERS]) as ServerChoice[];
  for (const s of servers)
    if (!ALL_SERVERS.includes(s)) throw new Error(`--servers: unknown server ${JSON.stringify(s)}`);
  const skip = new Set((list(argv, 'skip') ?? []) as Part[]);
  const trendCalls = int(argv, 'trend-calls', quick ? 10_000 : 200_000);
  const store = storeChoice(argv);
  // The node's figures are shares of SQLite's, and the share of one 2-s slice swings widely on a small machine (a
  // stall, PostgreSQL's own work landing in one slice and not the other): the comparison needs long rows.
  const compare = store === 'postgres' && !quick;
  return {
    quick,
    size: { ...FULL_SIZE, exact: int(argv, 'entries', FULL_SIZE.exact) },
    concurrency: (list(argv, 'concurrency') ?? ['1', '50', '500']).map(Number),
    durationMs: int(argv, 'duration', quick ? 1_500 : compare ? 30_000 : 6_000),
    rate: int(argv, 'rate', 1_000),
    openDurationMs: int(argv, 'open-duration', quick ? 2_000 : 8_000),
    rounds: Math.max(1, int(argv, 'rounds', quick ? 1 : compare ? 6 : 3)),
    warmupCalls: int(argv, 'warmup', quick ? 500 : 3_000),
    servers,
    decisionCalls: int(argv, 'decision-calls', quick ? 5_000 : 50_000),
    trendCalls,
    trendEvery: int(argv, 'trend-every', Math.max(1, Math.round(trendCalls / 10))),
    importRows: int(argv, 'import-rows', quick ? 100_000 : 1_000_000),
    skip,
    cpuProf: /^(1|true|yes)$/i.test(raw(argv, 'cpu-prof') ?? ''),
    envPerLine: /^(1|true|yes)$/i.test(raw(argv, 'env-per-line') ?? ''),
    seed: int(argv, 'seed', 1),
    store,
    ...(againstRef(argv) !== undefined && { against: againstRef(argv) as string }),
  };
}
