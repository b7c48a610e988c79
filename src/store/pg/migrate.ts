/**
 * The PostgreSQL schema: migrations/pg/NNN-name.sql, one per SQLite migration with the same number and name, so a
 * schema version means the same tables on both engines (test/store/pg-migrate.test.ts compares them).
 *
 * Every node of a cluster migrates at start, possibly several at once. So the whole run holds a session-level
 * advisory lock (MIGRATION_LOCK_KEY): the first node applies what is missing, the others wait, then find nothing
 * left to do. Each migration runs in its own transaction together with its row in `schema_version`, so it is
 * applied completely or not at all. The lock is released when the run ends, failed or not (and by PostgreSQL when
 * the session dies).
 *
 * A node older than the database's schema refuses to start: it would not know what a newer migration changed. In a
 * rolling upgrade the first new node migrates; the old nodes keep running on what they already checked, and each is
 * replaced by a new one rather than restarted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../../logger.js';
import { StoreError } from '../errors.js';
import { defaultMigrationsDir, loadMigrations, type Migration } from '../migrate.js';
import { transactionOn } from './sql.js';

/**
 * The advisory lock taken while migrating: the ASCII bytes of "callfilt" as one bigint. Fixed, because every node
 * of every version must take the same one. pg_locks shows it as classid 1667329132, objid 1718185076 (its two
 * halves), locktype advisory.
 */
export const MIGRATION_LOCK_KEY = 0x63616c6c66696c74n;

/** One row per applied migration; the schema's version is the highest. */
export const SCHEMA_VERSION_TABLE = 'schema_version';

type Queryable = pg.Pool | pg.ClientBase;

export interface PostgresMigrateOptions {
  /** Default: migrations/pg beside the SQLite migrations. */
  dir?: string;
  logger?: Pick<Logger, 'info'>;
  /** How long to wait for another node's migration run (default MIGRATION_LOCK_WAIT_MS). */
  lockWaitMs?: number;
}

/**
 * A run that holds the lock longer than this is stuck (a node hung mid-migration; no migration takes minutes): the
 * nodes waiting for it stop waiting and say so, instead of never starting.
 */
export const MIGRATION_LOCK_WAIT_MS = 5 * 60_000;

/** migrations/pg, found the way the SQLite migrations are. */
export function postgresMigrationsDir(): string {
  return join(defaultMigrationsDir(), 'pg');
}

function load(dir: string | undefined): Migration[] {
  return loadMigrations(dir ?? postgresMigrationsDir());
}

/** A pool hands out one connection for the run: an advisory lock belongs to a session. */
async function withSession<T>(db: Queryable, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  if (!(db instanceof pg.Pool)) return fn(db);
  const client = await db.connect();
  try {
    const result = await fn(client);
    client.release();
    return result;
  } catch (err) {
    // After a failure the session might still hold the lock (an unlock that failed too): it is closed, which
    // releases the lock, rather than handed out again.
    client.release(true);
    throw err;
  }
}

async function lock(client: pg.ClientBase, waitMs: number): Promise<void> {
  await client.query(`SET lock_timeout = ${Math.max(1, Math.round(waitMs))}`);
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [String(MIGRATION_LOCK_KEY)]);
  } catch (err) {
    if ((err as { code?: string }).code === '55P03')
      throw new StoreError(
        'busy',
        `another node has held the migration lock for more than ${Math.round(waitMs / 1000)} s: is a node stuck migrating? pg_locks shows it (locktype advisory, classid 1667329132, objid 1718185076, granted); ending that session frees it`,
        { cause: err },
      );
    throw err;
  } finally {
    await client.query('RESET lock_timeout');
  }
}
const unlock = (client: pg.ClientBase) =>
  client.query('SELECT pg_advisory_unlock($1::bigint)', [String(MIGRATION_LOCK_KEY)]);

