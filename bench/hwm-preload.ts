/**
 * Preloaded (`node --import`) into a process the benchmark measures: at exit it writes the process's peak resident
 * memory (VmHWM from /proc/self/status, KiB) to $BENCH_HWM_FILE. Exact, where polling from outside can miss the
 * last milliseconds.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.BENCH_HWM_FILE;
if (out) {
  process.on('exit', () => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
      writeFileSync(out, m?.[1] ?? '');
    } catch {
      // nothing to report: the parent falls back to its own polling
    }
  });
}
