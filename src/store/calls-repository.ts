/** The call log: one row per decided call, written before the AGI session ends. */
import type { RecentCall } from '../policy/types.js';
import { packFacts, unpackFacts } from './call-facts.js';
import { createCallRetention } from './call-retention.js';
import { createCallStats } from './call-stats.js';
import type { Database } from './database.js';
import { isBusy, toStoreError, withStoreErrors } from './errors.js';
import { createGroupCommit, type Queued } from './group-commit.js';
import { pageLimit, toPage } from './sql.js';
import type { CallQuery, CallRecord, NewCall, Page } from './types.js';

/** camelCase field ↔ column, in table order. */
const FIELDS = [
  ['at', 'at'],
  ['callerRaw', 'caller_raw'],
  ['callerNameRaw', 'caller_name_raw'],
  ['caller', 'caller'],
  ['callerKind', 'caller_kind'],
  ['presentation', 'presentation'],
  ['did', 'did'],
  ['country', 'country'],
  ['action', 'action'],
  ['reason', 'reason'],
  ['cause', 'cause'],
  ['label', 'label'],
  ['entryId', 'entry_id'],
  ['listId', 'list_id'],
  ['listEntryId', 'list_entry_id'],
  ['profile', 'profile'],
  ['uniqueId', 'unique_id'],
  ['channel', 'channel'],
  ['latencyUs', 'latency_us'],
  ['explanation', 'explanation'],
  ['facts', 'facts'],
  ['wouldHaveAction', 'would_have_action'],
  ['wouldHaveReason', 'would_have_reason'],
] as const satisfies readonly (readonly [keyof NewCall, string])[];

const COLUMNS = `id, ${FIELDS.map(([, column]) => column).join(', ')}`;

type CallRow = Record<string, unknown> & { id: number };

function toCall(row: CallRow): CallRecord {
  const call: Record<string, unknown> = { id: row.id };
  for (const [field, column] of FIELDS) {
    const value = row[column];
    if (value !== null && value !== undefined) call[field] = field === 'facts' ? unpackFacts(value as string) : value;
  }
  return call as unknown as CallRecord;
}

/** Positional parameters in FIELDS order (better-sqlite3 binds these faster than named ones). */
function toParams(call: NewCall): unknown[] {
  return FIELDS.map(([field]) =>
    field === 'facts'
      ? call.facts === undefined
        ? null
        : packFacts(call.facts)
      : (call[field] ?? (field === 'callerRaw' ? '' : null)),
  );
}

export function createCallsRepository(db: Database) {
  const insert = db.prepare<unknown[]>(
    `INSERT INTO calls (${FIELDS.map(([, c]) => c).join(', ')}) VALUES (${FIELDS.map(() => '?').join(', ')})`,
  );
  const insertOne = (call: NewCall) => Number(insert.run(...toParams(call)).lastInsertRowid);
  const group = createGroupCommit<NewCall, number>({
    commitAll: (calls) => db.callPathWrite(() => db.transaction(() => calls.map(insertOne))),
    commitOne: (call) => db.callPathWrite(() => insertOne(call)),
    sharedFailure: isBusy,
  });
  const recent = db.prepare<[string, number, number], RecentCall>(
    'SELECT at, action, reason FROM calls WHERE caller = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT ?',
  );
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
     */
    log(call: NewCall, soon = true): Queued<number> {
      const queued = group.add(call, soon);
      return { committed: () => queued.committed().catch((err: unknown) => Promise.reject(toStoreError(err))) };
    },

    /** Calls from this number since `since` (epoch ms), newest first — the repeat-caller rule's input. */
    async recent(caller: string, since: number, limit = 10): Promise<RecentCall[]> {
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
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, ...values: unknown[]) => {
        where.push(sql);
        params.push(...values);
      };
      if (query.action !== undefined) add('action = ?', query.action);
      if (query.reason !== undefined) add('reason = ?', query.reason);
      if (query.number !== undefined) add('caller = ?', query.number);
      if (query.did !== undefined) add('did = ?', query.did);
      if (query.from !== undefined) add('at >= ?', query.from);
      if (query.to !== undefined) add('at < ?', query.to);
      if (query.cursor !== undefined) {
        const at = atOf.get(query.cursor);
        if (at === undefined) return { items: [] }; // the cursor row is gone (retention): nothing after it to show
        add('at <= ? AND (at < ? OR id < ?)', at, at, query.cursor);
      }
      const sql = `SELECT ${COLUMNS} FROM calls ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`;
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