/** The database's schema version: 0 before the first migration. */
export async function postgresSchemaVersion(db: Queryable): Promise<number> {
  const exists = await db.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [
    SCHEMA_VERSION_TABLE,
  ]);
  if (!exists.rows[0]?.found) return 0;
  const res = await db.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${SCHEMA_VERSION_TABLE}`);
  return res.rows[0]?.version ?? 0;
}

function olderNode(current: number, latest: number): StoreError {
  return new StoreError(
    'schema',
    `this callfilter node is older than the shared database: its schema is version ${current}, this build knows ` +
      `only up to ${latest}. A newer callfilter has migrated it; upgrade this node to that version (rolling ` +
      'upgrades: start the new nodes first, then replace the old ones)',
    { details: { schemaVersion: current, buildVersion: latest } },
  );
}

/**
 * Refuses a database this build cannot use: newer than its newest migration (this node is too old), or not
 * migrated yet. Returns the version.
 */
export async function assertPostgresSchema(db: Queryable, options: { dir?: string } = {}): Promise<number> {
  const latest = load(options.dir).at(-1)?.version ?? 0;
  const current = await postgresSchemaVersion(db);
  if (current > latest) throw olderNode(current, latest);
  if (current < latest) {
    throw new StoreError(
      'schema',
      `the database schema is version ${current}, this build expects ${latest}; start a node that migrates it`,
      { details: { schemaVersion: current, buildVersion: latest } },
    );
  }
  return current;
}

/** Applies what is missing, under the cluster-wide lock, and returns it (empty when the schema is current). */
export async function migratePostgres(db: Queryable, options: PostgresMigrateOptions = {}): Promise<Migration[]> {
  const migrations = load(options.dir);
  return withSession(db, async (client) => {
    await lock(client, options.lockWaitMs ?? MIGRATION_LOCK_WAIT_MS);
    let applied: Migration[];
    try {
      applied = await applyMissing(client, migrations, options);
    } catch (err) {
      // The migration's error is the one to report; a session that cannot unlock is closed by withSession or its
      // owner, which releases the lock as well.
      await unlock(client).catch(() => {});
      throw err;
    }
    await unlock(client);
    return applied;
  });
}

/** PostgreSQL's insufficient_privilege. */
const NO_PRIVILEGE = '42501';

/** A failed migration step; an account that may not change the schema is told what to do instead. */
function migrationError(err: unknown, what: string, details: Record<string, unknown>): StoreError {
  const message = `${what}: ${(err as Error).message}`;
  const hint =
    (err as { code?: string }).code === NO_PRIVILEGE
      ? '. The account in CALLFILTER_DATABASE_URL may not change the schema: run `callfilter migrate` once with the schema owner\'s account (docs/scale-out.md, "Roles"), then start the nodes'
      : '';
  return new StoreError('schema', `${message}${hint}`, { cause: err, details });
}

/** The part under the lock. */
async function applyMissing(
  client: pg.ClientBase,
  migrations: Migration[],
  options: PostgresMigrateOptions,
): Promise<Migration[]> {
  const latest = migrations.at(-1)?.version ?? 0;
  let current = await postgresSchemaVersion(client);
  if (current > latest) throw olderNode(current, latest);
  // A current schema takes no DDL at all: nodes may run as an account that can read and write the tables but not
  // create any (docs/scale-out.md, "Roles").
  if (current === latest) return [];
  // Under the lock, so two nodes never race on creating it.
  await client
    .query(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA_VERSION_TABLE} (
         version    integer PRIMARY KEY,
         name       text NOT NULL,
         applied_at bigint NOT NULL
       )`,
    )
    .catch((err: unknown) => {
      throw migrationError(err, `PostgreSQL could not create ${SCHEMA_VERSION_TABLE}`, { version: 0 });
    });
  current = await postgresSchemaVersion(client);
  const applied: Migration[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    const sql = readFileSync(migration.file, 'utf8');
    try {
      await transactionOn(client, async () => {
        // No parameters: the simple query protocol, which runs a file of several statements.
        await client.query(sql);
        await client.query(`INSERT INTO ${SCHEMA_VERSION_TABLE} (version, name, applied_at) VALUES ($1, $2, $3)`, [
          migration.version,
          migration.name,
          Date.now(),
        ]);
      });
    } catch (err) {
      throw migrationError(err, `PostgreSQL migration ${migration.version} (${migration.name}) failed`, {
        version: migration.version,
        file: migration.file,
      });
    }
    applied.push(migration);
    options.logger?.info({ version: migration.version, name: migration.name }, 'applied migration');
  }
  return applied;
}
