/**
 * The entries, contacts and origins repositories on both engines, for the store tests that run against each
 * (`describe.each(entriesEngines(postgres))`): SQLite in a data folder, PostgreSQL on the test file's database.
 */
import type pg from 'pg';
import { onTestFinished } from 'vitest';
import type { ContactsRepository, EntriesRepository, OriginsRepository } from '../../src/store/index.js';
import { createPostgresContactsRepository } from '../../src/store/pg/contacts-repository.js';
import { createPostgresEntriesRepository } from '../../src/store/pg/entries-repository.js';
import { createPostgresOriginsRepository } from '../../src/store/pg/origins-repository.js';
import { postgresPool } from '../../src/store/pg/pool.js';
import type { RepositoryOptions } from '../../src/store/sql.js';
import type { PostgresDatabase } from './engines.js';
import { tempStore } from './helpers.js';

export interface EntriesStore {
  entries: EntriesRepository;
  contacts: ContactsRepository;
  origins: OriginsRepository;
}

export interface OpenedEntries {
  store: EntriesStore;
  /** The same database through another connection (SQLite: the file opened again; PostgreSQL: another pool). */
  reopen(): EntriesStore;
  /** PostgreSQL's pool, for setting rows up by hand; undefined on SQLite. */
  pool?: pg.Pool;
}

export type EntriesEngine = [name: string, open: (options?: RepositoryOptions) => Promise<OpenedEntries>];

export function postgresEntriesStore(pool: pg.Pool, options: RepositoryOptions = {}): EntriesStore {
  return {
    entries: createPostgresEntriesRepository(pool, options),
    contacts: createPostgresContactsRepository(pool, options),
    origins: createPostgresOriginsRepository(pool, options),
  };
}

/** Another pool on the same database, ended when the test ends. */
export function samePostgres(pool: pg.Pool): pg.Pool {
  const other = postgresPool(pool.options.connectionString as string);
  onTestFinished(() => other.end());
  return other;
}

export function entriesEngines(postgres: PostgresDatabase): EntriesEngine[] {
  return [
    [
      'SQLite',
      async (options = {}) => {
        const t = tempStore(options);
        return { store: t.store, reopen: () => t.reopen() };
      },
    ],
    [
      'PostgreSQL',
      async (options = {}) => {
        const pool = await postgres.fresh();
        return {
          store: postgresEntriesStore(pool, options),
          reopen: () => postgresEntriesStore(samePostgres(pool), options),
          pool,
        };
      },
    ],
  ];
}
