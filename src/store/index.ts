/**
 * The store: the only code that speaks SQL (DESIGN.md "Data"). `openStore()` opens the file, migrates it, removes
 * what a crashed list or entry import left behind, and returns the repositories over one Database. Their operations
 * return promises: a second engine (PostgreSQL) will sit behind the same interface; SQLite answers at once.
 */
import { type CallsRepository, createCallsRepository } from './calls-repository.js';
import type { CheckpointerOptions } from './checkpointer.js';
import { type ContactsRepository, createContactsRepository } from './contacts-repository.js';
import { Database, type OpenOptions } from './database.js';
import { createEntriesOperations, type EntriesRepository } from './entries-repository.js';
import { createEntryImportOperations, createEntryImports, type EntryImports } from './entry-imports.js';
import { createLeasesRepository, type LeasesRepository } from './leases-repository.js';
import { createListsOperations, type ListsRepository } from './lists-repository.js';
import { assertMigrated, migrate } from './migrate.js';
import { createOriginsRepository, type OriginsRepository } from './origins-repository.js';
import { createOutboxRepository, type OutboxRepository } from './outbox-repository.js';
import type { PostgresStore } from './pg/store.js';
import { createProfilesRepository, type ProfilesRepository } from './profiles-repository.js';
import { createScreeningRepository, type ScreeningRepository } from './screening-repository.js';
import { createSessionsRepository, type SessionsRepository } from './sessions-repository.js';
import { createSettingsRepository, type SettingsRepository } from './settings-repository.js';
import { createSourcesRepository, type SourcesRepository } from './sources-repository.js';
import { promising, type RepositoryOptions } from './sql.js';

/** The repositories, the same on both engines: what the rest of callfilter uses. */
export interface Repositories {
  entries: EntriesRepository;
  /** Imports into the entries and contacts: written hidden, switched in at once (entry-imports.ts). */
  entryImports: EntryImports;
  contacts: ContactsRepository;
  lists: ListsRepository;
  profiles: ProfilesRepository;
  settings: SettingsRepository;
  calls: CallsRepository;
  /** What screening reads for one caller, in one go. */
  screening: ScreeningRepository;
  sources: SourcesRepository;
  leases: LeasesRepository;
  outbox: OutboxRepository;
  origins: OriginsRepository;
  /** The web page's sessions, in the store so that every node of a cluster knows them. */
  sessions: SessionsRepository;
}

/** The embedded engine: one SQLite file in the data folder. */
export interface SqliteStore extends Repositories {
  readonly engine: 'sqlite';
  db: Database;
}

/** SQLite, or PostgreSQL shared by several nodes (CALLFILTER_DATABASE_URL; src/store/pg/store.ts). */
export type Store = SqliteStore | PostgresStore;

export function createStore(db: Database, options: RepositoryOptions = {}): SqliteStore {
  const lists = createListsOperations(db, options);
  const entries = createEntriesOperations(db, options);
  const calls = createCallsRepository(db);
  return {
    engine: 'sqlite',
    db,
    entries: promising(entries),
    entryImports: createEntryImports(db, options.clock ?? Date.now),
    contacts: createContactsRepository(db, options),
    lists: promising(lists),
    profiles: createProfilesRepository(db, options),
    settings: createSettingsRepository(db, options),
    calls,
    screening: createScreeningRepository(db, { entries, lists, calls }),
    sources: createSourcesRepository(db, { ...options, lists }),
    leases: createLeasesRepository(db),
    outbox: createOutboxRepository(db),
    origins: createOriginsRepository(db, options),
    sessions: createSessionsRepository(db),
  };
}

export interface OpenStoreOptions extends OpenOptions, RepositoryOptions {
  /** Where the NNN-*.sql files are (default: the project's migrations/). */
  migrationsDir?: string;
  /**
   * Checkpoint the WAL in a worker thread (checkpointer.ts), started once the store is migrated: for the
   * long-running service. Ignored for `:memory:` and read-only. Default off: SQLite's automatic checkpoint.
   */
  checkpointer?: boolean | CheckpointerOptions;
}

/**
 * Opens, migrates (a read-only open instead checks the schema is current) and cleans up after a crashed import.
 * Closes the database again if any of that fails.
 */
export function openStore(file: string, options: OpenStoreOptions = {}): SqliteStore {
  const db = Database.open(file, options);
  try {
    const dir = options.migrationsDir === undefined ? {} : { dir: options.migrationsDir };
    if (db.readonly) assertMigrated(db, dir);
    else migrate(db, dir);
    const repositoryOptions = options.clock ? { clock: options.clock } : {};
    // What a crashed list or entry import left behind goes synchronously, as the open is: before the store is out.
    if (!db.readonly) {
      createListsOperations(db, repositoryOptions).cleanupOrphans();
      createEntryImportOperations(db, options.clock ?? Date.now).cleanupOrphans();
    }
    const store = createStore(db, repositoryOptions);
    if (options.checkpointer) db.startCheckpointer(options.checkpointer === true ? {} : options.checkpointer);
    return store;
  } catch (err) {
    db.close();
    throw err;
  }
}

export type { Checkpointer, CheckpointerOptions, CheckpointerState } from './checkpointer.js';
export type { ContactNumber } from './contacts-repository.js';
export { Database, DEFAULT_BUSY_TIMEOUT_MS, type OpenOptions } from './database.js';
export type { EntryImportItem, EntryImportOptions, EntryImportResult, ImportedCard } from './entry-imports.js';
export { isBusy, isStoreError, isUniqueViolation, StoreError, type StoreErrorCode } from './errors.js';
export { IMPORT_BATCH, type ReplaceOptions } from './list-versions.js';
export { latestVersion, type Migration, migrate, schemaVersion } from './migrate.js';
export {
  type EntryOrigin,
  MANUAL_ORIGIN,
  ORIGIN_SMALL_CHANGES,
  type OriginChanges,
  type OriginRow,
  type OriginSyncResult,
} from './origins-repository.js';
export { BULK_PACE, CALL_PATH_PACE, type Pace } from './pacer.js';
export type { PostgresStore } from './pg/store.js';
export type { SessionLimits, StoredSession } from './sessions-repository.js';
export type * from './sources-types.js';
export { SOURCE_KINDS } from './sources-types.js';
export type * from './types.js';
export type {
  CallsRepository,
  ContactsRepository,
  EntriesRepository,
  LeasesRepository,
  ListsRepository,
  OriginsRepository,
  OutboxRepository,
  ProfilesRepository,
  ScreeningRepository,
  SessionsRepository,
  SettingsRepository,
  SourcesRepository,
};
