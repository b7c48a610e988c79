/**
 * One store test, both engines: SQLite in a data folder and a real PostgreSQL (Debian's, started for the file).
 *
 *   const postgres = usePostgresDatabase('entries');       // at the top of the file
 *   it('…', async () => { const pool = await postgres.fresh(); … });
 *
 * PostgreSQL: one database per test file, migrated once; each `fresh()` empties every table and restarts the id
 * sequences, so a test starts from what a new SQLite file gives (ids from 1, nothing in any table) without paying
 * CREATE DATABASE (~0.5 s) per test.
 */
import type pg from 'pg';
import { beforeAll, onTestFinished } from 'vitest';
import { migratePostgres, SCHEMA_VERSION_TABLE } from '../../src/store/pg/migrate.js';
import { postgresPool } from '../../src/store/pg/pool.js';
import { type PostgresForFile, usePostgres } from '../helpers/postgres.js';

export interface PostgresDatabase {
  readonly postgres: PostgresForFile;
  /** A pool on the file's database with every table empty; ended when the test ends. */
  fresh(): Promise<pg.Pool>;
}

export function usePostgresDatabase(name: string): PostgresDatabase {
  const postgres = usePostgres();
  let url: string | undefined;
  let tables: string[] = [];
  beforeAll(async () => {
    url = postgres.cluster.url(await postgres.cluster.createDatabase(name));
    const pool = postgresPool(url, { max: 1 });
    try {
      await migratePostgres(pool);
      const r = await pool.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> $1",
        [SCHEMA_VERSION_TABLE],
      );
      tables = r.rows.map((row) => row.tablename);
    } finally {
      await pool.end();
    }
  }, 120_000);
  return {
    postgres,
    async fresh() {
      if (url === undefined) throw new Error('usePostgresDatabase(): use fresh() inside tests');
      const pool = postgresPool(url);
      onTestFinished(() => pool.end());
      await pool.query(`TRUNCATE ${tables.map((t) => `"${t}"`).join(', ')} RESTART IDENTITY CASCADE`);
      return pool;
    },
  };
}
