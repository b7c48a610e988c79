/**
 * The PostgreSQL engine as a whole (issue 22): the repositories over one pool, behind the same interface as SQLite's,
 * for the nodes of a cluster that share one database.
 *
 * A service node (`node: true`) screens without waiting on the network: what screening reads comes from its replica
 * (screening-replica.ts, kept current by LISTEN/NOTIFY), the caller's recent calls from its copy of the last minutes
 * of the call log (recent-calls.ts), and its call-log rows go to PostgreSQL or, when that is away, to the spool in its
 * data folder (spooled-calls.ts). A one-shot command reads and writes PostgreSQL directly.
 */
import { join } from 'node:path';
import type pg from 'pg';
import { CallLogSpool, SPOOL_FILE } from '../../cluster/spool.js';
import type { Logger } from '../../logger.js';
import type { Repositories } from '../index.js';
import type { RepositoryOptions } from '../sql.js';
import type { NewCall } from '../types.js';
import { createPostgresCallsRepository } from './calls-repository.js';
import { createPostgresContactsRepository } from './contacts-repository.js';
import { createPostgresEntriesRepository } from './entries-repository.js';
import { createPostgresEntryImports } from './entry-imports.js';
import { toPostgresStoreError } from './errors.js';
import { createPostgresLeasesRepository } from './leases-repository.js';
import { createPostgresListsRepository } from './lists-repository.js';
import { migratePostgres } from './migrate.js';
import { createPostgresOriginsRepository } from './origins-repository.js';
import { createPostgresOutboxRepository } from './outbox-repository.js';
import { postgresPool } from './pool.js';
import { createPostgresProfilesRepository } from './profiles-repository.js';
import { RecentCalls } from './recent-calls.js';
import { ScreeningReplica } from './screening-replica.js';
import { createPostgresSessionsRepository } from './sessions-repository.js';
import { createPostgresSettingsRepository } from './settings-repository.js';
import { createPostgresSourcesRepository } from './sources-repository.js';
import { INSERTS_IN_FLIGHT, SpooledCallLog } from './spooled-calls.js';

export interface PostgresStore extends Repositories {
  readonly engine: 'postgres';
  pool: pg.Pool;
  /**
   * 'ok'; 'degraded: …' while calls are decided and logged but not as usual (PostgreSQL away: rows wait in the spool);
   * 'error: …' when a call cannot be screened as it should.
   */
  health(): Promise<string>;
  /**
   * Resolves once this node screens by every change committed so far (its replica has them), at most a second
   * later; at once for a one-shot command, which keeps no copy.
   */
  settled(): Promise<void>;
  /**
   * Call-log rows a service node learns of after their calls: `own` — its spooled rows, once they are in PostgreSQL
   * (their calls got no id, so nobody was told of them yet); `others` — rows other nodes logged, within a second.
   * Returns the unsubscribe function. A one-shot command hears nothing.
   */
  onCallsLogged(listener: CallsLoggedListener): () => void;
  /** Ends the node's connections (and its replica's feed); the database stays as it is for the other nodes. */
  close(): Promise<void>;
}

export type CallsLoggedListener = (ids: number[], whose: 'own' | 'others') => void;

export interface PostgresStoreOptions extends RepositoryOptions {
  url: URL;
  logger: Logger;
  /** A service node: screening from the replica, the call log through the spool in `dataDir`. */
  node?: { dataDir: string };
}

/** What a node's call path uses at once: the call log's INSERTs in flight and the poll of recent calls. */
const NODE_KEPT_CONNECTIONS = INSERTS_IN_FLIGHT + 1;

/** /healthz's check that PostgreSQL answers: a busy server answers in milliseconds. */
const HEALTH_TIMEOUT_MS = 2_000;

