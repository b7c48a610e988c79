/**
 * A node's copy of what screening reads, from the shared PostgreSQL database, kept current by its change feed
 * (issue 22): the call path looks up the in-memory index (../memory/screening-index.ts) and never waits on the
 * network. Whatever changes an entry or a list announces it on SCREENING_CHANNEL (`changePayload`); the replica reads
 * the changed rows and lists back as they are now and applies them — in batches: what is announced while one read-back
 * runs is read by the next, an id announced twice once. A read-back that fails is tried again a second later. After every
 * connect of the feed (a lost connection may have missed announcements) it loads everything again and swaps the
 * index in whole, so a lookup sees the old state or the new one, never half of it.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../../logger.js';
import type { Matches } from '../../policy/types.js';
import { ENTRY_COLUMNS, type EntryRow, toEntry } from '../entries-repository.js';
import { POSTGRES_VISIBLE } from '../import-visibility.js';
import { HITS_IN_FORCE, type HitRow, toHit } from '../lists-repository.js';
import { addRows, ScreeningIndex } from '../memory/screening-index.js';
import { ChangeFeed, type ChangeFeedOptions } from './change-feed.js';
import { postgresPool } from './pool.js';
import { inTransaction } from './sql.js';

export const SCREENING_CHANNEL = 'callfilter_screening';

/**
 * An entry added, changed or removed (by id), or a list whose hits in force changed (a new version, enabled…); or a
 * node's own marker (`settled()`), which tells it that every change committed before it has arrived.
 */
export type ScreeningChange = { entry: number } | { list: number } | { sync: string };

export function changePayload(change: ScreeningChange): string {
  return JSON.stringify(change);
}

function parseChange(payload: string): ScreeningChange | undefined {
  try {
    const change = JSON.parse(payload) as Record<string, unknown>;
    if (Number.isSafeInteger(change.entry)) return { entry: change.entry as number };
    if (Number.isSafeInteger(change.list)) return { list: change.list as number };
    if (typeof change.sync === 'string') return { sync: change.sync };
  } catch {
    // reported below
  }
  return undefined;
}

export function replicaPool(connectionString: string): pg.Pool {
  return postgresPool(connectionString, { max: 2, applicationName: 'callfilter-replica' });
}

/**
 * Rows per FETCH while loading: each batch is indexed and dropped before the next comes, so a million entries never
 * sit in the heap as row objects (they did: ~350 MB at once, left for the collector long after the load).
 */
const LOAD_BATCH = 5_000;

/** Everything screening sees now, read in one REPEATABLE READ transaction (one snapshot). */
export async function loadFromPostgres(pool: pg.Pool): Promise<ScreeningIndex> {
  return inTransaction(pool, async (client) => {
    await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const index = new ScreeningIndex();
    const entries = `SELECT ${ENTRY_COLUMNS} FROM entries WHERE ${POSTGRES_VISIBLE}`;
    await fetchAll<EntryRow>(client, entries, (rows) => addRows(index, rows, []));
    await fetchAll<HitRow>(client, HITS_IN_FORCE, (rows) => addRows(index, [], rows));
    return index;
  });
}

/** `query`'s rows, LOAD_BATCH at a time, through a cursor of the transaction `client` is in. */
async function fetchAll<R extends pg.QueryResultRow>(
  client: pg.ClientBase,
  query: string,
  take: (rows: R[]) => void,
): Promise<void> {
  await client.query(`DECLARE screening_load NO SCROLL CURSOR FOR ${query}`);
  for (;;) {
    const { rows } = await client.query<R>(`FETCH ${LOAD_BATCH} FROM screening_load`);
    take(rows);
    if (rows.length < LOAD_BATCH) break;
  }
  await client.query('CLOSE screening_load');
}

/** How long `settled()` waits for its marker: a change is on every node within a second, or the feed is down. */
const SETTLE_MS = 1_000;
/** A read-back that failed (the replica's pool lost its connection) is tried again this much later. */
const RETRY_MS = 1_000;
/** Ids read back per statement: a bulk change (an import of 100,000 rows) is a hundred reads, not 100,000. */
const APPLY_BATCH = 1_000;

/** Changes announced and not yet read back; an id announced twice meanwhile is read once. */
interface Pending {
  entries: Set<number>;
  lists: Set<number>;
}

