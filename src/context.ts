import type { Config } from './config/config.js';
import { applySettings, checkSettings, parseStored, resolveSettings, type SettingsInForce } from './config/settings.js';
import { FaultCounters } from './faults.js';
import { createLogger, type Logger } from './logger.js';
import type { Profile } from './policy/types.js';
import { createLiveCheck, type LiveCheck } from './sources/phoneblock/live.js';
import { type FileGuard, guardDatabaseFile } from './store/file-guard.js';
import { openStore, type Store } from './store/index.js';

/** Everything a handler needs, built once from validated config and passed explicitly: no singletons. */
export interface AppContext {
  config: Config;
  logger: Logger;
  store: Store;
  clock: () => number;
  /** What went wrong, counted (fail-opens, errors by kind, refused connections, database file recoveries). */
  faults: FaultCounters;
  /** The live PhoneBlock check of unknown callers, when CALLFILTER_PHONEBLOCK_LIVE is on. */
  phoneblockLive?: LiveCheck;
  /** The profiles of the config file: read-only for the admin API, and their names and DIDs are taken. */
  fileProfiles: readonly Profile[];
  /**
   * Re-reads the profiles kept in the database (managed through the admin API) into `config.policy.profiles`,
   * after the ones from the config file, which win on a DID both name. Call after every profile change.
   */
  reloadProfiles(): Promise<void>;
  /** The home country and area code in force, with where each comes from (config/settings.ts). */
  settings(): SettingsInForce;
  /**
   * Re-reads the settings kept in the database and puts them into `config.numbering` for the next call and explain.
   * Throws ConfigError (naming the key and value) for one that cannot be used, and then changes nothing.
   */
  reloadSettings(): Promise<SettingsInForce>;
  /** Stops the checks and closes the store (SQLite at once; PostgreSQL's connections when the promise resolves). */
  close(): Promise<void>;
}

export interface ContextOverrides {
  logger?: Logger;
  store?: Store;
  clock?: () => number;
  faults?: FaultCounters;
  /** The live PhoneBlock check's fetch (tests); the global one otherwise. */
  fetch?: typeof fetch;
  /** How often to check that the database file is still the one open (store/file-guard.ts); 0 turns it off. */
  dbFileCheckMs?: number;
  /**
   * Checkpoint the WAL in a worker thread (store/checkpointer.ts), off the call path. The service (server.ts) turns
   * it on; off by default, so one-shot commands and tests keep SQLite's automatic checkpoint and start no thread.
   */
  walCheckpointer?: boolean;
  /**
   * Apply the settings kept in the database (default true). `callfilter setup` opens without them, so that it can
   * replace a stored value that cannot be used.
   */
  storedSettings?: boolean;
  /** How often to look for settings another process stored (`callfilter setup` beside the service); 0 turns it off. */
  settingsCheckMs?: number;
  /** Open the data folder's SQLite file even with CALLFILTER_DATABASE_URL set (`migrate-store` copies from it). */
  sqlite?: boolean;
  /**
   * The service: with CALLFILTER_DATABASE_URL, a cluster node (screening from its copy, the call log through its
   * spool: src/store/pg/store.ts). One-shot commands read and write PostgreSQL directly.
   */
  node?: boolean;
}

/** `callfilter setup` in another process reaches the running service this soon; the read is one tiny table. */
export const SETTINGS_CHECK_MS = 2_000;

/** Reads the profiles and settings kept in the database before it hands the context out. */
export async function createContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const storeLog = logger.child({ subsystem: 'store' });
  // The same options when the file guard reopens the file: the new Database starts a checkpointer of its own.
  const storeOptions = { logger: storeLog, checkpointer: overrides.walCheckpointer ?? false };
  const store =
    overrides.store ??
    (config.databaseUrl && !overrides.sqlite
      ? await (await import('./store/pg/store.js')).openPostgresStore({
          url: config.databaseUrl,
          logger,
          ...(overrides.node && { node: { dataDir: config.dataDir } }),
          ...(overrides.clock && { clock: overrides.clock }),
        })
      : openStore(config.dbFile, storeOptions));
  const faults = overrides.faults ?? new FaultCounters();
  let guard: FileGuard | undefined;
  // A file another process may replace or remove; PostgreSQL and `:memory:` have none.
  const file = store.engine === 'sqlite' && store.db.file !== ':memory:' ? store : undefined;
  const closeStore = () => (store.engine === 'sqlite' ? store.db.close() : store.close());
  if (!overrides.store && overrides.dbFileCheckMs !== 0 && file) {
    guard = guardDatabaseFile(file, {
      logger: storeLog,
      ...(overrides.dbFileCheckMs !== undefined && { intervalMs: overrides.dbFileCheckMs }),
      open: () => openStore(config.dbFile, storeOptions),
      onEvent: (event) => faults.inc('dbFile', { event }),
    });
  }
  let closed = false;
  const fileProfiles = config.policy.profiles;
  const reloadProfiles = async () => {
    config.policy.profiles = [...fileProfiles, ...(await store.profiles.list())];
  };
  await reloadProfiles();

  let inForce = resolveSettings(config.fixed, {});
  let applied = '{}';
  const reloadSettings = async () => {
    const raw = await store.settings.all();
    const next = resolveSettings(config.fixed, parseStored(raw));
    checkSettings(next);
    applySettings(config, next);
    inForce = next;
    applied = JSON.stringify(raw);
    return next;
  };
  let watch: NodeJS.Timeout | undefined;
  try {
    if (overrides.storedSettings !== false) await reloadSettings();
  } catch (err) {
    guard?.stop();
    if (!overrides.store) await closeStore();
    throw err;
  }
  // Another process (`callfilter setup`, another node) may store settings: not so for a database only this one has.
  if (overrides.storedSettings !== false && overrides.settingsCheckMs !== 0 && (file || store.engine === 'postgres')) {
    const settingsLog = logger.child({ subsystem: 'settings' });
    let refused = '';
    const check = async () => {
      let raw: string;
      try {
        raw = JSON.stringify(await store.settings.all());
      } catch {
        return; // the store itself is failing: the file guard and the call path report that
      }
      if (raw === applied || raw === refused) return;
      try {
        const s = await reloadSettings();
        settingsLog.info(
          { country: s.CALLFILTER_HOME_COUNTRY.value, areaCode: s.CALLFILTER_HOME_AREA_CODE.value },
          'applied the settings stored in the database',
        );
      } catch (err) {
        // The settings in force stay; a bad stored value is reported once, not every few seconds.
        settingsLog.error({ err }, 'the settings stored in the database cannot be used; the ones in force stay');
        refused = raw;
      }
    };
    watch = setInterval(() => void check(), overrides.settingsCheckMs ?? SETTINGS_CHECK_MS);
    watch.unref();
  }
  const ctx: AppContext = {
    config,
    logger,
    store,
    clock: overrides.clock ?? Date.now,
    faults,
    fileProfiles,
    reloadProfiles,
    settings: () => inForce,
    reloadSettings,
    async close() {
      if (closed) return;
      closed = true;
      if (watch) clearInterval(watch);
      guard?.stop();
      await closeStore();
    },
  };
  if (config.phoneblock.live)
    ctx.phoneblockLive = createLiveCheck({ ctx, ...(overrides.fetch && { fetch: overrides.fetch }) });
  return ctx;
}
