/**
 * PostgreSQL migrations against a real server: once per cluster under the advisory lock, a node older than the
 * schema refused, a failed migration leaving nothing behind — and parity: migrations/pg/ must build the same tables,
 * columns, indexes and named constraints as migrations/, so the two folders stay one schema.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Database } from '../../src/store/database.js';
import { defaultMigrationsDir, loadMigrations, migrate } from '../../src/store/migrate.js';
import {
  assertPostgresSchema,
  MIGRATION_LOCK_KEY,
  migratePostgres,
  postgresMigrationsDir,
  postgresSchemaVersion,
} from '../../src/store/pg/migrate.js';
import { usePostgres } from '../helpers/postgres.js';
import { tempDir } from './helpers.js';

const db = usePostgres();
const LATEST = loadMigrations(postgresMigrationsDir()).at(-1)?.version ?? 0;

/** A client on a new, empty database of the file's cluster. */
async function freshClient(database?: string): Promise<pg.Client> {
  const name = database ?? (await db.cluster.createDatabase('migrate'));
  const client = new pg.Client({ connectionString: db.cluster.url(name) });
  await client.connect();
  onTestFinished(() => client.end());
  return client;
}

async function versions(client: pg.ClientBase): Promise<number[]> {
  const res = await client.query<{ version: number }>('SELECT version FROM schema_version ORDER BY version');
  return res.rows.map((r) => r.version);
}

/** Whether anyone holds the migration lock (asked from another session, which takes and drops it). */
async function lockIsFree(client: pg.ClientBase): Promise<boolean> {
  const res = await client.query<{ free: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS free', [
    String(MIGRATION_LOCK_KEY),
  ]);
  const free = res.rows[0]?.free ?? false;
  if (free) await client.query('SELECT pg_advisory_unlock($1::bigint)', [String(MIGRATION_LOCK_KEY)]);
  return free;
}

describe('migrations/pg', () => {
  it('has one file per SQLite migration, with the same number and name, which the SQLite loader does not see', () => {
    const sqlite = loadMigrations(defaultMigrationsDir());
    const postgres = loadMigrations(postgresMigrationsDir());
    expect(postgres.map((m) => [m.version, m.name])).toEqual(sqlite.map((m) => [m.version, m.name]));
    expect(sqlite.every((m) => !m.file.includes(`${join('migrations', 'pg')}`))).toBe(true);
  });
});

