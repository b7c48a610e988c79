/**
 * Which store a test's service runs on. In the default project: SQLite in the data folder. In the `postgres` project
 * (vitest.config.ts, CALLFILTER_TEST_STORE=postgres) the same tests run each service as a cluster node on a database
 * of its own in the run's PostgreSQL — the same data folder, the same database, so a test that restarts its service
 * finds its data again.
 */
import pg from 'pg';
import { inject } from 'vitest';
import type { Store } from '../../src/store/index.js';

export const onPostgres = process.env.CALLFILTER_TEST_STORE === 'postgres';

const databases = new Map<string, string>();

/** CALLFILTER_DATABASE_URL for the service on `dataDir`, or nothing on SQLite. */
export async function storeEnv(dataDir: string): Promise<Record<string, string>> {
  if (!onPostgres) return {};
  let url = databases.get(dataDir);
  if (url === undefined) {
    const admin = new URL(inject('postgresUrl'));
    const name = `svc_${databases.size}_${process.pid}_${Date.now().toString(36)}`;
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
    admin.pathname = `/${name}`;
    url = admin.toString();
    databases.set(dataDir, url);
  }
  return { CALLFILTER_DATABASE_URL: url };
}

/** `SELECT count(*) …` on the store's own database, whichever engine it is (for what no repository counts). */
export async function countRows(store: Store, sql: string): Promise<number> {
  if (store.engine === 'sqlite') return store.db.handle.prepare(sql).pluck().get() as number;
  const r = await store.pool.query<{ count: string }>(sql);
  return Number(r.rows[0]?.count);
}

/** On a cluster node, waits until its copy has every change written so far (tests write and screen at once). */
export async function settled(store: Store): Promise<void> {
  if (store.engine === 'postgres') await store.settled();
}
