/**
 * Call-log retention on PostgreSQL (../call-retention.ts says what it keeps). No pacer: with MVCC a delete blocks no
 * reader, and the call path's inserts take no lock an old row holds. The batches are still bounded, so no single
 * statement holds its row locks, WAL and dead tuples for the whole backlog of a first run. Each batch deletes the
 * oldest calls and adds what it deleted (DELETE … RETURNING: exactly those rows, whatever else runs) to call_days in
 * the same transaction.
 */
import type pg from 'pg';
import { dayCounter, type PruneOptions } from '../call-retention.js';
import { inTransaction } from './sql.js';

/** Calls deleted per transaction: a few MB of WAL, well under a second. */
export const PRUNE_BATCH_ROWS = 5_000;

// The ids as an array, not `id IN (SELECT …)`: a semi-join may be planned as a hash join over a scan of the whole
// table per batch; `= ANY (ARRAY (…))` is looked up in the primary key.
const DELETE_OLDEST = `
  DELETE FROM calls WHERE id = ANY (ARRAY (SELECT id FROM calls WHERE at < $1 ORDER BY at, id LIMIT $2))
  RETURNING at, action, reason`;

// Keys in one order, so two transactions adding to the same days cannot deadlock on call_days.
const ADD_DAYS = `
  INSERT INTO call_days (day, action, reason, calls)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS k (day, action, reason, calls)
   ORDER BY day, action, reason
  ON CONFLICT (day, action, reason) DO UPDATE SET calls = call_days.calls + excluded.calls`;

export function createPostgresCallRetention(pool: pg.Pool, batchRows = PRUNE_BATCH_ROWS) {
  async function pruneBatch(cutoff: number, timeZone: string): Promise<number> {
    return inTransaction(pool, async (client) => {
      const deleted = await client.query<{ at: number; action: string; reason: string }>(DELETE_OLDEST, [
        cutoff,
        batchRows,
      ]);
      const counter = dayCounter(timeZone);
      for (const call of deleted.rows) counter.add(call);
      const counts = counter.counts();
      if (counts.length > 0)
        await client.query(ADD_DAYS, [
          counts.map((c) => c.day),
          counts.map((c) => c.action),
          counts.map((c) => c.reason),
          counts.map((c) => c.calls),
        ]);
      return deleted.rowCount ?? 0;
    });
  }

  return {
    /**
     * Deletes every call before `cutoff` (epoch ms), keeping its count in the daily stats of its day in `timeZone`.
     * Returns how many were deleted. `opts.pace` is SQLite's and ignored here; `opts.signal` stops between batches.
     */
    async prune(cutoff: number, timeZone: string, opts: PruneOptions = {}): Promise<number> {
      let removed = 0;
      while (!opts.signal?.aborted) {
        const n = await pruneBatch(cutoff, timeZone);
        removed += n;
        if (n < batchRows) break;
      }
      return removed;
    },
  };
}
