/** Call-log statistics for the admin page: calls per local day, and the most blocked callers. */
import { ACTIONS, type Action, type Reason } from '../policy/types.js';
import { isoDate, plusDays, zoneClock } from '../zone-time.js';
import type { Database } from './database.js';
import type { DayStats, TopCaller } from './types.js';

export const DAY_MS = 86_400_000;
/** A year of days is the longest chart that makes sense; it also bounds the per-day queries. */
const MAX_DAYS = 366;
/** What counts as blocked: the caller was turned away, not sent to voicemail. */
export const BLOCKING_ACTIONS: readonly Action[] = ['hangup', 'announce'];
/** BLOCKING_ACTIONS as an SQL list (constants of this module, not input). */
export const BLOCKING_SQL = BLOCKING_ACTIONS.map((a) => `'${a}'`).join(', ');

/** Calls of one day by action and reason: from the log (count(*)) or from the counts retention kept. */
export interface CountRow {
  action: Action;
  reason: Reason;
  n: number;
}

/** A top-blocked row as both engines select it. */
export interface TopRow {
  caller: string;
  calls: number;
  last_at: number;
  label: string | null;
  reason: Reason;
}

export interface LocalDay {
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

/** The days a chart of `days` days ending at `now` shows: 1 to MAX_DAYS, oldest first. */
export function chartDays(days: number, now: number, timeZone: string): LocalDay[] {
  return localDays(now, Math.min(Math.max(1, Math.trunc(days)), MAX_DAYS), timeZone);
}

/** One day's stats from its count rows (zero for an action no call had). */
export function dayStats(day: string, from: number, rows: readonly CountRow[]): DayStats {
  const byAction = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>;
  const byReason: Partial<Record<Reason, number>> = {};
  let total = 0;
  for (const row of rows) {
    total += row.n;
    byAction[row.action] = (byAction[row.action] ?? 0) + row.n;
    byReason[row.reason] = (byReason[row.reason] ?? 0) + row.n;
  }
  return { day, from, total, byAction, byReason };
}

export function toTopCaller(r: TopRow): TopCaller {
  const caller: TopCaller = { caller: r.caller, calls: r.calls, lastAt: r.last_at, reason: r.reason };
  if (r.label !== null) caller.label = r.label;
  return caller;
}

export function createCallStats(db: Database) {
  const perDay = db.prepare<[number, number], CountRow>(
    'SELECT action, reason, count(*) AS n FROM calls WHERE at >= ? AND at < ? GROUP BY action, reason',
  );
  // The calls of that day that retention deleted (call-retention.ts).
  const pruned = db.prepare<[string], CountRow>('SELECT action, reason, calls AS n FROM call_days WHERE day = ?');
  // A bare column next to max() takes its value from the row with the maximum (SQLite's documented behaviour).
  const top = db.prepare<[number, number, number], TopRow>(
    `SELECT caller, count(*) AS calls, max(at) AS last_at, label, reason FROM calls
     WHERE action IN (${BLOCKING_SQL}) AND at >= ? AND at <= ? AND caller IS NOT NULL
     GROUP BY caller ORDER BY calls DESC, last_at DESC LIMIT ?`,
  );

  return {
    /**
     * Calls per local calendar day for the last `days` days (today included, zero days too), oldest first: the calls
     * in the log, and the counts kept of those retention deleted.
     */
    async statsByDay(days: number, now: number, timeZone = 'UTC'): Promise<DayStats[]> {
      return chartDays(days, now, timeZone).map(({ day, from, to }) =>
        dayStats(day, from, [...perDay.all(from, to), ...pruned.all(day)]),
      );
    },

    /** The callers turned away most often (hangup or announce) in the last `days` × 24 h, of the calls still logged. */
    async topBlocked(days: number, now: number, limit = 10): Promise<TopCaller[]> {
      return top.all(now - days * DAY_MS, now, limit).map(toTopCaller);
    },
  };
}
