/** The call log: one row per decided call, written before the AGI session ends. */
import type { RecentCall } from '../policy/types.js';
import { createCallRetention } from './call-retention.js';
import {
  type CallRow,
  COLUMNS,
  INSERT_SQL,
  listFilter,
  RECENT_LIMIT,
  RECENT_SQL,
  toCall,
  toParams,
} from './call-rows.js';
import { createCallStats } from './call-stats.js';
import type { Database } from './database.js';
import { isBusy, toStoreError, withStoreErrors } from './errors.js';
import { createGroupCommit, type Queued } from './group-commit.js';
import { pageLimit, toPage } from './sql.js';
import type { CallQuery, CallRecord, NewCall, Page } from './types.js';

export function createCallsRepository(db: Database) {
  const insert = db.prepare<unknown[]>(INSERT_SQL);
  const insertOne = (call: NewCall) => Number(insert.run(...toParams(call)).lastInsertRowid);
  const group = createGroupCommit<NewCall, number>({
    commitAll: (calls) => db.callPathWrite(() => db.transaction(() => calls.map(insertOne))),
    commitOne: (call) => db.callPathWrite(() => insertOne(call)),
    sharedFailure: isBusy,
  });
  const recent = db.prepare<[string, number, number], RecentCall>(RECENT_SQL);
  const byId = db.prepare<[number], CallRow>(`SELECT ${COLUMNS} FROM calls WHERE id = ?`);
  const byIds = db.prepare<[string], CallRow>(
    `SELECT ${COLUMNS} FROM calls WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
  );
  const afterId = db.prepare<[number, number], CallRow>(
    `SELECT ${COLUMNS} FROM calls WHERE id > ? ORDER BY id LIMIT ?`,
  );
  const atOf = db.prepare<[number], number>('SELECT at FROM calls WHERE id = ?').pluck();
  const countAll = db.prepare<[], number>('SELECT count(*) FROM calls').pluck();

  return withStoreErrors({
    /**
     * One INSERT in autocommit: committed (WAL, synchronous=NORMAL: safe from a process crash) when this returns,
     * so the row exists before the AGI session ends. Returns the row id (CALLFILTER_CALL_ID). While another process
     * holds the write lock it fails fast instead of waiting busy_timeout per call (Database.callPathWrite).
     */
    async insert(call: NewCall): Promise<number> {
      return db.callPathWrite(() => insertOne(call));
    },

    /** Many rows in one transaction (history written at once, off the call path); their ids in order. */
    async insertMany(calls: readonly NewCall[]): Promise<number[]> {
      return db.transaction(() => calls.map(insertOne));
    },

    /**
     * The call path's write: queues the row for a commit it shares with the rows of the calls decided meanwhile
     * (group-commit.ts). It is written when `committed()` is asked for, right after this turn of the event loop with
     * `soon` (a lone call), and never later than MAX_HOLD_MS; `committed()` resolves with the row id once it is.
     * (A cluster node's log resolves without an id when the row is kept in its spool: pg/spooled-calls.ts.)
     */
    log(call: NewCall, soon = true): Queued<number | undefined> {
      const queued = group.add(call, soon);
      return { committed: () => queued.committed().catch((err: unknown) => Promise.reject(toStoreError(err))) };
    },

    /** Calls from this number since `since` (epoch ms), newest first — the repeat-caller rule's input. */
    async recent(caller: string, since: number, limit = RECENT_LIMIT): Promise<RecentCall[]> {
      return recent.all(caller, since, limit);
    },

    async get(id: number): Promise<CallRecord | undefined> {
      const row = byId.get(id);
      return row && toCall(row);
    },

    /** The rows of these ids that exist, in id order: one statement for a batch (the notifications read each burst). */
    async getMany(ids: readonly number[]): Promise<CallRecord[]> {
      return ids.length === 0 ? [] : byIds.all(JSON.stringify(ids)).map(toCall);
    },

    /** The calls logged after call `id`, oldest first (by id), at most `limit`: a backlog read in pages. */
    async after(id: number, limit: number): Promise<CallRecord[]> {
      return afterId.all(id, limit).map(toCall);
    },

    /** Newest first (by time, then id); `nextCursor` is the last row's id. */
    async list(query: CallQuery = {}): Promise<Page<CallRecord>> {
      const limit = pageLimit(query);
      let cursorAt: number | undefined;
      if (query.cursor !== undefined) {
        cursorAt = atOf.get(query.cursor);
        if (cursorAt === undefined) return { items: [] }; // the cursor row is gone (retention): nothing after it to show
      }
      const { where, params } = listFilter(query, cursorAt);
      const sql = `SELECT ${COLUMNS} FROM calls ${where} ORDER BY at DESC, id DESC LIMIT ?`;
      return toPage(
        db
          .prepare<unknown[], CallRow>(sql)
          .all(...params, limit + 1)
          .map(toCall),
        limit,
      );
    },

    async count(): Promise<number> {
      return countAll.get() ?? 0;
    },

    ...createCallStats(db),
    ...createCallRetention(db),
  });
}

export type CallsRepository = ReturnType<typeof createCallsRepository>;
