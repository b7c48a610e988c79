/**
 * The call log on PostgreSQL (../calls-repository.ts says what each operation is; the statements are shared with it
 * where both dialects read them alike, ../call-rows.ts). Every node of a cluster logs into the one table: ids come
 * from its identity sequence, so rows logged at once on two nodes never share an id.
 *
 * `log()` here is one INSERT … RETURNING id in autocommit, sent at once: what commands and tests write through. A
 * cluster node's call path logs through spooled-calls.ts instead, which batches the rows of calls decided together
 * and keeps them in the node's spool while PostgreSQL is away.
 */
import type pg from 'pg';
import type { RecentCall } from '../../policy/types.js';
import {
  type CallRow,
  COLUMNS,
  INSERT_SQL,
  listFilter,
  RECENT_LIMIT,
  RECENT_SQL,
  toCall,
  toParams,
} from '../call-rows.js';
import type { CallsRepository } from '../calls-repository.js';
import type { Queued } from '../group-commit.js';
import { pageLimit, toPage } from '../sql.js';
import type { CallQuery, CallRecord, NewCall, Page } from '../types.js';
import { createPostgresCallRetention } from './call-retention.js';
import { createPostgresCallStats } from './call-stats.js';
import { toPostgresStoreError, withPostgresErrors } from './errors.js';
import { dollars, inTransaction, type Queryable } from './sql.js';

export interface PostgresCallsOptions {
  /** Calls deleted per retention transaction (default PRUNE_BATCH_ROWS); tests make it small. */
  pruneBatchRows?: number;
}

// Named, so each connection parses and plans them once: they run once per call.
const INSERT = { name: 'calls-insert', text: `${dollars(INSERT_SQL)} RETURNING id` };
const RECENT = { name: 'calls-recent', text: dollars(RECENT_SQL) };

async function insertOne(db: Queryable, call: NewCall): Promise<number> {
  const r = await db.query<{ id: number }>({ ...INSERT, values: toParams(call) });
  return (r.rows[0] as { id: number }).id;
}

export function createPostgresCallsRepository(pool: pg.Pool, options: PostgresCallsOptions = {}): CallsRepository {
  return withPostgresErrors({
    /** Committed when this resolves (autocommit); returns the row id. */
    async insert(call: NewCall): Promise<number> {
      return insertOne(pool, call);
    },

    /** Many rows in one transaction; their ids in order. */
    async insertMany(calls: readonly NewCall[]): Promise<number[]> {
      if (calls.length === 0) return [];
      return inTransaction(pool, async (client) => {
        const ids: number[] = [];
        for (const call of calls) ids.push(await insertOne(client, call));
        return ids;
      });
    },

    /**
     * The call path's write: the INSERT goes out now, so it runs while the caller does what does not need the row id;
     * `committed()` resolves with the id once the row is committed. `soon` is SQLite's group commit's and means
     * nothing here: every row is sent at once.
     */
    log(call: NewCall, _soon?: boolean): Queued<number> {
      const written = (async () => insertOne(pool, call))().catch((err: unknown) =>
        Promise.reject(toPostgresStoreError(err)),
      );
      // A failure is the caller's to see through committed(); until it asks, it is not an unhandled rejection.
      written.catch(() => {});
      return { committed: () => written };
    },

    /** Calls from this number since `since` (epoch ms), newest first — the repeat-caller rule's input. */
    async recent(caller: string, since: number, limit = RECENT_LIMIT): Promise<RecentCall[]> {
      const r = await pool.query<RecentCall>({ ...RECENT, values: [caller, since, limit] });
      return r.rows;
    },

    async get(id: number): Promise<CallRecord | undefined> {
      const r = await pool.query<CallRow>(`SELECT ${COLUMNS} FROM calls WHERE id = $1`, [id]);
      const row = r.rows[0];
      return row && toCall(row);
    },

    /** The rows of these ids that exist, in id order. */
    async getMany(ids: readonly number[]): Promise<CallRecord[]> {
      if (ids.length === 0) return [];
      const r = await pool.query<CallRow>(`SELECT ${COLUMNS} FROM calls WHERE id = ANY($1::bigint[]) ORDER BY id`, [
        ids,
      ]);
      return r.rows.map(toCall);
    },

    /**
     * The calls logged after call `id`, oldest first (by id), at most `limit`. With several nodes writing, ids are
     * handed out before commit: a row with a lower id can become visible after one with a higher id was read.
     */
    async after(id: number, limit: number): Promise<CallRecord[]> {
      const r = await pool.query<CallRow>(`SELECT ${COLUMNS} FROM calls WHERE id > $1 ORDER BY id LIMIT $2`, [
        id,
        limit,
      ]);
      return r.rows.map(toCall);
    },

    /** Newest first (by time, then id); `nextCursor` is the last row's id. */
    async list(query: CallQuery = {}): Promise<Page<CallRecord>> {
      const limit = pageLimit(query);
      let cursorAt: number | undefined;
      if (query.cursor !== undefined) {
        const r = await pool.query<{ at: number }>('SELECT at FROM calls WHERE id = $1', [query.cursor]);
        cursorAt = r.rows[0]?.at;
        if (cursorAt === undefined) return { items: [] }; // the cursor row is gone (retention): nothing after it to show
      }
      const { where, params } = listFilter(query, cursorAt);
      const sql = dollars(`SELECT ${COLUMNS} FROM calls ${where} ORDER BY at DESC, id DESC LIMIT ?`);
      const r = await pool.query<CallRow>(sql, [...params, limit + 1]);
      return toPage(r.rows.map(toCall), limit);
    },

    async count(): Promise<number> {
      const r = await pool.query<{ n: number }>('SELECT count(*) AS n FROM calls');
      return r.rows[0]?.n ?? 0;
    },

    ...createPostgresCallStats(pool),
    ...createPostgresCallRetention(pool, options.pruneBatchRows),
  });
}
