/**
 * Where entries come from (migration 007): every origin of an entry — the person (`manual`) and the sources that
 * sync contacts (fritzbox, carddav, called). A sync changes only its own origin's rows; an entry goes when its last
 * origin goes, and an entry without origin rows is the person's own and never touched by a sync. Every method returns
 * a promise: a second engine (PostgreSQL) will sit behind the same interface; SQLite answers at once.
 */
import type { EntryKind } from '../policy/types.js';
import type { Database } from './database.js';
import { createEntriesOperations } from './entries-repository.js';
import { withStoreErrors } from './errors.js';
import { createPacer, yieldToEventLoop } from './pacer.js';
import { bool, orNull, type RepositoryOptions, setOptional } from './sql.js';

/** The person's origin: what they added, edited or kept by hand. A source may not take this name. */
export const MANUAL_ORIGIN = 'manual';

/**
 * Changes of one sync applied in one transaction: about 50 ms here (a lookup and two writes per change), a few times
 * that on a Raspberry Pi — inside the 1 s decision deadline of a call arriving meanwhile. More are applied in paced
 * transactions, additions first and removals last, so no caller loses an entry it has before and after the sync.
 */
export const ORIGIN_SMALL_CHANGES = 1_000;

/** One origin of an entry, as the API shows it. */
export interface EntryOrigin {
  origin: string;
  externalId?: string;
  label?: string;
  vip: boolean;
  expiresAt?: number;
  addedAt: number;
}

/** One number as a sync brings it. */
export interface OriginRow {
  number: string;
  prefix?: boolean;
  kind: EntryKind;
  /** The origin's own key for where the number comes from: a card's href, `book:<name>`, `barring`, ''. */
  externalId: string;
  label?: string;
  vip?: boolean;
  expiresAt?: number;
}

export interface OriginChanges {
  /** For each external id given, the origin's rows under it become exactly these (an empty array removes them). */
  parts: Map<string, OriginRow[]>;
  /** A full resync: the origin's rows under external ids that start with one of these and are not in `parts` go too. */
  clearPrefixes?: readonly string[];
}

export interface OriginSyncResult {
  /** Origin rows added, changed (label, VIP, expiry), removed. */
  added: number;
  changed: number;
  removed: number;
  /** Entries created for numbers nobody had, and entries removed because their last origin went. */
  entriesCreated: number;
  entriesRemoved: number;
}

export interface OriginDbRow {
  entry_id: number;
  origin: string;
  external_id: string;
  label: string | null;
  vip: number;
  expires_at: number | null;
  added_at: number;
}

export interface CurrentRow extends OriginDbRow {
  number: string;
  is_prefix: number;
  kind: EntryKind;
}

export const keyOf = (r: { externalId: string; kind: EntryKind; number: string; prefix?: boolean }) =>
  `${r.externalId}\u0000${r.kind}\u0000${r.number}\u0000${r.prefix ? 1 : 0}`;

/** What one sync of an origin changes: the rows to add, those whose label, VIP or expiry changed, those to remove. */
export interface SyncPlan {
  adds: OriginRow[];
  updates: { row: OriginRow; current: CurrentRow }[];
  removals: CurrentRow[];
}

/** Compares what `changes` wants with `rows`, every row the origin holds now: the same on both engines. */
export function planSync(changes: OriginChanges, rows: Iterable<CurrentRow>): SyncPlan {
  const { parts } = changes;
  const clear = changes.clearPrefixes ?? [];
  const wanted = new Map<string, OriginRow>();
  for (const [externalId, partRows] of parts) {
    for (const row of partRows) {
      const r = { ...row, externalId };
      const key = keyOf(r);
      const seen = wanted.get(key);
      // The same number twice under one key (home and work alike): one row, named by the first, VIP if any is.
      if (seen) seen.vip = (seen.vip ?? false) || (r.vip ?? false);
      else wanted.set(key, r);
    }
  }
  const current = new Map<string, CurrentRow>();
  for (const row of rows) {
    const inScope = parts.has(row.external_id) || clear.some((p) => row.external_id.startsWith(p));
    if (inScope)
      current.set(
        keyOf({ externalId: row.external_id, kind: row.kind, number: row.number, prefix: row.is_prefix === 1 }),
        row,
      );
  }
  const plan: SyncPlan = { adds: [], updates: [], removals: [] };
  for (const [key, row] of wanted) {
    const cur = current.get(key);
    if (!cur) plan.adds.push(row);
    else if (
      cur.label !== (row.label ?? null) ||
      cur.vip !== bool(row.vip) ||
      cur.expires_at !== (row.expiresAt ?? null)
    )
      plan.updates.push({ row, current: cur });
  }
  for (const [key, cur] of current) if (!wanted.has(key)) plan.removals.push(cur);
  return plan;
}

