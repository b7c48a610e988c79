/**
 * The soak's table and verdict. A resource "trends upward" when the least-squares line through the samples after
 * warm-up rises, over the run, by more than its threshold — absolute and relative to its mean, both, so a flat
 * series with noise passes and a slow leak does not. A fail-open, an undecided call or a wrong API answer fails
 * the run outright.
 */
import type { LoadSample } from './soak-load.js';

export interface SoakSample {
  /** Minutes since the load started. */
  minute: number;
  load: LoadSample;
  rssMB: number;
  heapMB: number;
  fds: number;
  /** Log output of the service in this interval. */
  logKB: number;
  /** Where the memory is: RSS by kind (/proc), V8's committed heap and external memory, the database's size. */
  detail: {
    anonMB: number;
    fileMB: number;
    shmemMB: number;
    heapTotalMB: number;
    externalMB: number;
    dbMB: number;
    loadAvg: number;
  };
}

interface Series {
  name: string;
  unit: string;
  value: (s: SoakSample) => number;
  /** Rise over the run (after warm-up) above which the series counts as trending up: absolute, and share of its mean. */
  abs: number;
  rel: number;
  /**
   * Fit the lower envelope (the minimum of this many samples up to each one) instead of the samples: garbage piles
   * up between collections and drops at each, so the highs are noise; a leak lifts the lows.
   */
  envelope?: number;
  /** Rise that is explained elsewhere and added to the limit, with the reason shown. */
  allowance?: { why: string; series: (s: SoakSample) => number };
}

/**
 * RSS follows V8's committed heap, which V8 sizes by its own rules: over the first minutes it grows its young
 * generation towards the default maximum (a soak saw 27 → 41 → 57 MB committed with the live heap flat at 23 MB),
 * and it keeps what it committed. So RSS may rise by as much as the committed heap did (its own line's rise), on top
 * of its threshold; the leak checks proper are the live heap (read after a full collection) and "native" — RSS
 * without V8's committed heap: SQLite's page cache, buffers, everything C++.
 */
const SERIES: Series[] = [
  {
    name: 'RSS',
    unit: 'MB',
    value: (s) => s.rssMB,
    abs: 8,
    rel: 0.1,
    allowance: { why: "V8's committed heap", series: (s) => s.detail.heapTotalMB },
  },
  { name: 'native', unit: 'MB', value: (s) => s.rssMB - s.detail.heapTotalMB, abs: 8, rel: 0.1, envelope: 3 },
  // Read right after a full collection (soak-gc-preload.ts): the live heap, no envelope needed.
  { name: 'heap', unit: 'MB', value: (s) => s.heapMB, abs: 4, rel: 0.15 },
  { name: 'open fds', unit: '', value: (s) => s.fds, abs: 4, rel: 0.1 },
  { name: 'p99 latency', unit: 'ms', value: (s) => p(s.load.latenciesMs, 99), abs: 5, rel: 0.5, envelope: 3 },
  { name: 'log output', unit: 'KB', value: (s) => s.logKB, abs: 64, rel: 0.25 },
];

export function p(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((q / 100) * sorted.length) - 1)] as number;
}

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

export const HEADER = [
  pad('min', 5),
  pad('calls', 6),
  pad('decided', 8),
  pad('fail-open', 9),
  pad('undecided', 9),
  pad('p50 ms', 7),
  pad('p99 ms', 7),
  pad('max ms', 7),
  pad('RSS MB', 7),
  pad('heap MB', 8),
  pad('fds', 4),
  pad('abuse', 6),
  pad('api', 4),
  pad('api!', 4),
  pad('log KB', 7),
].join(' ');

export function formatRow(s: SoakSample): string {
  const l = s.load;
  return [
    pad(s.minute.toFixed(1), 5),
    pad(l.started, 6),
    pad(l.decided, 8),
    pad(l.failOpens, 9),
    pad(l.undecided + l.skipped, 9),
    pad(p(l.latenciesMs, 50).toFixed(1), 7),
    pad(p(l.latenciesMs, 99).toFixed(1), 7),
    pad(Math.max(0, ...l.latenciesMs).toFixed(1), 7),
    pad(s.rssMB.toFixed(1), 7),
    pad(s.heapMB.toFixed(1), 8),
    pad(s.fds, 4),
    pad(l.abusive, 6),
    pad(l.api, 4),
    pad(l.apiUnexpected, 4),
    pad(s.logKB.toFixed(0), 7),
  ].join(' ');
}

