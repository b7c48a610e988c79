/** The printed table, the targets computed from this run's numbers, and the JSON written to bench/results/. */
import type { DecisionResult } from './decision.js';
import type { ImportResult } from './import-bench.js';
import type { LoadResult } from './load-protocol.js';
import type { ServerKind } from './servers.js';

export interface LoadRow {
  server: string;
  kind: ServerKind;
  /** `c=50` or `1000/s`. */
  load: string;
  mode: 'closed' | 'open';
  concurrency: number;
  rate: number;
  result: LoadResult;
  /** The server process's CPU time per call, µs (user + system; 10 ms ticks). */
  serverCpuUsPerCall?: number;
  /** The load client's CPU time per call, µs. */
  clientCpuUsPerCall?: number;
  /** A node on PostgreSQL (`--store postgres`): every PostgreSQL server process's CPU time per call, µs. */
  postgresCpuUsPerCall?: number;
  /**
   * CPU used by everything else on the machine during the row (machine busy − server − client), percent of all
   * cores; for the per-call script this includes the scripts themselves. Steal: the VM host's share.
   */
  otherCpuPct?: number;
  stealPct?: number;
  rssStartMB?: number;
  rssEndMB?: number;
  /** RSS is of one per-call script process, not a server. */
  rssPerCall?: boolean;
  /** Each slice on its own: their spread is the run's noise for this server and load. */
  slices?: { callsPerSec: number; p99: number; serverCpuUsPerCall?: number; postgresCpuUsPerCall?: number }[];
}

export interface TrendResult {
  calls: number[];
  rssMB: number[];
  /** RssAnon / RssFile / RssShmem at each sample, MB. */
  partsMB: ({ anon: number; file: number; shmem: number } | undefined)[];
  /** Least-squares slope over the samples from 40 % of the calls on (after warm-up), MB per 100,000 calls. */
  slopeMBPer100k: number;
  finalMB: number;
  peakMB: number;
  callsPerSec: number;
  errors: number;
}

export interface TargetCheck {
  target: string;
  /** null: not measured in this run. */
  pass: boolean | null;
  detail: string;
}

/** "No upward trend": at most this much growth per 100,000 calls once warm. */
export const MAX_TREND_MB_PER_100K = 3;
export const RSS_LIMIT_MB = 200;
export const IMPORT_LIMIT_S = 30;
export const IMPORT_RSS_LIMIT_MB = 300;
export const DECISION_P99_LIMIT_US = 100;

const f = (n: number | undefined, digits = 2): string => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));

