/**
 * The same four operations written for each candidate of bench/pg-clients.ts: node-postgres (`pg`, plain and with
 * named prepared statements), postgres.js (`postgres`), Kysely over `pg`, and for SQLite better-sqlite3 directly and
 * Kysely over it. The candidates are loaded by name at run time, so the project builds without them.
 */
import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';

export interface Impl {
  name: string;
  byId(id: number): Promise<unknown>;
  /** The call path's entries lookup: `number IN (the number and its leading parts)`. */
  byNumber(keys: string[], number: string): Promise<unknown>;
  insert(row: CallRow): Promise<void>;
  insertBatch(rows: CallRow[]): Promise<void>;
  close(): Promise<void>;
}

export const ENTRY_COLUMNS =
  'id, number, is_prefix, kind, action, cause, announcement, label, vip, note, source, contact_id, expires_at, created_at, updated_at';
export const CALL_COLUMNS = [
  'id',
  'at',
  'caller_raw',
  'caller_name_raw',
  'caller',
  'caller_kind',
  'presentation',
  'did',
  'country',
  'action',
  'reason',
  'cause',
  'label',
  'entry_id',
  'list_id',
  'profile',
  'unique_id',
  'channel',
  'latency_us',
] as const;
export type CallRow = Record<(typeof CALL_COLUMNS)[number], string | number | null>;

/** A call-log row like the service writes (~300 bytes). */
export function callRow(k: number, tag: string): CallRow {
  return {
    id: randomUUID(),
    at: 1_760_000_000_000 + k,
    caller_raw: `0301${String(k % 1_000_000).padStart(6, '0')}`,
    caller_name_raw: 'unknown',
    caller: `+49301${String(k % 1_000_000).padStart(6, '0')}`,
    caller_kind: 'number',
    presentation: 0,
    did: '+4930999000',
    country: 'DE',
    action: 'voicemail',
    reason: 'unknown',
    cause: null,
    label: null,
    entry_id: null,
    list_id: null,
    profile: 'default',
    unique_id: `1760000000.${k}`,
    channel: `PJSIP/trunk-${tag}-${k}`,
    latency_us: 400 + (k % 100),
  };
}

const ENTRIES_TABLE = `CREATE TABLE entries (
  id ID_TYPE PRIMARY KEY, number text NOT NULL, is_prefix integer NOT NULL DEFAULT 0, kind text NOT NULL,
  action text, cause integer, announcement text, label text, vip integer NOT NULL DEFAULT 0, note text,
  source text NOT NULL DEFAULT 'manual', contact_id bigint, expires_at bigint, created_at bigint NOT NULL,
  updated_at bigint NOT NULL);
CREATE UNIQUE INDEX entries_number ON entries (number, is_prefix, kind);
CREATE TABLE calls (id text PRIMARY KEY, at bigint NOT NULL, caller_raw text NOT NULL, caller_name_raw text,
  caller text, caller_kind text NOT NULL, presentation integer, did text, country text, action text NOT NULL,
  reason text NOT NULL, cause integer, label text, entry_id bigint, list_id bigint, profile text, unique_id text,
  channel text, latency_us integer);`;

/** 100,000 entries: +49301000000 … +49301099999, a tenth of them allow, with a label. */
export const PG_SETUP_SQL = `${ENTRIES_TABLE.replace('ID_TYPE', 'bigserial')}
INSERT INTO entries (number, kind, label, created_at, updated_at)
  SELECT '+49301' || lpad(g::text, 6, '0'), CASE WHEN g % 10 = 0 THEN 'allow' ELSE 'block' END, 'entry ' || g, 0, 0
  FROM generate_series(0, 99999) AS g;
ANALYZE;`;

export function setupSqlite(db: BetterSqlite3.Database): void {
  db.exec(ENTRIES_TABLE.replace('ID_TYPE', 'integer'));
  const insert = db.prepare('INSERT INTO entries (number, kind, label, created_at, updated_at) VALUES (?, ?, ?, 0, 0)');
  db.transaction(() => {
    for (let g = 0; g < 100_000; g++)
      insert.run(`+49301${String(g).padStart(6, '0')}`, g % 10 === 0 ? 'allow' : 'block', `entry ${g}`);
  })();
}

