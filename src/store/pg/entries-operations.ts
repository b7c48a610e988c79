/**
 * The entries' statements on PostgreSQL (../entries-repository.ts says what each operation means), each taking the
 * connection to run on: the repository runs them on the pool or in a transaction of its own, contacts and origins
 * inside theirs. Every write that changes an entry announces it (`announceEntries`) on the connection it wrote on:
 * inside a transaction the announcement goes out at COMMIT, and not at all on rollback.
 */
import { coded } from '../../messages/index.js';
import type { EntryKind } from '../../policy/types.js';
import {
  ENTRY_COLUMNS as COLUMNS,
  type EntryRow,
  entryFilter,
  positionalValues,
  toEntry,
} from '../entries-repository.js';
import { StoreError } from '../errors.js';
import { POSTGRES_VISIBLE as VISIBLE } from '../import-visibility.js';
import { bool, pageLimit, patched, type RepositoryOptions, toPage } from '../sql.js';
import type { EntryPatch, EntryQuery, NewEntry, Page, StoredEntry } from '../types.js';
import { longestPart, probeKeysSql } from './prefix-lengths.js';
import { changePayload, SCREENING_CHANNEL } from './screening-replica.js';
import { dollars, type Queryable } from './sql.js';

/** Connections inside `announcingOnce`: the ids announced so far, sent at its end. */
const gathered = new WeakMap<Queryable, number[]>();

/** Tells every node's screening replica that these entries were added, changed or removed. */
export async function announceEntries(db: Queryable, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  const pending = gathered.get(db);
  if (pending) {
    pending.push(...ids);
    return;
  }
  await db.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS p (payload, n) ORDER BY n', [
    SCREENING_CHANNEL,
    ids.map((entry) => changePayload({ entry })),
  ]);
}

/**
 * Runs `fn` on a connection inside a transaction, with its announcements gathered and sent in one statement at the
 * end (still before COMMIT): a sync that changes thousands of entries saves a round trip per entry.
 */
export async function announcingOnce<T>(db: Queryable, fn: () => Promise<T>): Promise<T> {
  if (gathered.has(db)) return fn();
  const pending: number[] = [];
  gathered.set(db, pending);
  try {
    const value = await fn();
    gathered.delete(db);
    await announceEntries(db, pending);
    return value;
  } finally {
    gathered.delete(db);
  }
}

/**
 * Holds the number (or prefix) until the transaction ends, whatever its kind: what SQLite's single writer gave for
 * free. Without it two writers that each look for the number, find nothing and add theirs (a block and an allow
 * "last word", or two syncs creating the same entry) would both go through, or one would fail as a duplicate.
 */
export async function lockNumber(db: Queryable, number: string, prefix: boolean): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`entries:${bool(prefix)}:${number}`]);
}

const INSERT_COLUMNS =
  'number, is_prefix, kind, action, cause, announcement, label, vip, note, source, contact_id, expires_at, created_at, updated_at';
const INSERT = `INSERT INTO entries (${INSERT_COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
  ON CONFLICT (number, is_prefix, kind) DO NOTHING RETURNING ${COLUMNS}`;
/** Many rows in one statement, one array per column; ids follow the order of the arrays. */
const INSERT_MANY = `INSERT INTO entries (${INSERT_COLUMNS})
  SELECT number, is_prefix, kind, action, cause, announcement, label, vip, note, source, contact_id, expires_at, $13, $13
  FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::text[], $8::integer[],
    $9::text[], $10::text[], $11::bigint[], $12::bigint[])
    WITH ORDINALITY AS r (number, is_prefix, kind, action, cause, announcement, label, vip, note, source, contact_id, expires_at, n)
  ORDER BY n
  ON CONFLICT (number, is_prefix, kind) DO NOTHING RETURNING number, is_prefix, kind, id`;
