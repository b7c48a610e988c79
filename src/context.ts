import type { Config } from './config/config.js';
import { FaultCounters } from './faults.js';
import { startCallPruning, type CallPruning } from './jobs/prune-calls.js';
import { createLogger, type Logger } from './logger.js';
import type { Matches, Profile, RecentCall } from './policy/types.js';
import { guardDatabaseFile, type FileGuard } from './store/file-guard.js';
import { openStore, type Store } from './store/index.js';

/**
 * Where the screening path gets its facts. The store answers synchronously; the seam is async so a test (or a
 * future remote lookup) can be slow, and the decision deadline then turns it into a fail-open.
 */
export interface Lookup {
  matches(e164: string, prefixes: string[]): Matches | Promise<Matches>;
  recent(e164: string, since: number): RecentCall[] | Promise<RecentCall[]>;
  /**
   * Runs `fn`, which makes a call's lookups, on one read snapshot of the store (Database.read): one lock for all of
   * them. Only for lookups that answer synchronously; without it each lookup stands alone.
   */
  snapshot?<T>(fn: () => T): T;
}

/** Everything a handler needs, built once from validated config and passed explicitly: no singletons. */
export interface AppContext {
  config: Config;
  logger: Logger;
  store: Store;
  lookup: Lookup;
  clock: () => number;
  /** What went wrong, counted (fail-opens, errors by kind, refused connections, database file recoveries). */
  faults: FaultCounters;
  /** The profiles of the config file: read-only for the admin API, and their names and DIDs are taken. */
  fileProfiles: readonly Profile[];
  /**
   * Re-reads the profiles kept in the database (managed through the admin API) into `config.policy.profiles`,
   * after the ones from the config file, which win on a DID both name. Call after every profile change.
   */
  reloadProfiles(): void;
  close(): void;
}

export interface ContextOverrides {
  logger?: Logger;
  store?: Store;
  lookup?: Lookup;
  clock?: () => number;
  faults?: FaultCounters;
  /** How often to check that the database file is still the one open (store/file-guard.ts); 0 turns it off. */
  dbFileCheckMs?: number;
  /**
   * Checkpoint the WAL in a worker thread (store/checkpointer.ts), off the call path. The service (server.ts) turns
   * it on; off by default, so one-shot commands and tests keep SQLite's automatic checkpoint and start no thread.
   */
  walCheckpointer?: boolean;
  /**
   * Prune the call log to CALLFILTER_LOG_RETENTION_DAYS from a timer (jobs/prune-calls.ts): the service turns it on;
   * one-shot commands and tests do not run it. Timings for tests.
   */
  callPruning?: boolean | { firstMs?: number; everyMs?: number };
}

export function storeLookup(store: Store): Lookup {
  return {
    matches: (e164, prefixes) => ({ entries: store.entries.match(e164, prefixes), lists: store.lists.match(e164, prefixes) }),
    recent: (e164, since) => store.calls.recent(e164, since),
    snapshot: (fn) => store.db.read(fn),
  };
}

export function createContext(config: Config, overrides: ContextOverrides = {}): AppContext {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const storeLog = logger.child({ subsystem: 'store' });
  // The same options when the file guard reopens the file: the new Database starts a checkpointer of its own.
  const storeOptions = { logger: storeLog, checkpointer: overrides.walCheckpointer ?? false };
  const store = overrides.store ?? openStore(config.dbFile, storeOptions);
  const faults = overrides.faults ?? new FaultCounters();
  let guard: FileGuard | undefined;
  if (!overrides.store && overrides.dbFileCheckMs !== 0 && store.db.file !== ':memory:') {
    guard = guardDatabaseFile(store, {
      logger: storeLog,
      ...(overrides.dbFileCheckMs !== undefined && { intervalMs: overrides.dbFileCheckMs }),
      open: () => openStore(config.dbFile, storeOptions),
      onEvent: (event) => faults.inc('dbFile', { event }),
    });
  }
  let closed = false;
  let pruning: CallPruning | undefined;
  const fileProfiles = config.policy.profiles;
  const reloadProfiles = () => {
    config.policy.profiles = [...fileProfiles, ...store.profiles.list()];
  };
  reloadProfiles();
  const ctx: AppContext = {
    config,
    logger,
    store,
    lookup: overrides.lookup ?? storeLookup(store),
    clock: overrides.clock ?? Date.now,
    faults,
    fileProfiles,
    reloadProfiles,
    close() {
      if (closed) return;
      closed = true;
      pruning?.stop();
      guard?.stop();
      store.db.close();
    },
  };
  if (overrides.callPruning) pruning = startCallPruning(ctx, overrides.callPruning === true ? {} : overrides.callPruning);
  return ctx;
}