/** Reads the announced entries and lists back as they are now and puts them into the index (or takes them out). */
async function apply(pool: pg.Pool, index: ScreeningIndex, pending: Pending): Promise<void> {
  const entryIds = [...pending.entries];
  for (let i = 0; i < entryIds.length; i += APPLY_BATCH) {
    const ids = entryIds.slice(i, i + APPLY_BATCH);
    const r = await pool.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM entries WHERE id = ANY($1::bigint[]) AND ${POSTGRES_VISIBLE}`,
      [ids],
    );
    const found = new Set<number>();
    for (const row of r.rows) {
      const entry = toEntry(row);
      found.add(entry.id);
      index.putEntry(entry);
    }
    for (const id of ids) if (!found.has(id)) index.removeEntry(id);
  }
  for (const listId of pending.lists) {
    const r = await pool.query<HitRow>(`${HITS_IN_FORCE} AND l.id = $1`, [listId]);
    index.setList(listId, r.rows.map(toHit));
  }
}

export interface ReplicaOptions extends Partial<Pick<ChangeFeedOptions, 'backoff' | 'healthCheckMs'>> {
  connectionString: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export class ScreeningReplica {
  private index = new ScreeningIndex();
  private readonly pool: pg.Pool;
  private readonly feed: ChangeFeed;
  private readonly logger: ReplicaOptions['logger'];
  /** Loads and changes run one after the other, in the order they came. */
  private queue: Promise<void> = Promise.resolve();
  private pending: Pending = { entries: new Set(), lists: new Set() };
  private readonly settling = new Map<string, () => void>();
  private closed = false;
  private loaded!: () => void;
  /** Resolves once the first load is in. */
  readonly ready: Promise<void> = new Promise((resolve) => {
    this.loaded = resolve;
  });

  constructor(options: ReplicaOptions) {
    this.logger = options.logger;
    this.pool = replicaPool(options.connectionString);
    // A pooled connection that breaks while idle must not take the process down; the next query gets a new one.
    this.pool.on('error', (err) => this.logger.warn({ err }, 'screening replica: a pooled connection failed'));
    this.feed = new ChangeFeed({
      connectionString: options.connectionString,
      channel: SCREENING_CHANNEL,
      logger: options.logger,
      applicationName: 'callfilter-screening-feed',
      ...(options.backoff && { backoff: options.backoff }),
      ...(options.healthCheckMs !== undefined && { healthCheckMs: options.healthCheckMs }),
      onNotify: (payload) => this.onChange(payload),
      onReload: () => this.enqueue('reload', async () => this.reload()),
    });
  }

  start(): void {
    this.feed.start();
  }

  lookup(e164: string, prefixes: readonly string[]): Matches {
    return this.index.lookup(e164, prefixes);
  }

  /**
   * Resolves once every change committed before this call is in the index (read your writes: the API answers a
   * change when this node screens by it). PostgreSQL delivers a channel's notifications in commit order, so the
   * node's own marker, sent now, arrives after all of them. Gives up after a second (the feed is down, or
   * PostgreSQL is away): the change then reaches the index with the reload that follows.
   */
  async settled(): Promise<void> {
    const token = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const arrived = new Promise<void>((resolve) => {
      this.settling.set(token, resolve);
      timer = setTimeout(resolve, SETTLE_MS);
    });
    try {
      await this.pool.query('SELECT pg_notify($1, $2)', [SCREENING_CHANNEL, JSON.stringify({ sync: token })]);
      await arrived;
    } catch {
      // PostgreSQL is away: nothing more can arrive now
    } finally {
      clearTimeout(timer);
      this.settling.delete(token);
    }
  }

  get entryCount(): number {
    return this.index.entryCount;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.feed.close();
    await this.queue;
    await this.pool.end();
  }

  private async reload(): Promise<void> {
    const started = Date.now();
    this.index = await loadFromPostgres(this.pool);
    this.loaded();
    this.logger.info(
      { entries: this.index.entryCount, listHits: this.index.hitCount, ms: Date.now() - started },
      'screening replica loaded',
    );
  }

  private onChange(payload: string): void {
    const change = parseChange(payload);
    if (!change) {
      this.logger.warn({ payload: payload.slice(0, 200) }, 'screening replica: an announcement it cannot read');
      return;
    }
    if ('sync' in change) {
      // Behind whatever came before it in the queue: resolved once those changes are in the index.
      const waiter = this.settling.get(change.sync);
      if (waiter) void this.enqueue('sync', async () => waiter());
      return;
    }
    const first = this.pending.entries.size === 0 && this.pending.lists.size === 0;
    if ('entry' in change) this.pending.entries.add(change.entry);
    else this.pending.lists.add(change.list);
    if (first) this.readBack(); // one read-back for all that arrives before it runs
  }

  private readBack(): void {
    void this.enqueue('change', async () => {
      const pending = this.pending;
      this.pending = { entries: new Set(), lists: new Set() };
      try {
        await apply(this.pool, this.index, pending);
      } catch (err) {
        const first = this.pending.entries.size === 0 && this.pending.lists.size === 0;
        for (const id of pending.entries) this.pending.entries.add(id);
        for (const id of pending.lists) this.pending.lists.add(id);
        if (first && !this.closed) setTimeout(() => this.readBack(), RETRY_MS).unref();
        throw err;
      }
    });
  }

  /**
   * A failed change or load is logged and the replica goes on with what it has; a lost connection brings a reload
   * (the feed reconnects and reloads), which repairs whatever a failed change missed.
   */
  private enqueue(what: string, work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).catch((err: unknown) => {
      this.logger.error({ err }, `screening replica: ${what} failed`);
    });
    return this.queue;
  }
}
