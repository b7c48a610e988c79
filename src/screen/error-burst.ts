import { createWindowCounter } from '../limit.js';
import type { Logger } from '../logger.js';
import { count } from '../text.js';

/**
 * A broken database fails every call the same way; one log line per call would bury the cause. The first failure
 * of a kind is logged in full; repeats within BURST_WINDOW_MS are counted, and the count is logged when the burst
 * ends (the next success, a different failure, or the next failure after the window).
 */
export const BURST_WINDOW_MS = 60_000;

function kindOf(err: unknown): string {
  if (err instanceof Error) return `${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}`;
  return String(err);
}

export function createBurstLogger(log: Logger, windowMs = BURST_WINDOW_MS, clock: () => number = Date.now) {
  // One burst at a time: a different failure ends the current one.
  const bursts = createWindowCounter({ windowMs, maxKeys: 1, clock });
  let current: { kind: string; since: number } | undefined;

  function flush(reason: string): void {
    if (current === undefined) return;
    const suppressed = bursts.take(current.kind) - 1;
    if (suppressed > 0) {
      log.error(
        { kind: current.kind, suppressed, sinceMs: clock() - current.since },
        `${count(suppressed, 'more call')} failed the same way (${reason})`,
      );
    }
    current = undefined;
  }

  return {
    /** Logs (or counts) one failure. Returns true when it was logged in full. */
    failure(err: unknown, fields: Record<string, unknown>, msg: string): boolean {
      const kind = kindOf(err);
      if (current !== undefined && current.kind === kind && bursts.count(kind) > 0) {
        bursts.add(kind);
        return false;
      }
      flush(current?.kind === kind ? 'the burst outlasted its window' : 'a different failure followed');
      bursts.add(kind);
      current = { kind, since: clock() };
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