const UPDATE = `UPDATE entries SET number = $1, is_prefix = $2, kind = $3, action = $4, cause = $5, announcement = $6,
  label = $7, vip = $8, note = $9, source = $10, contact_id = $11, expires_at = $12, updated_at = $13 WHERE id = $14
  RETURNING ${COLUMNS}`;
const BY_NUMBER = `SELECT ${COLUMNS} FROM entries WHERE number = $1 AND is_prefix = $2 AND ($3::text IS NULL OR kind = $3)`;
/** Rows per INSERT_MANY: a few hundred kB of parameters. */
const BULK_ROWS = 1000;

/** The same statement as ../entries-repository.ts matchSql(): $1 the number, $2 the longest part, $3 `now` or null. */
export const MATCH = `SELECT ${COLUMNS} FROM entries
  WHERE number = ANY (${probeKeysSql('entries', '$1', '$2')}) AND (is_prefix = 1 OR number = $1)
    AND ($3::bigint IS NULL OR expires_at IS NULL OR expires_at > $3) AND ${VISIBLE}
  ORDER BY is_prefix, length(number) DESC, kind, id`;

/**
 * ../entries-repository.ts overlappingSql() as three bounded parts in the order SQLite reads them (the prefixes
 * first, then the same number, then what lies inside), each in the order of the entries_number index, so a limit
 * cuts where SQLite's does: $1 number, $2 prefix (0/1), $3 kind, $4 now, $5 limit. Inside a prefix is `starts_with`,
 * not SQLite's range up to `number || ':'`: a range is right only in the C collation, and the database's may be
 * another; in the C collation the planner turns it into that range of the entries_number index itself.
 */
const live = `(expires_at IS NULL OR expires_at > $4) AND kind <> $3 AND ${VISIBLE}`;
export const OVERLAPPING = `SELECT * FROM (
    (SELECT 1 AS part, ${COLUMNS} FROM entries WHERE is_prefix = 1 AND ${live}
      AND number = ANY (ARRAY(SELECT substr($1::text, 1, len) FROM prefix_lengths WHERE tbl = 'entries' AND len <= length($1::text)))
      ORDER BY number LIMIT $5)
    UNION ALL
    (SELECT 2, ${COLUMNS} FROM entries WHERE $2::integer = 0 AND number = $1 AND is_prefix = 0 AND ${live} LIMIT $5)
    UNION ALL
    (SELECT 3, ${COLUMNS} FROM entries WHERE $2 = 1 AND starts_with(number, $1) AND ${live}
      AND NOT (is_prefix = 1 AND number = $1) ORDER BY number, is_prefix LIMIT $5)
  ) AS found ORDER BY part, number, is_prefix, id LIMIT $5`;