export function formatTable(rows: LoadRow[]): string {
  // Only when a node on PostgreSQL ran: the default table keeps its columns.
  const postgres = rows.some((r) => r.postgresCpuUsPerCall !== undefined);
  const head = [
    'server',
    'load',
    'calls/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'RSS start→end MB',
    'server CPU µs/call',
    ...(postgres ? ['PostgreSQL CPU µs/call'] : []),
    'client CPU µs/call',
    'other CPU %',
    'errors',
    'dropped',
  ];
  const body = rows.map((r) => [
    r.server,
    r.load,
    f(r.result.callsPerSec, 0),
    f(r.result.latency.p50),
    f(r.result.latency.p95),
    f(r.result.latency.p99),
    `${f(r.rssStartMB, 0)} → ${f(r.rssEndMB, 0)}${r.rssPerCall ? ' (per call)' : ''}`,
    f(r.serverCpuUsPerCall, 0),
    ...(postgres ? [f(r.postgresCpuUsPerCall, 0)] : []),
    f(r.clientCpuUsPerCall, 0),
    r.kind === 'agi-script' ? '–' : f(r.otherCpuPct, 0),
    String(r.result.errors),
    String(r.result.dropped),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function row(rows: LoadRow[], kind: ServerKind, load: string, name?: string): LoadRow | undefined {
  return rows.find((r) => r.kind === kind && r.load === load && (name === undefined || r.server === name));
}

export interface TargetInputs {
  rows: LoadRow[];
  /** Our row name the targets are about (the production log level). */
  ours: string;
  concurrency: number[];
  openLoad: string;
  decision?: DecisionResult;
  trend?: TrendResult;
  imported?: ImportResult;
  importRowsTarget: number;
  trendCallsTarget: number;
}

export function checkTargets(t: TargetInputs): TargetCheck[] {
  const out: TargetCheck[] = [];
  const ours = (load: string) => row(t.rows, 'callfilter', load, t.ours);
  const floor = (load: string) => row(t.rows, 'floor', load);
  const versus = (
    target: string,
    a: LoadRow | undefined,
    b: LoadRow | undefined,
    check: (a: LoadRow, b: LoadRow) => [boolean, string],
  ) => {
    if (!a || !b) return out.push({ target, pass: null, detail: 'not measured' });
    const [pass, detail] = check(a, b);
    return out.push({
      target,
      pass: pass && a.result.errors === 0,
      detail: a.result.errors ? `${detail}; ${a.result.errors} errors` : detail,
    });
  };

  const c1 = `c=1`;
  versus('p99 at c=1 ≤ floor + 1 ms', ours(c1), floor(c1), (a, b) => {
    const d = a.result.latency.p99 - b.result.latency.p99;
    return [d <= 1, `${f(a.result.latency.p99)} ms vs floor ${f(b.result.latency.p99)} ms (+${f(d)} ms)`];
  });
  versus(`p99 at ${t.openLoad} ≤ floor + 2 ms`, ours(t.openLoad), floor(t.openLoad), (a, b) => {
    const d = a.result.latency.p99 - b.result.latency.p99;
    return [
      d <= 2 && a.result.dropped === 0,
      `${f(a.result.latency.p99)} ms vs floor ${f(b.result.latency.p99)} ms (+${f(d)} ms)${a.result.dropped ? `, ${a.result.dropped} dropped` : ''}`,
    ];
  });
  versus('throughput at c=50 ≥ 60 % of floor', ours('c=50'), floor('c=50'), (a, b) => {
    const ratio = a.result.callsPerSec / b.result.callsPerSec;
    return [
      ratio >= 0.6,
      `${f(a.result.callsPerSec, 0)} vs floor ${f(b.result.callsPerSec, 0)} calls/s (${f(ratio * 100, 0)} %)`,
    ];
  });
  for (const peer of ['ding-dong', 'agi-script'] as const) {
    for (const load of [...t.concurrency.map((c) => `c=${c}`), t.openLoad]) {
      const a = ours(load);
      const b = row(t.rows, peer, load);
      versus(`ahead of ${b?.server ?? peer} at ${load}`, a, b, (x, y) => {
        const open = x.mode === 'open';
        // Open loop: both are offered the same rate, so "more throughput" means serving at least as much of it.
        const faster = open
          ? x.result.callsPerSec >= y.result.callsPerSec * 0.99 && x.result.dropped <= y.result.dropped
          : x.result.callsPerSec > y.result.callsPerSec;
        const lower = x.result.latency.p99 < y.result.latency.p99;
        return [
          faster && lower,
          `${f(x.result.callsPerSec, 0)} vs ${f(y.result.callsPerSec, 0)} calls/s, p99 ${f(x.result.latency.p99)} vs ${f(y.result.latency.p99)} ms` +
            (y.result.errors || y.result.dropped
              ? ` (peer: ${y.result.errors} errors, ${y.result.dropped} dropped)`
              : ''),
        ];
      });
    }
  }
  if (t.decision) {
    const p99 = t.decision.total.p99;
    out.push({
      target: `in-process decision p99 ≤ ${DECISION_P99_LIMIT_US} µs`,
      pass: p99 <= DECISION_P99_LIMIT_US,
      detail: `p50 ${f(t.decision.total.p50, 1)} µs, p99 ${f(p99, 1)} µs over ${t.decision.calls} calls`,
    });
  } else
    out.push({ target: `in-process decision p99 ≤ ${DECISION_P99_LIMIT_US} µs`, pass: null, detail: 'not measured' });
  if (t.trend) {
    const full = t.trend.calls.at(-1) ?? 0;
    const enough = full >= t.trendCallsTarget;
    out.push({
      target: `RSS ≤ ${RSS_LIMIT_MB} MB after ${t.trendCallsTarget.toLocaleString('en')} calls`,
      pass: enough ? t.trend.finalMB <= RSS_LIMIT_MB && t.trend.errors === 0 : null,
      detail: `${f(t.trend.finalMB, 0)} MB after ${full.toLocaleString('en')} calls (peak ${f(t.trend.peakMB, 0)} MB)${enough ? '' : ' — fewer calls than the target'}`,
    });
    out.push({
      target: `no upward RSS trend (≤ ${MAX_TREND_MB_PER_100K} MB per 100k calls)`,
      pass: enough ? t.trend.slopeMBPer100k <= MAX_TREND_MB_PER_100K : null,
      detail: `slope ${f(t.trend.slopeMBPer100k)} MB per 100k calls`,
    });
  } else out.push({ target: `RSS ≤ ${RSS_LIMIT_MB} MB, no upward trend`, pass: null, detail: 'not measured' });
  if (t.imported) {
    const i = t.imported;
    const full = i.rows >= t.importRowsTarget;
    const ok = i.exitCode === 0 && i.seconds <= IMPORT_LIMIT_S && (i.peakRssMB ?? Infinity) <= IMPORT_RSS_LIMIT_MB;
    out.push({
      target: `${t.importRowsTarget.toLocaleString('en')}-row CSV import ≤ ${IMPORT_LIMIT_S} s, peak RSS ≤ ${IMPORT_RSS_LIMIT_MB} MB`,
      pass: full ? ok : null,
      detail: `${i.rows.toLocaleString('en')} rows in ${f(i.seconds, 1)} s (${f(i.rowsPerSec, 0)} rows/s), peak ${f(i.peakRssMB, 0)} MB${i.exitCode ? `, exit ${i.exitCode}` : ''}${full ? '' : ' — fewer rows than the target'}`,
    });
  } else
    out.push({
      target: `CSV import ≤ ${IMPORT_LIMIT_S} s, ≤ ${IMPORT_RSS_LIMIT_MB} MB`,
      pass: null,
      detail: 'not measured',
    });
  return out;
}

export function formatTargets(checks: TargetCheck[]): string {
  return checks
    .map((c) => `${c.pass === null ? ' n/a' : c.pass ? 'PASS' : 'FAIL'}  ${c.target}: ${c.detail}`)
    .join('\n');
}
