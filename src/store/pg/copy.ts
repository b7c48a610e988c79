/**
 * `callfilter migrate-store`: a SQLite database copied into an empty PostgreSQL one. Both schemas come from the same
 * migrations (migrations/ and migrations/pg, kept equal by test/store/pg-migrate.test.ts), so every table is copied
 * column by column, ids included; then each identity sequence is moved past the highest id SQLite ever gave (so no
 * id is handed out twice), and every table's row count is compared.
 *
 * The copy reads one SQLite snapshot and writes in one PostgreSQL transaction: it is whole or not there at all.
 * prefix_lengths is not copied: PostgreSQL's triggers count it from the rows as they arrive, and the copy is verified
 * against SQLite's counts like the tables.
 */
import type pg from 'pg';
import type { Database } from '../database.js';
import { StoreError } from '../errors.js';
import { schemaVersion } from '../migrate.js';
import { assertPostgresSchema, migratePostgres } from './migrate.js';

/** Kept by triggers on entries and list_entries, on both engines: compared after the copy, never copied. */
const DERIVED = 'prefix_lengths';
/** PostgreSQL takes at most 65,535 parameters in one statement. */
const MAX_PARAMS = 60_000;
const MAX_BATCH_ROWS = 1_000;

export interface TableCopy {
  table: string;
  rows: number;
}

export interface CopyResult {
  tables: TableCopy[];
  /** Schema version both databases are at. */
  schemaVersion: number;
}

export interface CopyOptions {
  /** Called after each table (the command line prints progress). */
  onTable?: (copied: TableCopy) => void;
}

type Row = Record<string, unknown>;

/** The tables in an order that inserts every referenced row before the rows that reference it. */
function tablesInOrder(db: Database): string[] {
  const names = db
    .prepare<[], string>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .pluck()
    .all()
    .filter((name) => name !== DERIVED);
  const references = new Map(
    names.map((name) => [
      name,
      db
        .prepare<[], { table: string }>(`SELECT "table" FROM pragma_foreign_key_list('${name}')`)
        .all()
        .map((r) => r.table)
        .filter((t) => t !== name),
    ]),
  );
  const ordered: string[] = [];
  const visit = (name: string, path: Set<string>): void => {
    if (ordered.includes(name)) return;
    if (path.has(name)) throw new StoreError('schema', `foreign keys form a cycle through ${name}`);
    path.add(name);
    for (const parent of references.get(name) ?? []) visit(parent, path);
    path.delete(name);
    ordered.push(name);
  };
  for (const name of names) visit(name, new Set());
  return ordered;
}

async function countRows(client: pg.ClientBase, table: string): Promise<number> {
  const r = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`);
  return r.rows[0]?.n ?? 0;
}

async function insertBatch(client: pg.ClientBase, table: string, columns: string[], rows: Row[]): Promise<void> {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const slots = columns.map((c) => {
      params.push(row[c]);
      return `$${params.length}`;
    });
    return `(${slots.join(', ')})`;
  });
  // OVERRIDING SYSTEM VALUE: the ids are SQLite's, which other rows and the call log's links refer to.
  await client.query(
    `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${tuples.join(', ')}`,
    params,
  );
}

/** The highest id SQLite has handed out for `table`: AUTOINCREMENT remembers ids of deleted rows too. */
function highestId(db: Database, table: string): number {
  const max = db.prepare<[], number | null>(`SELECT max(id) FROM "${table}"`).pluck().get() ?? 0;
  const hasSequence = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get() !== undefined;
  const seq = hasSequence
    ? (db.prepare<[string], number>('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(table) ?? 0)
    : 0;
  return Math.max(max, seq);
}

async function copyTable(db: Database, client: pg.ClientBase, table: string): Promise<number> {
  const columns = db.prepare<[], string>(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`).pluck().all();
  const perBatch = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMS / columns.length)));
  let batch: Row[] = [];
  let rows = 0;
  for (const row of db.prepare<[], Row>(`SELECT * FROM "${table}"`).iterate()) {
    batch.push(row);
    if (batch.length === perBatch) {
      await insertBatch(client, table, columns, batch);
      rows += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) await insertBatch(client, table, columns, batch);
  rows += batch.length;
  if (columns.includes('id')) {
    const identity = await client.query<{ seq: string | null }>('SELECT pg_get_serial_sequence($1, $2) AS seq', [
      `"${table}"`,
      'id',
    ]);
    const seq = identity.rows[0]?.seq;
    const highest = highestId(db, table);
    if (seq && highest > 0) await client.query('SELECT setval($1, $2)', [seq, highest]);
  }
  return rows;
}

/** A row as text that compares equal across the engines (PostgreSQL's bigints come as strings). */
const rowText = (row: Row) => JSON.stringify(Object.entries(row).map(([k, v]) => [k, String(v)]));

async function derivedRows(client: pg.ClientBase): Promise<string[]> {
  return (await client.query<Row>(`SELECT * FROM ${DERIVED}`)).rows.map(rowText).sort();
}

function sqliteDerivedRows(db: Database): string[] {
  return db.prepare<[], Row>(`SELECT * FROM ${DERIVED}`).all().map(rowText).sort();
}

/**
 * Copies every table of `db` into the PostgreSQL database `pool` points at, migrating it first. Refuses a PostgreSQL
 * database that already holds rows (a copy never merges) and a SQLite database whose schema differs from the build's.
 */
export async function copyToPostgres(db: Database, pool: pg.Pool, options: CopyOptions = {}): Promise<CopyResult> {
  await migratePostgres(pool);
  const version = await assertPostgresSchema(pool);
  const sqliteVersion = schemaVersion(db);
  const client = await pool.connect();
  let failed = false;
  try {
    if (version !== sqliteVersion)
      throw new StoreError(
        'schema',
        `the SQLite database is at schema version ${sqliteVersion}, PostgreSQL at ${version}: open the SQLite database with this version of callfilter first (it migrates), then copy`,
      );
    const tables = tablesInOrder(db);
    for (const table of tables) {
      const n = await countRows(client, table);
      if (n > 0)
        throw new StoreError(
          'conflict',
          `the PostgreSQL database already holds data (${n} rows in ${table}): migrate-store copies into an empty database only`,
        );
    }
    const copied: TableCopy[] = [];
    db.handle.exec('BEGIN'); // one snapshot of SQLite for the whole copy
    try {
      await client.query('BEGIN');
      for (const table of tables) {
        const rows = await copyTable(db, client, table);
        const there = await countRows(client, table);
        if (there !== rows)
          throw new StoreError('unknown', `${table}: ${rows} rows read from SQLite, ${there} in PostgreSQL`);
        copied.push({ table, rows });
        options.onTable?.({ table, rows });
      }
      const [theirs, ours] = [await derivedRows(client), sqliteDerivedRows(db)];
      if (JSON.stringify(theirs) !== JSON.stringify(ours))
        throw new StoreError('unknown', `${DERIVED} counted by PostgreSQL's triggers differs from SQLite's`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      db.handle.exec('COMMIT');
    }
    return { tables: copied, schemaVersion: sqliteVersion };
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    client.release(failed);
  }
}
