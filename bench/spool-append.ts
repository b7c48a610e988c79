/**
 * What a call pays to put its log row in the local spool (src/cluster/spool.ts), with and without an fsync per
 * row, on the disk of the data folder. Run: `npm run build && node dist/bench/spool-append.js [--dir <folder>]
 * [--rows N]` (default: a temp folder under ./data, so the data folder's disk is measured).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CallLogSpool } from '../src/cluster/spool.js';
import { summarize } from './stats.js';

const { values } = parseArgs({
  options: { dir: { type: 'string', default: 'data' }, rows: { type: 'string', default: '2000' } },
});
const rows = Number(values.rows);
mkdirSync(values.dir, { recursive: true });
const dir = mkdtempSync(join(values.dir, 'spool-bench-'));

/** A call-log row as the PostgreSQL store would spool it: ~300 bytes of JSON. */
function row(i: number): Record<string, unknown> {
  return {
    id: `0190b7c2-7e4f-7cc3-9d4e-${String(i).padStart(12, '0')}`,
    at: new Date(1_760_000_000_000 + i * 1000).toISOString(),
    callerRaw: '030123456789',
    caller: '+4930123456789',
    called: '+4930999000',
    action: 'voicemail',
    reason: 'unknown',
    entryId: null,
    label: null,
    uniqueId: `1760000000.${i}`,
    latencyUs: 412,
  };
}

function measure(fsync: boolean): { us: ReturnType<typeof summarize>; cpuUsPerRow: number } {
  const file = join(dir, fsync ? 'fsync.spool' : 'plain.spool');
  const spool = new CallLogSpool({ file, fsync, maxBytes: Number.MAX_SAFE_INTEGER, logger: console });
  const times = new Float64Array(rows);
  for (let i = 0; i < 50; i++) spool.append(row(i)); // warm-up: JIT, first block allocations
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < rows; i++) {
    const t0 = performance.now();
    spool.append(row(i));
    times[i] = (performance.now() - t0) * 1000;
  }
  const cpu = process.cpuUsage(cpu0);
  spool.close();
  return { us: summarize(times), cpuUsPerRow: (cpu.user + cpu.system) / rows };
}

try {
  const fmt = (n: number): string => n.toFixed(1);
  for (const fsync of [false, true]) {
    const { us, cpuUsPerRow } = measure(fsync);
    console.log(
      `${fsync ? 'write + fsync' : 'write only  '}  rows ${us.n}  µs/append p50 ${fmt(us.p50)}  p99 ${fmt(us.p99)}  max ${fmt(us.max)}  mean ${fmt(us.mean)}  CPU µs/row ${fmt(cpuUsPerRow)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
