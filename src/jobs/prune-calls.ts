/**
 * Call-log retention as a job: `pruneCalls` deletes the calls older than CALLFILTER_LOG_RETENTION_DAYS (their daily
 * counts stay in the stats; store/call-retention.ts). The service's job runner runs it every PRUNE_EVERY_MS
 * (service-jobs.ts), under a lease like every job.
 */
import type { AppContext } from '../context.js';

const DAY_MS = 86_400_000;
/** A day's calls go within the hour after they reach the window's end; each run is short unless history piled up. */
export const PRUNE_EVERY_MS = 60 * 60_000;

/** Deletes the calls older than the retention window; returns how many. Does nothing when retention is 0. */
export async function pruneCalls(ctx: AppContext, now: number, signal?: AbortSignal): Promise<number> {
  const days = ctx.config.logRetentionDays;
  if (days === 0) return 0;
  const before = now - days * DAY_MS;
  const removed = await ctx.store.calls.prune(before, ctx.config.policy.timeZone, signal ? { signal } : {});
  if (removed > 0)
    ctx.logger.info({ removed, before: new Date(before).toISOString(), retentionDays: days }, 'call log pruned');
  return removed;
}