describe('migratePostgres', () => {
  it('applies every migration to an empty database, and nothing the second time', async () => {
    const client = await freshClient();
    expect(await postgresSchemaVersion(client)).toBe(0);
    const applied = await migratePostgres(client);
    expect(applied.map((m) => m.version)).toEqual(loadMigrations(postgresMigrationsDir()).map((m) => m.version));
    expect(await versions(client)).toEqual(applied.map((m) => m.version));
    expect(await assertPostgresSchema(client)).toBe(LATEST);
    expect(await migratePostgres(client)).toEqual([]);
    expect(await postgresSchemaVersion(client)).toBe(LATEST);
    expect(await lockIsFree(client)).toBe(true);
  });

  it('two nodes starting at once: one applies every migration, the other waits and finds nothing to do', async () => {
    const database = await db.cluster.createDatabase('migrate');
    const [holder, a, b] = await Promise.all([freshClient(database), freshClient(database), freshClient(database)]);
    // Hold the lock first, so both runs are certainly waiting on it at the same time.
    await holder.query('SELECT pg_advisory_lock($1::bigint)', [String(MIGRATION_LOCK_KEY)]);
    const runs = [migratePostgres(a), migratePostgres(b)];
    await expect
      .poll(async () => {
        const res = await holder.query<{ waiting: number }>(
          // The key's two halves, as docs/scale-out.md tells an operator to look for them.
          `SELECT count(*)::int AS waiting FROM pg_locks
            WHERE locktype = 'advisory' AND classid = 1667329132 AND objid = 1718185076 AND NOT granted`,
        );
        return res.rows[0]?.waiting;
      })
      .toBe(2);
    await holder.query('SELECT pg_advisory_unlock($1::bigint)', [String(MIGRATION_LOCK_KEY)]);
    const applied = await Promise.all(runs);
    expect(applied.map((m) => m.length).sort((x, y) => x - y)).toEqual([0, LATEST]);
    expect(await versions(holder)).toEqual(loadMigrations(postgresMigrationsDir()).map((m) => m.version));
    expect(await lockIsFree(holder)).toBe(true);
  });

  it('stops waiting for a node stuck holding the migration lock, and says where to look', async () => {
    const database = await db.cluster.createDatabase('migrate');
    const [stuck, node] = await Promise.all([freshClient(database), freshClient(database)]);
    await stuck.query('SELECT pg_advisory_lock($1::bigint)', [String(MIGRATION_LOCK_KEY)]);
    await expect(migratePostgres(node, { lockWaitMs: 300 })).rejects.toThrow(
      /another node has held the migration lock for more than 0 s: is a node stuck migrating\? pg_locks shows it/,
    );
    // The waiting session is usable again, with no lock timeout left behind.
    expect((await node.query<{ lock_timeout: string }>('SHOW lock_timeout')).rows[0]?.lock_timeout).toBe('0');
    await stuck.query('SELECT pg_advisory_unlock($1::bigint)', [String(MIGRATION_LOCK_KEY)]);
    expect((await migratePostgres(node)).length).toBe(LATEST);
  });

  it('refuses a database migrated by a newer build, saying this node is the older one', async () => {
    const client = await freshClient();
    await migratePostgres(client);
    await client.query("INSERT INTO schema_version (version, name, applied_at) VALUES ($1, 'from-the-future', 0)", [
      LATEST + 1,
    ]);
    const refusal = expect.objectContaining({
      name: 'StoreError',
      code: 'schema',
      message: expect.stringMatching(/node is older than the shared database.*upgrade this node/),
    });
    await expect(migratePostgres(client)).rejects.toEqual(refusal);
    await expect(assertPostgresSchema(client)).rejects.toEqual(refusal);
    expect(await postgresSchemaVersion(client)).toBe(LATEST + 1);
    expect(await lockIsFree(client)).toBe(true);
  });

  it('refuses an unmigrated database when asked only to check it', async () => {
    const client = await freshClient();
    await expect(assertPostgresSchema(client)).rejects.toEqual(
      expect.objectContaining({ code: 'schema', message: expect.stringContaining('version 0') }),
    );
  });

  it('a failing migration leaves the version and the tables as they were, and releases the lock (through a pool)', async () => {
    const { dir } = tempDir();
    writeFileSync(join(dir, '001-ok.sql'), 'CREATE TABLE a (x int);');
    writeFileSync(join(dir, '002-broken.sql'), 'CREATE TABLE b (x int); INSERT INTO nowhere VALUES (1);');
    writeFileSync(join(dir, '003-after.sql'), 'CREATE TABLE c (x int);');
    const database = await db.cluster.createDatabase('migrate');
    const pool = new pg.Pool({ connectionString: db.cluster.url(database), max: 2 });
    onTestFinished(() => pool.end());
    await expect(migratePostgres(pool, { dir })).rejects.toEqual(
      expect.objectContaining({ code: 'schema', message: expect.stringMatching(/migration 2 \(broken\).*nowhere/) }),
    );
    const client = await freshClient(database);
    expect(await versions(client)).toEqual([1]);
    const tables = await client.query<{ a: boolean; b: boolean; c: boolean }>(
      "SELECT to_regclass('a') IS NOT NULL AS a, to_regclass('b') IS NOT NULL AS b, to_regclass('c') IS NOT NULL AS c",
    );
    expect(tables.rows[0]).toEqual({ a: true, b: false, c: false });
    expect(await lockIsFree(client)).toBe(true);
    // Fixed, the next start goes on from there.
    writeFileSync(join(dir, '002-broken.sql'), 'CREATE TABLE b (x int);');
    expect((await migratePostgres(pool, { dir })).map((m) => m.version)).toEqual([2, 3]);
  });
});