/**
 * Connects, migrates under the cluster's lock (a node older than the schema refuses with a message), removes what a
 * crashed import of any node left, and — for a service node — loads the replica and the recent calls. Rejects when
 * PostgreSQL cannot be reached: a node without its copy could only fail every call open.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { url, logger } = options;
  const log = logger.child({ subsystem: 'store', engine: 'postgres' });
  const pool = postgresPool(
    url.toString(),
    options.node
      ? { applicationName: 'callfilter-node', keepOpen: NODE_KEPT_CONNECTIONS }
      : { applicationName: 'callfilter-cli' },
  );
  // An idle pooled connection that breaks must not take the process down: the next query gets a new one.
  pool.on('error', (err) => log.warn({ err: String(err) }, 'a pooled PostgreSQL connection failed'));
  const closers: (() => Promise<void> | void)[] = [() => pool.end()];
  const listeners = new Set<CallsLoggedListener>();
  const tell = (whose: 'own' | 'others') => (ids: number[]) => {
    for (const listener of listeners) {
      try {
        listener(ids, whose);
      } catch (err) {
        log.warn({ err }, 'a listener for logged calls failed');
      }
    }
  };
  let closed = false;
  const closeAll = async () => {
    if (closed) return;
    closed = true;
    for (const close of closers.reverse()) await close();
  };
  try {
    await migratePostgres(pool, { logger: log });
    const repositoryOptions = options.clock ? { clock: options.clock } : {};
    const lists = createPostgresListsRepository(pool, { ...repositoryOptions, logger: log });
    const entries = createPostgresEntriesRepository(pool, repositoryOptions);
    const calls = createPostgresCallsRepository(pool);
    const entryImports = createPostgresEntryImports(pool, { ...repositoryOptions, logger: log });
    await lists.cleanupOrphans();
    await entryImports.cleanupOrphans();

    let screening: Repositories['screening'] = {
      async lookup(e164, prefixes) {
        const [found, hits] = await Promise.all([entries.match(e164, prefixes), lists.match(e164, prefixes)]);
        return { entries: found, lists: hits };
      },
      recent: (e164, since) => calls.recent(e164, since),
    };
    let callLog: SpooledCallLog | undefined;
    let replica: ScreeningReplica | undefined;
    if (options.node) {
      replica = new ScreeningReplica({ connectionString: url.toString(), logger: log });
      closers.push(() => replica?.close());
      replica.start();
      await replica.ready;
      const recent = new RecentCalls({ pool, logger: log, onOthers: tell('others') });
      await recent.start();
      closers.push(() => recent.close());
      const spool = new CallLogSpool<NewCall>({ file: join(options.node.dataDir, SPOOL_FILE), logger: log });
      callLog = new SpooledCallLog({ pool, spool, recent, logger: log, onWritten: tell('own') });
      closers.push(() => callLog?.close());
      const copy = replica;
      screening = {
        lookup: async (e164, prefixes) => copy.lookup(e164, prefixes),
        recent: async (e164, since) => recent.recent(e164, since),
      };
    }
    const nodeLog = callLog;
    return {
      engine: 'postgres',
      pool,
      entries,
      entryImports,
      contacts: createPostgresContactsRepository(pool, repositoryOptions),
      lists,
      profiles: createPostgresProfilesRepository(pool, repositoryOptions),
      settings: createPostgresSettingsRepository(pool, repositoryOptions),
      calls: nodeLog ? { ...calls, log: (call) => nodeLog.log(call) } : calls,
      screening,
      sources: createPostgresSourcesRepository(pool, { ...repositoryOptions, lists }),
      leases: createPostgresLeasesRepository(pool),
      outbox: createPostgresOutboxRepository(pool),
      origins: createPostgresOriginsRepository(pool, repositoryOptions),
      sessions: createPostgresSessionsRepository(pool),
      settled: async () => replica?.settled(),
      onCallsLogged(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      async health() {
        if (closed) return 'error: the database is closed';
        const spooling = nodeLog?.state();
        if (spooling?.spoolingSince !== undefined)
          return `degraded: PostgreSQL has not taken the call log since ${new Date(spooling.spoolingSince).toISOString()}; ${spooling.pending} rows wait in the spool (calls are decided from this node's copy)`;
        try {
          await Promise.race([
            pool.query('SELECT 1'),
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error('no answer in 2 s')), HEALTH_TIMEOUT_MS).unref(),
            ),
          ]);
          return 'ok';
        } catch (err) {
          return options.node
            ? `degraded: PostgreSQL is not reachable (${(err as Error).message}); calls are decided from this node's copy`
            : `error: PostgreSQL is not reachable (${(err as Error).message})`;
        }
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll().catch(() => {});
    throw toPostgresStoreError(err);
  }
}
