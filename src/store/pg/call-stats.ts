/**
 * Call-log statistics on PostgreSQL (../call-stats.ts says what they are). Each read is one statement, so it sees one
 * snapshot: a retention batch that moves calls from the log into call_days (./call-retention.ts) is seen either
 * wholly before or wholly after, never counted twice or not at all.
 */
import { BLOCKING_SQL, type CountRow, chartDays, DAY_MS, dayStats, type TopRow, toTopCaller } from '../call-stats.js';
import type { DayStats, TopCaller } from '../types.js';
import type { Queryable } from './sql.js';

/** The calls in the log per chart day (by the day's local-midnight bounds, found in JS), and the counts kept of those
 * retention deleted; `i` is the day's place in the chart, from 1. */
const PER_DAY = `
  SELECT d.i, c.action, c.reason, count(*) AS n
    FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS d (from_at, to_at, i)
    JOIN calls c ON c.at >= d.from_at AND c.at < d.to_at
   GROUP BY d.i, c.action, c.reason
  UNION ALL
  SELECT d.i, k.action, k.reason, k.calls AS n
    FROM unnest($3::text[]) WITH ORDINALITY AS d (day, i)
    JOIN call_days k ON k.day = d.day`;

/**
 * PostgreSQL has no bare column beside max() (SQLite's "value of the row with the maximum"): the label and reason of
 * each caller's latest call are the first of them ordered newest first (by time, then id).
 */
const TOP = `
  SELECT caller, count(*) AS calls, max(at) AS last_at,
         (array_agg(label ORDER BY at DESC, id DESC))[1] AS label,
         (array_agg(reason ORDER BY at DESC, id DESC))[1] AS reason
    FROM calls
   WHERE action IN (${BLOCKING_SQL}) AND at >= $1 AND at <= $2 AND caller IS NOT NULL
   GROUP BY caller ORDER BY calls DESC, last_at DESC LIMIT $3`;

export function createPostgresCallStats(db: Queryable) {
  return {
    async statsByDay(days: number, now: number, timeZone = 'UTC'): Promise<DayStats[]> {
      const chart = chartDays(days, now, timeZone);
      const r = await db.query<CountRow & { i: number }>(PER_DAY, [
        chart.map((d) => d.from),
        chart.map((d) => d.to),
        chart.map((d) => d.day),
      ]);
      const rows: CountRow[][] = chart.map(() => []);
      for (const row of r.rows) rows[row.i - 1]?.push(row);
      return chart.map(({ day, from }, i) => dayStats(day, from, rows[i] ?? []));
    },

    async topBlocked(days: number, now: number, limit = 10): Promise<TopCaller[]> {
      const r = await db.query<TopRow>(TOP, [now - days * DAY_MS, now, limit]);
      return r.rows.map(toTopCaller);
    },
  };
}