// ---- parity with SQLite ----------------------------------------------------------------------------------------

interface Shape {
  /** table → its columns, in order. */
  columns: Record<string, string[]>;
  /** table → its indexes made by CREATE INDEX ("name", "unique", "partial"), sorted. */
  indexes: Record<string, string[]>;
  /** Named constraints (CONSTRAINT x CHECK …), sorted: their names are in the errors a client sees. */
  constraints: string[];
}

const describeIndex = (name: string, unique: boolean, partial: boolean) =>
  [name, unique ? 'unique' : '', partial ? 'partial' : ''].filter(Boolean).join(' ');

function sqliteShape(): Shape {
  const { dir, track } = tempDir();
  const sqlite = Database.open(join(dir, 'parity.db'));
  track(() => sqlite.close());
  migrate(sqlite);
  const h = sqlite.handle;
  const tables = h
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const shape: Shape = { columns: {}, indexes: {}, constraints: [] };
  for (const table of tables) {
    shape.columns[table] = (h.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
    // origin 'c': made by CREATE INDEX, not the autoindex of a UNIQUE or PRIMARY KEY.
    shape.indexes[table] = (
      h.pragma(`index_list(${table})`) as { name: string; unique: number; origin: string; partial: number }[]
    )
      .filter((i) => i.origin === 'c')
      .map((i) => describeIndex(i.name, i.unique === 1, i.partial === 1))
      .sort();
  }
  const sql = h
    .prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND sql IS NOT NULL")
    .pluck()
    .all() as string[];
  shape.constraints = sql.flatMap((s) => [...s.matchAll(/\bCONSTRAINT\s+(\w+)/gi)].map((m) => m[1] as string)).sort();
  return shape;
}

async function postgresShape(client: pg.ClientBase): Promise<Shape> {
  const shape: Shape = { columns: {}, indexes: {}, constraints: [] };
  const columns = await client.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name
       FROM information_schema.columns c
       JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> 'schema_version'
      ORDER BY c.table_name, c.ordinal_position`,
  );
  for (const r of columns.rows) (shape.columns[r.table_name] ??= []).push(r.column_name);
  for (const table of Object.keys(shape.columns)) shape.indexes[table] = [];
  // Indexes that back a constraint (primary key, UNIQUE) are SQLite's autoindexes.
  const indexes = await client.query<{ table_name: string; index_name: string; unique: boolean; partial: boolean }>(
    `SELECT t.relname AS table_name, i.relname AS index_name, x.indisunique AS unique, x.indpred IS NOT NULL AS partial
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relnamespace = current_schema()::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
  );
  for (const r of indexes.rows) shape.indexes[r.table_name]?.push(describeIndex(r.index_name, r.unique, r.partial));
  for (const list of Object.values(shape.indexes)) list.sort();
  // PostgreSQL names an unnamed CHECK <table>_<column>_check; the named ones are those without that ending.
  const constraints = await client.query<{ conname: string }>(
    `SELECT conname FROM pg_constraint
      WHERE connamespace = current_schema()::regnamespace AND contype = 'c' AND conname NOT LIKE '%\\_check'
      ORDER BY conname`,
  );
  shape.constraints = constraints.rows.map((r) => r.conname).sort();
  return shape;
}

