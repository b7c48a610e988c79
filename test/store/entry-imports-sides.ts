/**
 * What test/store/entry-imports.test.ts reads and writes beside the imports, on either engine. SQLite: the store's
 * repositories. PostgreSQL: plain statements with the import-visibility rule (POSTGRES_VISIBLE), as the entries and
 * contacts repositories read — those are ported on their own, and these tests are about the imports.
 */
import type pg from 'pg';
import type { EntryKind } from '../../src/policy/types.js';
import { ENTRY_COLUMNS, type EntryRow, toEntry, toParams } from '../../src/store/entries-repository.js';
import type { EntryImports } from '../../src/store/entry-imports.js';
import { POSTGRES_VISIBLE } from '../../src/store/import-visibility.js';
import type { NewEntry, Page, SqliteStore, StoredEntry } from '../../src/store/index.js';
import { dollars } from '../../src/store/pg/sql.js';
import { containsPattern, pageLimit, toPage } from '../../src/store/sql.js';
import { leadingParts } from './helpers.js';

interface ListQuery {
  limit?: number;
  cursor?: number;
  kind?: EntryKind;
  search?: string;
  contactId?: number | undefined;
}

export interface Side {
  imports: EntryImports;
  /** The entries a call from `e164` matches (entries.match). */
  match(e164: string): Promise<StoredEntry[]>;
  count(kind?: EntryKind): Promise<number>;
  list(query?: ListQuery): Promise<Page<StoredEntry>>;
  findByNumber(n: string, prefix: boolean): Promise<StoredEntry[]>;
  /** The contacts anyone sees (their ids). */
  contacts(): Promise<number[]>;
  contactsByExternalId(source: string, externalId: string): Promise<{ id: number }[]>;
  bulkInsert(rows: NewEntry[]): Promise<void>;
  create(entry: NewEntry): Promise<void>;
  /** A number from a statement written with `?` placeholders. */
  scalar(sql: string, params?: unknown[]): Promise<number>;
  run(sql: string, params?: unknown[]): Promise<void>;
}

export function sqliteSide(store: SqliteStore): Side {
  const handle = store.db.handle;
  return {
    imports: store.entryImports,
    match: (e164) => store.entries.match(e164, leadingParts(e164)),
    count: (kind) => store.entries.count(kind),
    list: (query) => store.entries.list(query as Parameters<SqliteStore['entries']['list']>[0]),
    findByNumber: (n, prefix) => store.entries.findByNumber(n, prefix),
    contacts: async () => (await store.contacts.list()).items.map((c) => c.id),
    contactsByExternalId: (source, externalId) => store.contacts.findByExternalId(source, externalId),
    bulkInsert: async (rows) => void (await store.entries.bulkInsert(rows)),
    create: async (entry) => void (await store.entries.create(entry)),
    scalar: async (sql, params = []) =>
      Number(
        handle
          .prepare(sql)
          .pluck()
          .get(...params),
      ),
    run: async (sql, params = []) => void handle.prepare(sql).run(...params),
  };
}

const ENTRY_INSERT = `INSERT INTO entries (number, is_prefix, kind, action, cause, announcement, label, vip, note, source,
  contact_id, expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
  ON CONFLICT (number, is_prefix, kind) DO NOTHING`;

export function postgresSide(pool: pg.Pool, imports: EntryImports, clock: () => number = Date.now): Side {
  const entries = async (where: string, params: unknown[], order: string) =>
    (
      await pool.query<EntryRow>(
        `SELECT ${ENTRY_COLUMNS} FROM entries WHERE ${where} AND ${POSTGRES_VISIBLE} ORDER BY ${order}`,
        params,
      )
    ).rows.map(toEntry);
  const insert = async (entry: NewEntry) => {
    const p = toParams(entry, clock());
    await pool.query(ENTRY_INSERT, [
      p.number,
      p.is_prefix,
      p.kind,
      p.action,
      p.cause,
      p.announcement,
      p.label,
      p.vip,
      p.note,
      p.source,
      p.contact_id,
      p.expires_at,
      p.now,
    ]);
  };
  return {
    imports,
    match: (e164) =>
      entries(
        'number = ANY($1::text[]) AND (is_prefix = 1 OR number = $2)',
        [leadingParts(e164), e164],
        'is_prefix, length(number) DESC, kind, id',
      ),
    count: async (kind) =>
      Number(
        (
          await pool.query(
            `SELECT count(*) AS n FROM entries WHERE ($1::text IS NULL OR kind = $1) AND ${POSTGRES_VISIBLE}`,
            [kind ?? null],
          )
        ).rows[0].n,
      ),
    list: async (query = {}) => {
      const limit = pageLimit(query);
      const search = query.search ? containsPattern(query.search) : null;
      const rows = await entries(
        `($1::text IS NULL OR kind = $1) AND ($2::bigint IS NULL OR contact_id = $2) AND ($3::bigint IS NULL OR id < $3)
         AND ($4::text IS NULL OR number ILIKE $4 OR label ILIKE $4 OR note ILIKE $4)`,
        [query.kind ?? null, query.contactId ?? null, query.cursor ?? null, search],
        `id DESC LIMIT ${limit + 1}`,
      );
      return toPage(rows, limit);
    },
    findByNumber: (n, prefix) => entries('number = $1 AND is_prefix = $2', [n, prefix ? 1 : 0], 'kind'),
    contacts: async () =>
      (await pool.query<{ id: number }>(`SELECT id FROM contacts WHERE ${POSTGRES_VISIBLE} ORDER BY id DESC`)).rows.map(
        (r) => r.id,
      ),
    contactsByExternalId: async (source, externalId) =>
      (
        await pool.query<{ id: number }>(
          `SELECT id FROM contacts WHERE source = $1 AND external_id = $2 AND ${POSTGRES_VISIBLE} ORDER BY id`,
          [source, externalId],
        )
      ).rows,
    bulkInsert: async (rows) => {
      for (const entry of rows) await insert(entry);
    },
    create: insert,
    scalar: async (sql, params = []) => Number(Object.values((await pool.query(dollars(sql), params)).rows[0])[0]),
    run: async (sql, params = []) => void (await pool.query(dollars(sql), params)),
  };
}
