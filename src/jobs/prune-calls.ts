/**
 * Call-log retention as a job: `pruneCalls` deletes the calls older than CALLFILTER_LOG_RETENTION_DAYS (their daily
 * counts stay in the stats; store/call-retention.ts), and `startCallPruning` runs it from a timer in the long-running
 * service. The job is a plain function of the context and the time, so a job runner can take it over as it is.
 */
import type { AppContext } from '../context.js';

const DAY_MS = 86_400_000;
/** After start: the service is taking calls by then, and a restart loop does not prune on every start. */
const FIRST_RUN_MS = 60_000;
/** A day's calls go within the hour after they reach the window's end; each run is short unless history piled up. */
const EVERY_MS = 60 * 60_000;

/** Deletes the calls older than the retention window; returns how many. Does nothing when retention is 0. */
export async function pruneCalls(ctx: AppContext, now: number, signal?: AbortSignal): Promise<number> {
  const days = ctx.config.logRetentionDays;
  if (days === 0) return 0;
  const before = now - days * DAY_MS;
  const removed = await ctx.store.calls.prune(before, ctx.config.policy.timeZone, signal ? { signal } : {});
  if (removed > 0) ctx.logger.info({ removed, before: new Date(before).toISOString(), retentionDays: days }, 'call log pruned');
  return removed;
}

export interface CallPruning {
  /** Idempotent; a run in progress stops after its current transaction. */
  stop(): void;
}

/** Runs pruneCalls FIRST_RUN_MS after the start, then every EVERY_MS; the timer never keeps the process alive. */
export function startCallPruning(ctx: AppContext, timing: { firstMs?: number; everyMs?: number } = {}): CallPruning {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const schedule = (ms: number) => {
    if (stopping.signal.aborted) return;
    timer = setTimeout(() => void run(), ms);
    timer.unref();
  };
  const run = async () => {
    try {
      await pruneCalls(ctx, ctx.clock(), stopping.signal);
    } catch (err) {
      // The next run tries again; the call path is not affected.
      if (!stopping.signal.aborted) ctx.logger.warn({ err }, 'pruning the call log failed');
    }
    schedule(timing.everyMs ?? EVERY_MS);
  };
  schedule(timing.firstMs ?? FIRST_RUN_MS);
  return {
    stop() {
      stopping.abort();
      clearTimeout(timer);
    },
  };
}
