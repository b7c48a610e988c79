/**
 * Retention of the call log (CALLFILTER_LOG_RETENTION_DAYS): calls older than a cutoff are deleted, oldest first, in
 * short transactions at the call path's pace. Each transaction first adds the calls it deletes to `call_days` — counts
 * per local day, action and reason, no numbers — so the daily stats of a pruned day stay as they were (call-stats.ts
 * reads both). The most blocked callers are not kept: who called is what retention forgets.
 */
import type { Action, Reason } from '../policy/types.js';
import { type LocalDay, localDays } from './call-stats.js';
import type { Database } from './database.js';
import { CALL_PATH_PACE, createPacer, type Pace, rest } from './pacer.js';

/** The most calls per transaction; the pacer usually picks fewer. */
const MAX_BATCH_ROWS = 20_000;

export interface PruneOptions {
  /** Default CALL_PATH_PACE: it runs in the service. */
  pace?: Pace;
  /** Stops between two transactions (the service closing). */
  signal?: AbortSignal;
}

/** What call_days keeps of the calls of one local day with one action and reason: how many there were. */
export interface DayCount {
  day: string;
  action: string;
  reason: string;
  calls: number;
}

/**
 * Counts calls by local day in `timeZone`, action and reason, for call_days. Any order is counted right; in time
 * order the day's bounds are found once per day.
 */
export function dayCounter(timeZone: string) {
  const counts = new Map<string, DayCount>();
  let day: LocalDay | undefined;
  return {
    add(call: { at: number; action: string; reason: string }): void {
      if (!day || call.at >= day.to || call.at < day.from) day = localDays(call.at, 1, timeZone)[0] as LocalDay;
      const key = `${day.day} ${call.action} ${call.reason}`;
      const c = counts.get(key);
      if (c) c.calls++;
      else counts.set(key, { day: day.day, action: call.action, reason: call.reason, calls: 1 });
    },
    counts(): DayCount[] {
      return [...counts.values()];
    },
  };
}

export function createCallRetention(db: Database) {
  const nthOldest = db
    .prepare<[number, number], number>('SELECT at FROM calls WHERE at < ? ORDER BY at LIMIT 1 OFFSET ?')
    .pluck();
  const oldest = db.prepare<[number, number], { at: number; action: Action; reason: Reason }>(
    'SELECT at, action, reason FROM calls WHERE at <= ? AND at < ? ORDER BY at',
  );
  const addDay = db.prepare<[string, string, string, number]>(
    'INSERT INTO call_days (day, action, reason, calls) VALUES (?, ?, ?, ?) ON CONFLICT (day, action, reason) DO UPDATE SET calls = calls + excluded.calls',
  );
  const remove = db.prepare<[number, number]>('DELETE FROM calls WHERE at <= ? AND at < ?');

  /** The `limit` oldest calls before `cutoff` (and any others at the last one's time): counted, then deleted. */
  function pruneBatch(cutoff: number, limit: number, timeZone: string): number {
    return db.transaction(() => {
      const last = nthOldest.get(cutoff, limit - 1) ?? cutoff - 1;
      const counter = dayCounter(timeZone);
      for (const call of oldest.iterate(last, cutoff)) counter.add(call);
      for (const c of counter.counts()) addDay.run(c.day, c.action, c.reason, c.calls);
      return remove.run(last, cutoff).changes;
    });
  }

  return {
    /**
     * Deletes every call before `cutoff` (epoch ms), keeping its count in the daily stats of its day in `timeZone`.
     * Returns how many were deleted.
     */
    async prune(cutoff: number, timeZone: string, opts: PruneOptions = {}): Promise<number> {
      const pace = opts.pace ?? CALL_PATH_PACE;
      const pacer = createPacer(MAX_BATCH_ROWS, pace.budgetMs);
      let removed = 0;
      while (!opts.signal?.aborted) {
        const limit = pacer.size;
        const started = performance.now();
        const n = await db.retry(() => pacer.timed(() => pruneBatch(cutoff, limit, timeZone)), 'call log retention');
        removed += n;
        if (n < limit) break;
        await rest(pace, started);
      }
      return removed;
    },
  };
}