export function createPostgresEntriesOperations(options: RepositoryOptions = {}) {
  const clock = options.clock ?? Date.now;

  async function byNumber(db: Queryable, number: string, prefix: boolean, kind?: EntryKind): Promise<EntryRow[]> {
    const r = await db.query<EntryRow>(`${BY_NUMBER} AND ${VISIBLE} ORDER BY kind`, [
      number,
      bool(prefix),
      kind ?? null,
    ]);
    return r.rows;
  }

  /** A duplicate, said the way a person would: which entry already exists. */
  async function duplicate(db: Queryable, input: Pick<NewEntry, 'number' | 'prefix' | 'kind'>): Promise<StoreError> {
    const existing = (await byNumber(db, input.number, input.prefix ?? false, input.kind))[0];
    const shown = input.prefix ? `${input.number}*` : input.number;
    return StoreError.of('unique', coded('entry.exists', { kind: input.kind, number: shown, id: existing?.id ?? '' }), {
      details: { existingId: existing?.id },
    });
  }

  async function get(db: Queryable, id: number, lock = false): Promise<StoredEntry | undefined> {
    const r = await db.query<EntryRow>(
      `SELECT ${COLUMNS} FROM entries WHERE id = $1 AND ${VISIBLE}${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    const row = r.rows[0];
    return row && toEntry(row);
  }

  /** Inserts and announces; a duplicate throws StoreError `unique`. */
  async function create(db: Queryable, input: NewEntry): Promise<StoredEntry> {
    // A new row has no import_id: it is visible as it is returned.
    const row = (await db.query<EntryRow>(INSERT, positionalValues(input, clock()))).rows[0];
    if (row === undefined) throw await duplicate(db, input);
    await announceEntries(db, [row.id]);
    return toEntry(row);
  }

  /** Returns the updated entry, or undefined when there is none with this id. Inside a transaction. */
  async function update(db: Queryable, id: number, patch: EntryPatch): Promise<StoredEntry | undefined> {
    const cur = await get(db, id, true);
    if (!cur) return undefined;
    const next = {
      number: patch.number ?? cur.number,
      prefix: patch.prefix ?? cur.prefix,
      kind: patch.kind ?? cur.kind,
    };
    // The unique index counts the rows of an unfinished import too: a change must not collide with one of them.
    const taken = await db.query<EntryRow>(BY_NUMBER, [next.number, bool(next.prefix), next.kind]);
    const clash = taken.rows[0];
    if (clash && clash.id !== id) throw await duplicate(db, next);
    const r = await db.query<EntryRow>(UPDATE, [
      next.number,
      bool(next.prefix),
      next.kind,
      patched(patch.action, cur.action ?? null),
      patched(patch.cause, cur.cause ?? null),
      patched(patch.announcement, cur.announcement ?? null),
      patched(patch.label, cur.label ?? null),
      bool(patch.vip ?? cur.vip),
      patched(patch.note, cur.note ?? null),
      patch.source ?? cur.source,
      patched(patch.contactId, cur.contactId ?? null),
      patched(patch.expiresAt, cur.expiresAt ?? null),
      clock(),
      id,
    ]);
    await announceEntries(db, [id]);
    return r.rows[0] && toEntry(r.rows[0]);
  }

  async function remove(db: Queryable, id: number): Promise<boolean> {
    const r = await db.query<{ id: number }>(`DELETE FROM entries WHERE id = $1 AND ${VISIBLE} RETURNING id`, [id]);
    await announceEntries(
      db,
      r.rows.map((row) => row.id),
    );
    return r.rows.length > 0;
  }

  /** The last word wins (../entries-repository.ts `put`). Inside a transaction. */
  async function put(
    db: Queryable,
    input: NewEntry,
  ): Promise<{ entry: StoredEntry; created: boolean; removed: StoredEntry[] }> {
    const prefix = input.prefix ?? false;
    await lockNumber(db, input.number, prefix);
    const other = input.kind === 'allow' ? 'block' : 'allow';
    const removed: StoredEntry[] = [];
    for (const row of await byNumber(db, input.number, prefix, other))
      if (await remove(db, row.id)) removed.push(toEntry(row));
    const existing = (await byNumber(db, input.number, prefix, input.kind))[0];
    if (existing === undefined) return { entry: await create(db, input), created: true, removed };
    const { source: _source, ...patch } = input;
    return { entry: (await update(db, existing.id, patch)) as StoredEntry, created: false, removed };
  }

  async function list(db: Queryable, query: EntryQuery = {}): Promise<Page<StoredEntry>> {
    const limit = pageLimit(query);
    const { where, params } = entryFilter(query, 'ILIKE');
    // A plain scan down the primary key: ../entries-page.ts skips the rows of an unfinished import because SQLite
    // would read them on the event loop; here the server reads them, and the page is the same.
    const sql = `SELECT ${COLUMNS} FROM entries WHERE ${[...where, VISIBLE].join(' AND ')} ORDER BY id DESC LIMIT ?`;
    const r = await db.query<EntryRow>(dollars(sql), [...params, limit + 1]);
    return toPage(r.rows.map(toEntry), limit);
  }

  /** Many rows, all or nothing: run inside a transaction. Duplicates are skipped, or with 'error' abort it. */
  async function bulkInsert(
    db: Queryable,
    rows: Iterable<NewEntry>,
    opts: { onDuplicate?: 'skip' | 'error' } = {},
  ): Promise<{ added: number; skipped: number }> {
    const onDuplicate = opts.onDuplicate ?? 'skip';
    const now = clock();
    let added = 0;
    let skipped = 0;
    const insertBatch = async (batch: NewEntry[]) => {
      const columns: unknown[][] = Array.from({ length: 12 }, () => []);
      for (const row of batch) {
        const values = positionalValues(row, now);
        for (let i = 0; i < columns.length; i++) columns[i]?.push(values[i]);
      }
      const r = await db.query<{ number: string; is_prefix: number; kind: string; id: number }>(INSERT_MANY, [
        ...columns,
        now,
      ]);
      added += r.rows.length;
      skipped += batch.length - r.rows.length;
      if (onDuplicate === 'error' && r.rows.length < batch.length) {
        // The first row not inserted: every key inserted once, so a key's second row is the duplicate.
        const inserted = new Set(r.rows.map((row) => `${row.kind}:${row.is_prefix}:${row.number}`));
        const first = batch.find((row) => !inserted.delete(`${row.kind}:${bool(row.prefix)}:${row.number}`));
        throw await duplicate(db, first ?? (batch[0] as NewEntry));
      }
      await announceEntries(
        db,
        r.rows.map((row) => row.id),
      );
    };
    let batch: NewEntry[] = [];
    for (const row of rows) {
      batch.push(row);
      if (batch.length >= BULK_ROWS) {
        await insertBatch(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await insertBatch(batch);
    return { added, skipped };
  }

  return {
    get,
    create,
    update,
    remove,
    put,
    list,
    bulkInsert,

    async findByNumber(db: Queryable, number: string, prefix: boolean, kind?: EntryKind): Promise<StoredEntry[]> {
      return (await byNumber(db, number, prefix, kind)).map(toEntry);
    },

    async count(db: Queryable, kind?: EntryKind): Promise<number> {
      const r = await db.query<{ n: number }>(
        `SELECT count(*) AS n FROM entries WHERE ($1::text IS NULL OR kind = $1) AND ${VISIBLE}`,
        [kind ?? null],
      );
      return r.rows[0]?.n ?? 0;
    },

    /** Deletes what expired by `now` and announces each; inside a transaction. */
    async removeExpired(db: Queryable, now: number): Promise<number> {
      const r = await db.query<{ id: number }>(
        `DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= $1 AND ${VISIBLE} RETURNING id`,
        [now],
      );
      await announceEntries(
        db,
        r.rows.map((row) => row.id),
      );
      return r.rows.length;
    },

    async ofKindBetween(db: Queryable, kind: EntryKind, afterId: number, upToId: number): Promise<StoredEntry[]> {
      const r = await db.query<EntryRow>(
        `SELECT ${COLUMNS} FROM entries WHERE id > $1 AND id <= $2 AND kind = $3 AND ${VISIBLE} ORDER BY id`,
        [afterId, upToId, kind],
      );
      return r.rows.map(toEntry);
    },

    async overlapping(
      db: Queryable,
      key: { number: string; prefix: boolean; kind: EntryKind },
      now: number,
      limit: number,
    ): Promise<StoredEntry[]> {
      const r = await db.query<EntryRow>(OVERLAPPING, [key.number, bool(key.prefix), key.kind, now, limit]);
      return r.rows.map(toEntry).sort((a, b) => a.id - b.id);
    },

    async match(db: Queryable, e164: string, prefixes: readonly string[], opts: { now?: number } = {}) {
      const r = await db.query<EntryRow>(MATCH, [e164, longestPart(prefixes), opts.now ?? null]);
      return r.rows.map(toEntry);
    },
  };
}

export type PostgresEntriesOperations = ReturnType<typeof createPostgresEntriesOperations>;