/** The memory detail per sample, to tell a leak from V8 resizing its heap; and the machine's load (1-min average). */
export function formatDetail(samples: SoakSample[]): string[] {
  const lines = [
    'memory detail:',
    [
      pad('min', 5),
      pad('RSS', 6),
      pad('anon', 6),
      pad('file', 6),
      pad('shmem', 6),
      pad('heap', 6),
      pad('heap tot', 8),
      pad('external', 8),
      pad('db MB', 6),
      pad('guess 429', 9),
      pad('load', 5),
    ].join(' '),
  ];
  for (const s of samples) {
    const d = s.detail;
    lines.push(
      [
        pad(s.minute.toFixed(1), 5),
        ...[s.rssMB, d.anonMB, d.fileMB, d.shmemMB, s.heapMB].map((v) => pad(v.toFixed(1), 6)),
        pad(d.heapTotalMB.toFixed(1), 8),
        pad(d.externalMB.toFixed(1), 8),
        pad(d.dbMB.toFixed(1), 6),
        pad(s.load.apiLimited, 9),
        pad(d.loadAvg.toFixed(2), 5),
      ].join(' '),
    );
  }
  return lines;
}

export function trends(samples: SoakSample[], warmup: number): { ok: boolean; lines: string[] } {
  const lines: string[] = [];
  let ok = true;
  const sum = (f: (l: LoadSample) => number) => samples.reduce((a, s) => a + f(s.load), 0);
  const decided = sum((l) => l.decided);
  const failOpens = sum((l) => l.failOpens);
  const undecided = sum((l) => l.undecided + l.skipped);
  const apiBad = sum((l) => l.apiUnexpected);
  const all = samples.flatMap((s) => s.load.latenciesMs);
  lines.push(
    `calls decided: ${decided}, fail-opens: ${failOpens}, undecided: ${undecided}, overall p50 ${p(all, 50).toFixed(1)} ms, p99 ${p(all, 99).toFixed(1)} ms, max ${Math.max(0, ...all).toFixed(1)} ms`,
  );
  lines.push(
    `abusive connections: ${sum((l) => l.abusive)}, admin API requests: ${sum((l) => l.api)} (unexpected answers: ${apiBad})`,
  );
  if (failOpens > 0 || undecided > 0 || apiBad > 0) {
    ok = false;
    lines.push('FAIL: calls failed open or went undecided, or the admin API answered wrongly');
  }
  const used = samples.slice(warmup);
  if (used.length < 3) {
    lines.push(`trend: not enough samples after warm-up (${used.length}; need 3 — run longer)`);
    return { ok, lines };
  }
  const xs = used.map((s) => s.minute);
  const span = (xs.at(-1) as number) - (xs[0] as number);
  lines.push(
    `trend over ${used.length} samples after ${warmup} warm-up samples (${span.toFixed(1)} min), least-squares rise over the run:`,
  );
  for (const series of SERIES) {
    const raw = used.map(series.value);
    const k = series.envelope ?? 1;
    const ys = raw.map((_, i) => Math.min(...raw.slice(Math.max(0, i - k + 1), i + 1)));
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    const rise = slope(xs, ys) * span;
    const allowed = series.allowance ? Math.max(0, slope(xs, used.map(series.allowance.series)) * span) : 0;
    const limit = Math.max(series.abs, series.rel * Math.abs(mean)) + allowed;
    const up = rise > limit;
    if (up) ok = false;
    lines.push(
      `  ${(series.envelope ? `${series.name} (low)` : series.name).padEnd(12)} ${up ? 'UP   ' : 'flat '} rise ${rise >= 0 ? '+' : ''}${rise.toFixed(2)}${series.unit} (limit ${limit.toFixed(2)}${series.unit}), mean ${mean.toFixed(1)}${series.unit}, ` +
        `first ${(raw[0] as number).toFixed(1)} → last ${(raw.at(-1) as number).toFixed(1)}` +
        (series.allowance
          ? `; the limit includes +${allowed.toFixed(1)}${series.unit} of ${series.allowance.why}`
          : ''),
    );
  }
  lines.push(ok ? 'verdict: OK — nothing trended upward, every call was decided' : 'verdict: FAIL');
  return { ok, lines };
}
