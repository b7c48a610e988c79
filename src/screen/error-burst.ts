import type { Logger } from '../logger.js';
import { count } from '../text.js';

/**
 * A broken database fails every call the same way; one log line per call would bury the cause. The first failure
 * of a kind is logged in full; repeats within BURST_WINDOW_MS are counted, and the count is logged when the burst
 * ends (the next success, or the next failure after the window).
 */
export const BURST_WINDOW_MS = 60_000;

function kindOf(err: unknown): string {
  if (err instanceof Error) return `${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}`;
  return String(err);
}

export function createBurstLogger(log: Logger, windowMs = BURST_WINDOW_MS, clock: () => number = Date.now) {
  let current: { kind: string; since: number; suppressed: number } | undefined;

  function flush(reason: string): void {
    if (current && current.suppressed > 0) {
      log.error({ kind: current.kind, suppressed: current.suppressed, sinceMs: clock() - current.since }, `${count(current.suppressed, 'more call')} failed the same way (${reason})`);
    }
    current = undefined;
  }

  return {
    /** Logs (or counts) one failure. Returns true when it was logged in full. */
    failure(err: unknown, fields: Record<string, unknown>, msg: string): boolean {
      const kind = kindOf(err);
      const now = clock();
      if (current && current.kind === kind && now - current.since < windowMs) {
        current.suppressed++;
        return false;
      }
      flush('a different failure followed');
      current = { kind, since: now, suppressed: 0 };
      log.error({ ...fields, err }, msg);
      return true;
    },
    /** A call went through: a running burst is over. */
    success(): void {
      if (current) {
        flush('recovered');
        log.info('screening recovered');
      }
    },
  };
}