const BY_ID = `SELECT ${ENTRY_COLUMNS} FROM entries WHERE id = $1`;
const BY_NUMBER = `SELECT ${ENTRY_COLUMNS} FROM entries WHERE number IN ($1, $2, $3) AND (is_prefix = 1 OR number = $4) ORDER BY is_prefix, length(number) DESC, kind, id`;
const INSERT = `INSERT INTO calls (${CALL_COLUMNS.join(', ')}) VALUES (${CALL_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

function batchSql(rows: number): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++)
    tuples.push(`(${CALL_COLUMNS.map((_, i) => `$${r * CALL_COLUMNS.length + i + 1}`).join(', ')})`);
  return `INSERT INTO calls (${CALL_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`;
}

function values(row: CallRow): (string | number | null)[] {
  return CALL_COLUMNS.map((c) => row[c]);
}

// The candidates are optional: typed loosely here, on purpose (their types are not installed with the project).
async function load(name: string): Promise<any> {
  try {
    const mod = await import(name);
    return mod.default ?? mod;
  } catch {
    throw new Error(`${name} is not installed: npm install --no-save pg @types/pg postgres@3 kysely@0.28`);
  }
}

async function pgClient(url: string): Promise<any> {
  const pg = await load('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

export async function pgPlain(url: string): Promise<Impl> {
  const client = await pgClient(url);
  const batch = batchSql(1000);
  return {
    name: 'pg',
    byId: async (id) => (await client.query(BY_ID, [id])).rows[0],
    byNumber: async (keys, number) => (await client.query(BY_NUMBER, [...keys, number])).rows,
    insert: async (row) => void (await client.query(INSERT, values(row))),
    insertBatch: async (rows) =>
      void (await client.query(rows.length === 1000 ? batch : batchSql(rows.length), rows.flatMap(values))),
    close: () => client.end(),
  };
}

/** Named statements: parsed and planned once per connection, as postgres.js does by default. */
export async function pgPrepared(url: string): Promise<Impl> {
  const client = await pgClient(url);
  const batch = batchSql(1000);
  return {
    name: 'pg (named prepared)',
    byId: async (id) => (await client.query({ name: 'by-id', text: BY_ID, values: [id] })).rows[0],
    byNumber: async (keys, number) =>
      (await client.query({ name: 'by-number', text: BY_NUMBER, values: [...keys, number] })).rows,
    insert: async (row) => void (await client.query({ name: 'insert-call', text: INSERT, values: values(row) })),
    insertBatch: async (rows) =>
      void (await client.query({ name: 'insert-1000', text: batch, values: rows.flatMap(values) })),
    close: () => client.end(),
  };
}

export async function postgresJs(url: string): Promise<Impl> {
  const postgres = await load('postgres');
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  return {
    name: 'postgres (postgres.js)',
    byId: async (id) =>
      (
        await sql`SELECT id, number, is_prefix, kind, action, cause, announcement, label, vip, note, source, contact_id, expires_at, created_at, updated_at FROM entries WHERE id = ${id}`
      )[0],
    byNumber: async (keys, number) =>
      await sql`SELECT id, number, is_prefix, kind, action, cause, announcement, label, vip, note, source, contact_id, expires_at, created_at, updated_at FROM entries WHERE number IN ${sql(keys)} AND (is_prefix = 1 OR number = ${number}) ORDER BY is_prefix, length(number) DESC, kind, id`,
    insert: async (row) => void (await sql`INSERT INTO calls ${sql(row, ...CALL_COLUMNS)}`),
    insertBatch: async (rows) => void (await sql`INSERT INTO calls ${sql(rows, ...CALL_COLUMNS)}`),
    close: () => sql.end(),
  };
}

function kyselyQueries(db: any, name: string): Impl {
  const cols = ENTRY_COLUMNS.split(', ');
  return {
    name,
    byId: (id) => db.selectFrom('entries').select(cols).where('id', '=', id).executeTakeFirst(),
    byNumber: (keys, number) =>
      db
        .selectFrom('entries')
        .select(cols)
        .where('number', 'in', keys)
        .where((eb: any) => eb.or([eb('is_prefix', '=', 1), eb('number', '=', number)]))
        .orderBy('is_prefix')
        .orderBy((eb: any) => eb.fn('length', ['number']), 'desc')
        .orderBy('kind')
        .orderBy('id')
        .execute(),
    insert: async (row) => void (await db.insertInto('calls').values(row).execute()),
    insertBatch: async (rows) => void (await db.insertInto('calls').values(rows).execute()),
    close: () => db.destroy(),
  };
}

export async function kyselyPg(url: string): Promise<Impl> {
  const { Kysely, PostgresDialect } = await load('kysely');
  const pg = await load('pg');
  const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  return kyselyQueries(db, 'kysely over pg');
}

export async function kyselySqlite(sqlite: BetterSqlite3.Database): Promise<Impl> {
  const { Kysely, SqliteDialect } = await load('kysely');
  // Kysely closes the database it was given on destroy(): hand it a proxy whose close() does nothing.
  const db = new Kysely({
    dialect: new SqliteDialect({
      database: new Proxy(sqlite, { get: (t, p) => (p === 'close' ? () => {} : Reflect.get(t, p, t)) }),
    }),
  });
  return kyselyQueries(db, 'kysely over better-sqlite3');
}

export function sqliteDirect(db: BetterSqlite3.Database): Impl {
  const byId = db.prepare(BY_ID.replace('$1', '?'));
  const byNumber = db.prepare(BY_NUMBER.replace(/\$\d+/g, '?'));
  const insert = db.prepare(INSERT.replace(/\$\d+/g, '?'));
  // SQLite's limit of 32,766 variables fits 1,000 rows of 19.
  const batch = db.prepare(batchSql(1000).replace(/\$\d+/g, '?'));
  return {
    name: 'better-sqlite3',
    byId: async (id) => byId.get(id),
    byNumber: async (keys, number) => byNumber.all(...keys, number),
    insert: async (row) => void insert.run(values(row)),
    insertBatch: async (rows) => void batch.run(rows.flatMap(values)),
    close: async () => {},
  };
}
