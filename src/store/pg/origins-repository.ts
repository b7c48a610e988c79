/**
 * Where entries come from, on PostgreSQL (../origins-repository.ts says how origins work; the rules are the same: a
 * sync changes only its own origin's rows, an entry goes with its last origin, an entry without origin rows is the
 * person's, and the person's edit claims a synced entry).
 *
 * SQLite's single writer made each step see the whole table as it is; here two syncs (the FRITZ!Box's and CardDAV's,
 * from two nodes) or a sync and a person's edit can run at once. So every step that reads an entry's origins to
 * decide what becomes of the entry first locks the entry's row, and a step that may create the entry first locks its
 * number (entries-operations.ts `lockNumber`): without that, two syncs each dropping one of an entry's two origins
 * would each see the other's still there, and the entry would stay with none. A deadlock between two such
 * transactions is tried again, as SQLite tries a busy write again.
 */
import type pg from 'pg';
import { StoreError } from '../errors.js';
import {
  type CurrentRow,
  type EntryOrigin,
  MANUAL_ORIGIN,
  ORIGIN_SMALL_CHANGES,
  type OriginChanges,
  type OriginDbRow,
  type OriginRow,
  type OriginSyncResult,
  type OriginsRepository,
  planSync,
  toOrigin,
} from '../origins-repository.js';
import { bool, orNull, type RepositoryOptions, setOptional } from '../sql.js';
import { announcingOnce, createPostgresEntriesOperations, lockNumber } from './entries-operations.js';
import { toPostgresStoreError, withPostgresErrors } from './errors.js';
import { inTransaction, type Queryable } from './sql.js';

/** SQLite's order of an entry's origins (text compared byte by byte, as SQLite's BINARY does). */
const ORIGIN_ORDER = 'added_at, origin COLLATE "C", external_id COLLATE "C"';
const OF_ENTRY = `SELECT * FROM entry_origins WHERE entry_id = $1 ORDER BY ${ORIGIN_ORDER}`;
const OF_ORIGIN = `SELECT o.*, e.number, e.is_prefix, e.kind FROM entry_origins o JOIN entries e ON e.id = o.entry_id
  WHERE o.origin = $1 ORDER BY o.entry_id, o.external_id COLLATE "C"`;
const UPSERT = `INSERT INTO entry_origins (entry_id, origin, external_id, label, vip, expires_at, added_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
  ON CONFLICT (entry_id, origin, external_id)
  DO UPDATE SET label = excluded.label, vip = excluded.vip, expires_at = excluded.expires_at, updated_at = excluded.updated_at`;

/** Tries of a transaction that lost a deadlock (waits 25, 50, 100, 200, 400 ms), as ../database.ts retry(). */
const RETRY_ATTEMPTS = 6;
const RETRY_BASE_DELAY_MS = 25;

const noResult = (): OriginSyncResult => ({ added: 0, changed: 0, removed: 0, entriesCreated: 0, entriesRemoved: 0 });

/** One step of a sync, counting into the result of its transaction. */
type Op = (db: Queryable, result: OriginSyncResult) => Promise<void>;

