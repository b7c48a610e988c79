/** Call-log statistics for the admin page: calls per local day, and the most blocked callers. */
import { ACTIONS, type Action, type Reason } from '../policy/types.js';
import { isoDate, plusDays, zoneClock } from '../zone-time.js';
import type { Database } from './database.js';
import type { DayStats, TopCaller } from './types.js';

const DAY_MS = 86_400_000;
/** A year of days is the longest chart that makes sense; it also bounds the per-day queries. */
const MAX_DAYS = 366;
/** What counts as blocked: the caller was turned away, not sent to voicemail. */
const BLOCKING_ACTIONS: readonly Action[] = ['hangup', 'announce'];

interface LocalDay {
  day: string;
  from: number;
  to: number;
}

/**
 * The last `days` calendar days in `timeZone` (today included), oldest first, with their local-midnight bounds.
 * Midnight is found by correcting a UTC guess with the zone's offset twice, which settles across a DST change.
 */
export function localDays(now: number, days: number, timeZone: string): LocalDay[] {
  const clock = zoneClock(timeZone);
  const today = clock.dateOf(now);
  const result: LocalDay[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const date = plusDays(today, -i);
    result.push({ day: isoDate(date), from: clock.at(date), to: clock.at(plusDays(date, 1)) });
  }
  return result;
}

export function createCallStats(db: Database) {
  const perDay = db.prepare<[number, number], { action: Action; reason: Reason; n: number }>(
    'SELECT action, reason, count(*) AS n FROM calls WHERE at >= ? AND at < ? GROUP BY action, reason',
  );
  // The calls of that day that retention deleted (call-retention.ts).
  const pruned = db.prepare<[string], { action: Action; reason: Reason; n: number }>(
    'SELECT action, reason, calls AS n FROM call_days WHERE day = ?',
  );
  // A bare column next to max() takes its value from the row with the maximum (SQLite's documented behaviour).
  const top = db.prepare<
    [number, number, number],
    { caller: string; calls: number; last_at: number; label: string | null; reason: Reason }
  >(
    `SELECT caller, count(*) AS calls, max(at) AS last_at, label, reason FROM calls
     WHERE action IN (${BLOCKING_ACTIONS.map((a) => `'${a}'`).join(', ')}) AND at >= ? AND at <= ? AND caller IS NOT NULL
     GROUP BY caller ORDER BY calls DESC, last_at DESC LIMIT ?`,
  );

  return {
    /**
     * Calls per local calendar day for the last `days` days (today included, zero days too), oldest first: the calls
     * in the log, and the counts kept of those retention deleted.
     */
    async statsByDay(days: number, now: number, timeZone = 'UTC'): Promise<DayStats[]> {
      const n = Math.min(Math.max(1, Math.trunc(days)), MAX_DAYS);
      return localDays(now, n, timeZone).map(({ day, from, to }) => {
        const byAction = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
        const byReason: Partial<Record<Reason, number>> = {};
        let total = 0;
        for (const row of [...perDay.all(from, to), ...pruned.all(day)]) {
          total += row.n;
          byAction[row.action] = (byAction[row.action] ?? 0) + row.n;
          byReason[row.reason] = (byReason[row.reason] ?? 0) + row.n;
        }
        return { day, from, total, byAction, byReason };
      });
    },

    /** The callers turned away most often (hangup or announce) in the last `days` × 24 h, of the calls still logged. */
    async topBlocked(days: number, now: number, limit = 10): Promise<TopCaller[]> {
      return top.all(now - days * DAY_MS, now, limit).map((r) => {
        const caller: TopCaller = { caller: r.caller, calls: r.calls, lastAt: r.last_at, reason: r.reason };
        if (r.label !== null) caller.label = r.label;
        return caller;
      });
    },
  };
}