describe('parity of migrations/pg with migrations/', () => {
  it('builds the same tables with the same columns in the same order, the same indexes and named constraints', async () => {
    const client = await freshClient();
    await migratePostgres(client);
    const expected = sqliteShape();
    const actual = await postgresShape(client);
    // The comparison has something to compare.
    expect(expected.indexes.calls).toEqual(['calls_at', 'calls_caller', 'calls_log_key unique partial']);
    expect(expected.indexes.entries).toContain('entries_number unique');
    expect(expected.constraints).toContain('entry_number_must_be_e164');
    expect(Object.keys(actual.columns).sort()).toEqual(Object.keys(expected.columns).sort());
    for (const [table, columns] of Object.entries(expected.columns)) {
      expect(actual.columns[table], `columns of ${table}`).toEqual(columns);
      expect(actual.indexes[table], `indexes of ${table}`).toEqual(expected.indexes[table]);
    }
    expect(actual.constraints).toEqual(expected.constraints);
  });

  it('counts prefix lengths the same way through inserts, upserts, updates, cascades and deletes', async () => {
    const client = await freshClient();
    await migratePostgres(client);
    const { dir, track } = tempDir();
    const sqlite = Database.open(join(dir, 'prefix.db'));
    track(() => sqlite.close());
    migrate(sqlite);
    const entry = (number: string, isPrefix: 0 | 1, kind: string, contact = 'NULL') =>
      `('${number}', ${isPrefix}, '${kind}', ${contact}, 0, 0)`;
    const insertEntries = 'INSERT INTO entries (number, is_prefix, kind, contact_id, created_at, updated_at) VALUES';
    const steps = [
      "INSERT INTO contacts (name, created_at) VALUES ('A', 0)",
      `${insertEntries} ${entry('+4930', 1, 'block', '1')}, ${entry('+49301', 1, 'block')}, ${entry('+4930123', 0, 'allow')}`,
      `${insertEntries} ${entry('+4930', 1, 'block')} ON CONFLICT DO NOTHING`,
      `${insertEntries} ${entry('+49301', 1, 'block')} ON CONFLICT (number, is_prefix, kind) DO UPDATE SET number = '+4930199'`,
      "UPDATE entries SET is_prefix = 1 WHERE number = '+4930123'",
      "UPDATE entries SET label = 'x'",
      'DELETE FROM contacts',
      "INSERT INTO lists (name, updated_at, created_at) VALUES ('spam', 0, 0)",
      "INSERT INTO list_entries (list_id, version, number, is_prefix) VALUES (1, 1, '+4989', 1), (1, 1, '+49891', 1), (1, 1, '+498912', 0)",
      "DELETE FROM list_entries WHERE number = '+49891'",
      'DELETE FROM lists',
      "DELETE FROM entries WHERE number = '+4930199'",
    ];
    const read = 'SELECT tbl, len, prefix_rows FROM prefix_lengths ORDER BY tbl, len';
    let counted = 0;
    for (const step of steps) {
      sqlite.handle.exec(step);
      await client.query(step);
      const expected = sqlite.handle.prepare(read).all();
      const actual = (await client.query(read)).rows;
      expect(actual, step).toEqual(expected);
      counted += expected.length;
    }
    expect(counted).toBeGreaterThan(steps.length);
  });

  it('refuses what SQLite refuses: a number that is not E.164 (naming the constraint), JSON that is not', async () => {
    const client = await freshClient();
    await migratePostgres(client);
    for (const number of ['+49 30', '4930', '+', '+4930x', `+${'1'.repeat(32)}`]) {
      await expect(
        client.query(`INSERT INTO entries (number, kind, created_at, updated_at) VALUES ('${number}', 'block', 0, 0)`),
        number,
      ).rejects.toThrow(/entry_number_must_be_e164/);
    }
    await client.query(
      `INSERT INTO entries (number, kind, created_at, updated_at) VALUES ('+${'1'.repeat(31)}', 'block', 0, 0)`,
    );
    await expect(
      client.query("INSERT INTO profiles (name, body, created_at, updated_at) VALUES ('p', '{oops', 0, 0)"),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(
      client.query("INSERT INTO settings (key, value, updated_at) VALUES ('callfilter_x', '1', 0)"),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