export function toOrigin(row: OriginDbRow): EntryOrigin {
  return setOptional<EntryOrigin>(
    { origin: row.origin, vip: row.vip === 1, addedAt: row.added_at },
    {
      externalId: row.external_id === '' ? null : row.external_id,
      label: row.label,
      expiresAt: row.expires_at,
    },
  );
}

export function createOriginsRepository(db: Database, options: RepositoryOptions = {}) {
  const clock = options.clock ?? Date.now;
  const entries = createEntriesOperations(db, options);
  const ofEntry = db.prepare<[number], OriginDbRow>(
    'SELECT * FROM entry_origins WHERE entry_id = ? ORDER BY added_at, origin, external_id',
  );
  const countOfEntry = db.prepare<[number], number>('SELECT count(*) FROM entry_origins WHERE entry_id = ?').pluck();
  const hasManual = db
    .prepare<[number], number>(`SELECT count(*) FROM entry_origins WHERE entry_id = ? AND origin = '${MANUAL_ORIGIN}'`)
    .pluck();
  const ofOrigin = db.prepare<[string], CurrentRow>(
    `SELECT o.*, e.number, e.is_prefix, e.kind FROM entry_origins o JOIN entries e ON e.id = o.entry_id WHERE o.origin = ? ORDER BY o.entry_id`,
  );
  const upsert = db.prepare<[Record<string, unknown>]>(
    `INSERT INTO entry_origins (entry_id, origin, external_id, label, vip, expires_at, added_at, updated_at)
     VALUES (@entry_id, @origin, @external_id, @label, @vip, @expires_at, @now, @now)
     ON CONFLICT (entry_id, origin, external_id) DO UPDATE SET label = @label, vip = @vip, expires_at = @expires_at, updated_at = @now`,
  );
  const deleteOne = db.prepare<[number, string, string]>(
    'DELETE FROM entry_origins WHERE entry_id = ? AND origin = ? AND external_id = ?',
  );
  const countOrigin = db
    .prepare<[string], number>('SELECT count(DISTINCT entry_id) FROM entry_origins WHERE origin = ?')
    .pluck();
  const expiredOf = db.prepare<[string, number], { entry_id: number; external_id: string }>(
    'SELECT entry_id, external_id FROM entry_origins WHERE origin = ? AND expires_at IS NOT NULL AND expires_at <= ?',
  );

  /**
   * An entry the sync just changed takes its label, VIP flag and expiry from its origins — unless the person has
   * it (a manual origin): then what they set stays. The earliest origin with a name names it; VIP if any origin says
   * so; it expires only when every origin does, at the latest of their expiries. No origin left: the entry goes.
   */
  function settle(entryId: number): 'removed' | 'kept' {
    const rows = ofEntry.all(entryId);
    if (rows.length === 0) {
      entries.remove(entryId);
      return 'removed';
    }
    if (rows.some((r) => r.origin === MANUAL_ORIGIN)) return 'kept';
    const expiries = rows.map((r) => r.expires_at);
    entries.update(entryId, {
      label: rows.find((r) => r.label !== null)?.label ?? null,
      vip: rows.some((r) => r.vip === 1),
      expiresAt: expiries.includes(null) ? null : Math.max(...(expiries as number[])),
    });
    return 'kept';
  }

  function write(origin: string, row: OriginRow, entryId: number, now: number): void {
    upsert.run({
      entry_id: entryId,
      origin,
      external_id: row.externalId,
      label: orNull(row.label),
      vip: bool(row.vip),
      expires_at: orNull(row.expiresAt),
      now,
    });
  }

  /** Adds `row` under `origin`: to the entry for its number and kind, created when there is none. */
  function add(origin: string, row: OriginRow, now: number, result: OriginSyncResult): void {
    const prefix = row.prefix ?? false;
    const existing = entries.findByNumber(row.number, prefix, row.kind)[0];
    if (!existing) {
      const created = entries.create({
        number: row.number,
        prefix,
        kind: row.kind,
        source: origin,
        vip: row.vip ?? false,
        ...(row.label !== undefined && { label: row.label }),
        ...(row.expiresAt !== undefined && { expiresAt: row.expiresAt }),
      });
      write(origin, row, created.id, now);
      result.entriesCreated++;
      return;
    }
    // An entry without origins is the person's: written down before the sync's origin joins it, so that it stays
    // when the sync's origin goes.
    if (countOfEntry.get(existing.id) === 0) {
      upsert.run({
        entry_id: existing.id,
        origin: MANUAL_ORIGIN,
        external_id: '',
        label: orNull(existing.label),
        vip: bool(existing.vip),
        expires_at: orNull(existing.expiresAt),
        now: existing.createdAt,
      });
    }
    write(origin, row, existing.id, now);
    settle(existing.id);
  }

  function remove(origin: string, entryId: number, externalId: string, result: OriginSyncResult): void {
    deleteOne.run(entryId, origin, externalId);
    if (settle(entryId) === 'removed') result.entriesRemoved++;
  }

  type Op = () => void;

  /** Runs the operations in one transaction when they are few, else in paced transactions between turns of the event loop. */
  async function run(ops: Op[][], signal: AbortSignal | undefined): Promise<void> {
    const all = ops.flat();
    if (all.length <= ORIGIN_SMALL_CHANGES) {
      await db.retry(
        () =>
          db.transaction(() => {
            for (const op of all) op();
          }),
        'contacts sync',
      );
      return;
    }
    for (const phase of ops) {
      const pacer = createPacer(ORIGIN_SMALL_CHANGES);
      for (let at = 0; at < phase.length; ) {
        signal?.throwIfAborted();
        const batch = phase.slice(at, at + pacer.size);
        await db.retry(
          () =>
            pacer.timed(() =>
              db.transaction(() => {
                for (const op of batch) op();
              }),
            ),
          'contacts sync',
        );
        at += batch.length;
        await yieldToEventLoop();
      }
    }
  }

  return withStoreErrors({
    /** The origins of these entries (for the API's view); an entry without rows is the person's. */
    async forEntries(ids: readonly number[]): Promise<Map<number, EntryOrigin[]>> {
      const out = new Map<number, EntryOrigin[]>();
      db.read(() => {
        for (const id of ids) {
          const rows = ofEntry.all(id);
          out.set(id, rows.length === 0 ? [] : rows.map(toOrigin));
        }
      });
      return out;
    },

    /**
     * The person takes the entry as their own (they edited or kept it): a manual origin joins the sync's, so a sync
     * that drops the number no longer removes the entry. False when the entry has no sync's origin (it is theirs
     * already) or has a manual one.
     */
    async claim(entryId: number): Promise<boolean> {
      return db.transaction(() => {
        if (countOfEntry.get(entryId) === 0 || hasManual.get(entryId) !== 0) return false;
        const entry = entries.get(entryId);
        if (!entry) return false;
        upsert.run({
          entry_id: entryId,
          origin: MANUAL_ORIGIN,
          external_id: '',
          label: orNull(entry.label),
          vip: bool(entry.vip),
          expires_at: null,
          now: clock(),
        });
        // A number trusted for a while (`called`) that the person keeps is kept for good.
        entries.update(entryId, { expiresAt: null });
        return true;
      });
    },

    /**
     * Applies one sync of `origin`: for each external id in `changes.parts`, its rows become the ones given (see
     * OriginChanges). Computes the difference first, then writes it: additions, changes, removals.
     */
    async sync(origin: string, changes: OriginChanges, opts: { signal?: AbortSignal } = {}): Promise<OriginSyncResult> {
      const plan = planSync(changes, ofOrigin.iterate(origin));
      const result: OriginSyncResult = {
        added: plan.adds.length,
        changed: plan.updates.length,
        removed: plan.removals.length,
        entriesCreated: 0,
        entriesRemoved: 0,
      };
      const now = clock();
      await run(
        [
          plan.adds.map((row) => () => add(origin, row, now, result)),
          plan.updates.map(({ row, current }) => () => {
            write(origin, row, current.entry_id, now);
            settle(current.entry_id);
          }),
          plan.removals.map((cur) => () => remove(origin, cur.entry_id, cur.external_id, result)),
        ],
        opts.signal,
      );
      return result;
    },

    /** Adds or refreshes one number under `origin` (a call the household made: `called`). */
    async touch(origin: string, row: OriginRow): Promise<'added' | 'refreshed'> {
      return db.transaction(() => {
        const prefix = row.prefix ?? false;
        const existing = entries.findByNumber(row.number, prefix, row.kind)[0];
        const had =
          existing !== undefined &&
          ofEntry.all(existing.id).some((r) => r.origin === origin && r.external_id === row.externalId);
        add(origin, row, clock(), { added: 0, changed: 0, removed: 0, entriesCreated: 0, entriesRemoved: 0 });
        return had ? 'refreshed' : 'added';
      });
    },

    /** Removes the rows of `origin` that expired by `now`, and entries left without an origin. */
    async removeExpired(origin: string, now: number): Promise<OriginSyncResult> {
      const result: OriginSyncResult = { added: 0, changed: 0, removed: 0, entriesCreated: 0, entriesRemoved: 0 };
      const expired = expiredOf.all(origin, now);
      await run([expired.map((r) => () => remove(origin, r.entry_id, r.external_id, result))], undefined);
      result.removed = expired.length;
      return result;
    },

    /** Entries that hold this origin. */
    async count(origin: string): Promise<number> {
      return countOrigin.get(origin) ?? 0;
    },

    /** The numbers this origin holds, with the entry each belongs to (tests, the sync's report). */
    async list(origin: string): Promise<(OriginRow & { entryId: number })[]> {
      return ofOrigin.all(origin).map((r) =>
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

export type OriginsRepository = ReturnType<typeof createOriginsRepository>;