export function createPostgresOriginsRepository(pool: pg.Pool, options: RepositoryOptions = {}): OriginsRepository {
  const clock = options.clock ?? Date.now;
  const entries = createPostgresEntriesOperations(options);

  async function ofEntry(db: Queryable, entryId: number): Promise<OriginDbRow[]> {
    return (await db.query<OriginDbRow>(OF_ENTRY, [entryId])).rows;
  }

  /**
   * Holds the entry until the transaction ends: its origins are read and changed by one transaction at a time.
   * False when it is gone: the sync read its origins before its transaction, and a person may have removed it since.
   */
  async function lockEntry(db: Queryable, entryId: number): Promise<boolean> {
    return (await db.query('SELECT id FROM entries WHERE id = $1 FOR UPDATE', [entryId])).rows.length > 0;
  }

  async function upsert(
    db: Queryable,
    entryId: number,
    origin: string,
    o: Omit<OriginRow, 'number' | 'kind'>,
    at: number,
  ) {
    await db.query(UPSERT, [entryId, origin, o.externalId, orNull(o.label), bool(o.vip), orNull(o.expiresAt), at]);
  }

  /** As ../origins-repository.ts settle(): the entry takes its label, VIP flag and expiry from its origins. */
  async function settle(db: Queryable, entryId: number): Promise<'removed' | 'kept'> {
    const rows = await ofEntry(db, entryId);
    if (rows.length === 0) {
      await entries.remove(db, entryId);
      return 'removed';
    }
    if (rows.some((r) => r.origin === MANUAL_ORIGIN)) return 'kept';
    const expiries = rows.map((r) => r.expires_at);
    await entries.update(db, entryId, {
      label: rows.find((r) => r.label !== null)?.label ?? null,
      vip: rows.some((r) => r.vip === 1),
      expiresAt: expiries.includes(null) ? null : Math.max(...(expiries as number[])),
    });
    return 'kept';
  }

  /** Adds `row` under `origin`: to the entry for its number and kind, created when there is none. */
  async function add(db: Queryable, origin: string, row: OriginRow, now: number, result: OriginSyncResult) {
    const prefix = row.prefix ?? false;
    await lockNumber(db, row.number, prefix);
    const existing = (await entries.findByNumber(db, row.number, prefix, row.kind))[0];
    // The entry may go between finding and locking it (a person removes it): then the number is new again.
    if (existing && (await lockEntry(db, existing.id))) {
      // An entry without origins is the person's: written down before the sync's origin joins it, so that it stays
      // when the sync's origin goes.
      if ((await ofEntry(db, existing.id)).length === 0) {
        const { label, vip, expiresAt } = existing;
        await upsert(db, existing.id, MANUAL_ORIGIN, { externalId: '', label, vip, expiresAt }, existing.createdAt);
      }
      await upsert(db, existing.id, origin, row, now);
      await settle(db, existing.id);
      return;
    }
    const created = await entries.create(db, {
      number: row.number,
      prefix,
      kind: row.kind,
      source: origin,
      vip: row.vip ?? false,
      ...(row.label !== undefined && { label: row.label }),
      ...(row.expiresAt !== undefined && { expiresAt: row.expiresAt }),
    });
    await upsert(db, created.id, origin, row, now);
    result.entriesCreated++;
  }

  async function remove(db: Queryable, origin: string, entryId: number, externalId: string, result: OriginSyncResult) {
    if (!(await lockEntry(db, entryId))) return;
    await db.query('DELETE FROM entry_origins WHERE entry_id = $1 AND origin = $2 AND external_id = $3', [
      entryId,
      origin,
      externalId,
    ]);
    if ((await settle(db, entryId)) === 'removed') result.entriesRemoved++;
  }

  /**
   * One transaction, its announcements sent together at its end, tried again when it lost a deadlock; what it
   * counted counts once it is committed.
   */
  async function transaction<T>(fn: (db: Queryable, result: OriginSyncResult) => Promise<T>, into?: OriginSyncResult) {
    for (let attempt = 1; ; attempt++) {
      const counted = noResult();
      try {
        const value = await inTransaction(pool, (client) => announcingOnce(client, () => fn(client, counted)));
        if (into) {
          into.entriesCreated += counted.entriesCreated;
          into.entriesRemoved += counted.entriesRemoved;
        }
        return value;
      } catch (err) {
        const translated = toPostgresStoreError(err);
        if (!(translated instanceof StoreError && translated.code === 'busy') || attempt >= RETRY_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, RETRY_BASE_DELAY_MS * 2 ** (attempt - 1)));
      }
    }
  }

  /**
   * The steps in one transaction when they are few; more in transactions of ORIGIN_SMALL_CHANGES steps, additions
   * first and removals last, so no caller loses an entry it has before and after the sync, and no transaction
   * holds thousands of locks for long.
   */
  async function run(ops: Op[][], result: OriginSyncResult, signal: AbortSignal | undefined): Promise<void> {
    const all = ops.flat();
    const batches = all.length <= ORIGIN_SMALL_CHANGES ? [all] : ops.flatMap((phase) => chunks(phase));
    for (const batch of batches) {
      signal?.throwIfAborted();
      await transaction(async (db, counted) => {
        for (const op of batch) await op(db, counted);
      }, result);
    }
  }

  return withPostgresErrors<OriginsRepository>({
    async forEntries(ids) {
      const out = new Map<number, EntryOrigin[]>();
      for (const id of ids) out.set(id, []);
      const r = await pool.query<OriginDbRow>(
        `SELECT * FROM entry_origins WHERE entry_id = ANY ($1::bigint[]) ORDER BY entry_id, ${ORIGIN_ORDER}`,
        [[...ids]],
      );
      for (const row of r.rows) out.get(row.entry_id)?.push(toOrigin(row));
      return out;
    },

    claim: (entryId) =>
      transaction(async (db) => {
        const entry = await entries.get(db, entryId, true);
        if (!entry) return false;
        const rows = await ofEntry(db, entryId);
        if (rows.length === 0 || rows.some((r) => r.origin === MANUAL_ORIGIN)) return false;
        await upsert(db, entryId, MANUAL_ORIGIN, { externalId: '', label: entry.label, vip: entry.vip }, clock());
        // A number trusted for a while (`called`) that the person keeps is kept for good.
        await entries.update(db, entryId, { expiresAt: null });
        return true;
      }),

    async sync(origin: string, changes: OriginChanges, opts: { signal?: AbortSignal } = {}) {
      const plan = planSync(changes, (await pool.query<CurrentRow>(OF_ORIGIN, [origin])).rows);
      const result = {
        ...noResult(),
        added: plan.adds.length,
        changed: plan.updates.length,
        removed: plan.removals.length,
      };
      const now = clock();
      const adds: Op[] = plan.adds.map((row) => (db, counted) => add(db, origin, row, now, counted));
      const updates: Op[] = plan.updates.map(({ row, current }) => async (db) => {
        if (!(await lockEntry(db, current.entry_id))) return;
        await upsert(db, current.entry_id, origin, row, now);
        await settle(db, current.entry_id);
      });
      const removals: Op[] = plan.removals.map(
        (cur) => (db, counted) => remove(db, origin, cur.entry_id, cur.external_id, counted),
      );
      await run([adds, updates, removals], result, opts.signal);
      return result;
    },

    touch: (origin, row) =>
      transaction(async (db) => {
        const prefix = row.prefix ?? false;
        await lockNumber(db, row.number, prefix);
        const existing = (await entries.findByNumber(db, row.number, prefix, row.kind))[0];
        const had =
          existing !== undefined &&
          (await ofEntry(db, existing.id)).some((r) => r.origin === origin && r.external_id === row.externalId);
        await add(db, origin, row, clock(), noResult());
        return had ? 'refreshed' : 'added';
      }),

    async removeExpired(origin, now) {
      const result = noResult();
      const expired = await pool.query<{ entry_id: number; external_id: string }>(
        'SELECT entry_id, external_id FROM entry_origins WHERE origin = $1 AND expires_at IS NOT NULL AND expires_at <= $2',
        [origin, now],
      );
      const ops: Op[] = expired.rows.map(
        (r) => (db, counted) => remove(db, origin, r.entry_id, r.external_id, counted),
      );
      await run([ops], result, undefined);
      result.removed = expired.rows.length;
      return result;
    },

    async count(origin) {
      const r = await pool.query<{ n: number }>(
        'SELECT count(DISTINCT entry_id) AS n FROM entry_origins WHERE origin = $1',
        [origin],
      );
      return r.rows[0]?.n ?? 0;
    },

    async list(origin) {
      return (await pool.query<CurrentRow>(OF_ORIGIN, [origin])).rows.map((r) =>
        setOptional<OriginRow & { entryId: number }>(
          {
            entryId: r.entry_id,
            number: r.number,
            prefix: r.is_prefix === 1,
            kind: r.kind,
            externalId: r.external_id,
            vip: r.vip === 1,
          },
          { label: r.label, expiresAt: r.expires_at },
        ),
      );
    },
  });
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += ORIGIN_SMALL_CHANGES) out.push(items.slice(at, at + ORIGIN_SMALL_CHANGES));
  return out;
}
