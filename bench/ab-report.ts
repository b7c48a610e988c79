/**
 * The comparison at the end of an A/B run (`--against`): our build against the other, load by load, with the run's
 * own noise beside each difference — the spread of the slices of one server and load — so a difference smaller than
 * the noise reads as what it is.
 */
import type { DecisionResult } from './decision.js';
import type { LoadRow } from './report.js';

export interface AbLine {
  load: string;
  ours: { callsPerSec: number; p99: number; cpu?: number };
  theirs: { callsPerSec: number; p99: number; cpu?: number };
  /** Differences, ours relative to theirs, percent (negative: ours is lower). */
  delta: { callsPerSec: number; p99: number; cpu?: number };
  /** Half the range of the slices' values over their mean, percent, per build: ± this is the run's noise. */
  noise: { p99: [number, number]; cpu?: [number, number] };
}

const pct = (a: number, b: number) => (100 * (a - b)) / b;

function spread(values: number[]): number {
  if (values.length < 2) return NaN;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return (100 * (Math.max(...values) - Math.min(...values))) / 2 / mean;
}

export function compareRows(rows: LoadRow[], ours: string, theirs: string): AbLine[] {
  const out: AbLine[] = [];
  for (const a of rows.filter((r) => r.server === ours)) {
    const b = rows.find((r) => r.server === theirs && r.load === a.load);
    if (!b) continue;
    const line: AbLine = {
      load: a.load,
      ours: { callsPerSec: a.result.callsPerSec, p99: a.result.latency.p99 },
      theirs: { callsPerSec: b.result.callsPerSec, p99: b.result.latency.p99 },
      delta: {
        callsPerSec: pct(a.result.callsPerSec, b.result.callsPerSec),
        p99: pct(a.result.latency.p99, b.result.latency.p99),
      },
      noise: { p99: [spread((a.slices ?? []).map((s) => s.p99)), spread((b.slices ?? []).map((s) => s.p99))] },
    };
    if (a.serverCpuUsPerCall !== undefined && b.serverCpuUsPerCall !== undefined) {
      line.ours.cpu = a.serverCpuUsPerCall;
      line.theirs.cpu = b.serverCpuUsPerCall;
      line.delta.cpu = pct(a.serverCpuUsPerCall, b.serverCpuUsPerCall);
      const cpus = (r: LoadRow) =>
        (r.slices ?? []).flatMap((s) => (s.serverCpuUsPerCall === undefined ? [] : [s.serverCpuUsPerCall]));
      line.noise.cpu = [spread(cpus(a)), spread(cpus(b))];
    }
    out.push(line);
  }
  return out;
}

const sign = (n: number) => (Number.isNaN(n) ? '–' : `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(1)} %`);
const noise = (pair: [number, number] | undefined) =>
  pair === undefined ? '–' : pair.map((n) => (Number.isNaN(n) ? '–' : `±${n.toFixed(0)} %`)).join(' / ');

export function formatAb(
  lines: AbLine[],
  ours: string,
  theirs: string,
  decision?: { ours: DecisionResult; theirs: DecisionResult },
): string {
  const head = [
    'load',
    'calls/s ours / theirs',
    'Δ',
    'p99 ms ours / theirs',
    'Δ',
    'noise p99',
    'CPU µs/call ours / theirs',
    'Δ',
    'noise CPU',
  ];
  const body = lines.map((l) => [
    l.load,
    `${l.ours.callsPerSec.toFixed(0)} / ${l.theirs.callsPerSec.toFixed(0)}`,
    sign(l.delta.callsPerSec),
    `${l.ours.p99.toFixed(2)} / ${l.theirs.p99.toFixed(2)}`,
    sign(l.delta.p99),
    noise(l.noise.p99),
    l.ours.cpu === undefined || l.theirs.cpu === undefined
      ? '–'
      : `${l.ours.cpu.toFixed(0)} / ${l.theirs.cpu.toFixed(0)}`,
    l.delta.cpu === undefined ? '–' : sign(l.delta.cpu),
    noise(l.noise.cpu),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const row = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  const text = [
    `A/B: ${ours} (this checkout) against ${theirs}, same run, slices interleaved; noise = half the slices' range over their mean (ours / theirs)`,
    row(head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...body.map(row),
  ];
  if (decision) {
    const { ours: a, theirs: b } = decision;
    text.push(
      `in-process decision p50 ${a.total.p50.toFixed(1)} / ${b.total.p50.toFixed(1)} µs (${sign(pct(a.total.p50, b.total.p50))}), ` +
        `p99 ${a.total.p99.toFixed(1)} / ${b.total.p99.toFixed(1)} µs (${sign(pct(a.total.p99, b.total.p99))}); ` +
        `decision without the log write p99 ${a.evaluate.p99.toFixed(1)} / ${b.evaluate.p99.toFixed(1)} µs`,
    );
  }
  return text.join('\n');
}
