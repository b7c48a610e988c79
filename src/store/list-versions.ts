/**
 * Atomic replacement of an imported list by versioning. A list of a million rows cannot be written in one
 * transaction without holding the write lock (and, in this process, the event loop) for seconds, so:
 * 1. reserve version last_version + 1 (short transaction);
 * 2. write its rows in batches, each its own transaction of about TX_BUDGET_MS (pacer.ts), yielding to the event
 *    loop in between — the rows are invisible meanwhile, because lookups only see lists.active_version;
 * 3. flip active_version and entry_count in ONE short transaction: the switch is atomic;
 * 4. delete the previous version's rows, paced the same way.
 * A crash anywhere before 3 leaves the old version active and intact; the half-written rows are orphans that
 * `cleanupOrphans()` removes (openStore runs it).
 *
 * Every writable open runs that cleanup, a short CLI command's too, so it must tell a crashed import from one still
 * running in another process. SQLite has no lock a dead process drops by itself, so an import holds a lease
 * (leases table, `list-import:<list>:<version>`) from the transaction that reserves its version to the one that
 * switches to it: its owner `host:pid`, renewed while it writes, expires_at its last renewal plus STALE_MS. The
 * cleanup leaves a version alone while that lease's owner lives (import-owner.ts, as for entry imports). A version
 * with rows and no lease is a crashed import's, or one of a version that was active before.
 */

import { count } from '../text.js';
import type { Database } from './database.js';
import { StoreError } from './errors.js';
import { isOwnerGone, OWNER, STALE_MS } from './import-owner.js';
import { createPacer, yieldToEventLoop } from './pacer.js';
import { bool, orNull } from './sql.js';
import type { ListEntryInput, ReplaceResult } from './types.js';

/** The most rows per import or delete transaction; the pacer usually picks fewer (TX_BUDGET_MS). */
export const IMPORT_BATCH = 20_000;

/**
 * Versions being written by this process (`file#list:version`), which `cleanupOrphans()` of any connection must not
 * take for crash leftovers: their lease's owner is this pid, which isOwnerGone takes for an earlier process's.
 */
const running = new Set<string>();
/** How often a running import renews its lease (it does so in a batch's transaction, so while it writes). */
const HEARTBEAT_MS = 5_000;

/** Below any version, so a walk over a list's versions also finds rows that should not exist (version <= 0). */
const FIRST = Number.MIN_SAFE_INTEGER;

interface ListEntryParams {
  list_id: number;
  version: number;
  number: string;
  is_prefix: number;
  score: number;
  label: string | null;
}

export interface ReplaceOptions {
  /** The most rows per transaction (default IMPORT_BATCH); fewer when a transaction would exceed TX_BUDGET_MS. */
  batchSize?: number;
  signal?: AbortSignal;
}

const leaseName = (listId: number, version: number) => `list-import:${listId}:${version}`;
const runningKey = (db: Database, listId: number, version: number) => `${db.file}#${listId}:${version}`;

export function createListVersions(db: Database, clock: () => number) {
  const reserve = db.prepare<[number], { version: number }>(
    'UPDATE lists SET last_version = max(last_version, active_version) + 1 WHERE id = ? RETURNING last_version AS version',
  );
  const insert = db.prepare<[ListEntryParams]>(
    `INSERT INTO list_entries (list_id, version, number, is_prefix, score, label)
     VALUES (@list_id, @version, @number, @is_prefix, @score, @label) ON CONFLICT DO NOTHING`,
  );
  const activeOf = db.prepare<[number], number>('SELECT active_version FROM lists WHERE id = ?').pluck();
  const countVersion = db
    .prepare<[number, number], number>('SELECT count(*) FROM list_entries WHERE list_id = ? AND version = ?')
    .pluck();
  const flip = db.prepare<[{ id: number; version: number; count: number; now: number }]>(
    'UPDATE lists SET active_version = @version, entry_count = @count, updated_at = @now WHERE id = @id',
  );
  const deleteBatch = db.prepare<[number, number, number]>(
    'DELETE FROM list_entries WHERE id IN (SELECT id FROM list_entries WHERE list_id = ? AND version = ? LIMIT ?)',
  );
  // The cleanup's delete: never of the version active at that moment, though it was not when the cleanup looked.
  const deleteInactiveBatch = db.prepare<[{ list: number; version: number; limit: number }]>(
    `DELETE FROM list_entries WHERE id IN (SELECT id FROM list_entries WHERE list_id = @list AND version = @version
       AND NOT EXISTS (SELECT 1 FROM lists WHERE id = @list AND active_version = @version) LIMIT @limit)`,
  );
  const hold = db.prepare<[{ name: string; owner: string; until: number; now: number }]>(
    `INSERT INTO leases (name, owner, expires_at, acquired_at) VALUES (@name, @owner, @until, @now)
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, acquired_at = excluded.acquired_at`,
  );
  const renew = db.prepare<[number, string, string]>('UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ?');
  const release = db.prepare<[string, string]>('DELETE FROM leases WHERE name = ? AND owner = ?');
  const leaseOf = db.prepare<[string], { owner: string; expires_at: number }>(
    'SELECT owner, expires_at FROM leases WHERE name = ?',
  );
  const importLeases = db.prepare<[], { name: string; owner: string; expires_at: number }>(
    "SELECT name, owner, expires_at FROM leases WHERE name GLOB 'list-import:*'",
  );
  const nextVersion = db
    .prepare<[number, number], number>(
      'SELECT version FROM list_entries WHERE list_id = ? AND version > ? ORDER BY version LIMIT 1',
    )
    .pluck();
  const allLists = db.prepare<[], { id: number; active_version: number }>('SELECT id, active_version FROM lists');
  const retire = db.prepare<[number]>('UPDATE lists SET active_version = 0, entry_count = 0, enabled = 0 WHERE id = ?');
  const deleteList = db.prepare<[number]>('DELETE FROM lists WHERE id = ?');
  const activate = db
    .prepare<[number], number>(
      'UPDATE lists SET last_version = max(last_version, active_version) + 1, active_version = max(last_version, active_version) + 1 WHERE id = ? RETURNING active_version',
    )
    .pluck();
  const findRow = db
    .prepare<[number, number, string, number], number>(
      'SELECT id FROM list_entries WHERE list_id = ? AND version = ? AND number = ? AND is_prefix = ?',
    )
    .pluck();
  const updateRow = db.prepare<[number, string | null, number]>(
    'UPDATE list_entries SET score = ?, label = ? WHERE id = ?',
  );
  const deleteRow = db.prepare<[number, number, string, number]>(
    'DELETE FROM list_entries WHERE list_id = ? AND version = ? AND number = ? AND is_prefix = ?',
  );
  const addCount = db.prepare<[number, number, number]>(
    'UPDATE lists SET entry_count = entry_count + ?, updated_at = ? WHERE id = ?',
  );

  function writeBatch(listId: number, version: number, rows: readonly ListEntryInput[]): number {
    let added = 0;
    for (const row of rows) {
      const params = {
        list_id: listId,
        version,
        number: row.number,
        is_prefix: bool(row.prefix),
        score: row.score ?? 1,
        label: orNull(row.label),
      };
      added += insert.run(params).changes;
    }
    return added;
  }

  /** Runs a batch, then checkpoints what it wrote — in the job's time, not in the next call's log write. */
  function checkpointed<T>(fn: () => T): T {
    const result = fn();
    db.checkpoint();
    return result;
  }

  /** Deletes one version's rows in short transactions; async yields between them. */
  async function dropVersion(listId: number, version: number): Promise<number> {
    const pacer = createPacer(IMPORT_BATCH);
    let removed = 0;
    for (;;) {
      const limit = pacer.size;
      const n = await db.retry(
        () => pacer.timed(() => checkpointed(() => deleteBatch.run(listId, version, limit).changes)),
        'list cleanup',
      );
      removed += n;
      if (n < limit) return removed;
      await yieldToEventLoop();
    }
  }

  /** At open, before the service takes calls: no need to yield. Leaves the version alone once it is active. */
  function dropInactiveSync(listId: number, version: number): number {
    let removed = 0;
    for (let n = IMPORT_BATCH; n === IMPORT_BATCH; removed += n)
      n = deleteInactiveBatch.run({ list: listId, version, limit: IMPORT_BATCH }).changes;
    return removed;
  }

  /** Whether an import in this process, or one whose writer lives, is writing this version. */
  function beingWritten(listId: number, version: number, now: number): boolean {
    if (running.has(runningKey(db, listId, version))) return true;
    const lease = leaseOf.get(leaseName(listId, version));
    return lease !== undefined && !isOwnerGone(lease.owner, lease.expires_at - STALE_MS, now);
  }

  return {
    async replaceEntries(
      listId: number,
      rows: AsyncIterable<ListEntryInput> | Iterable<ListEntryInput>,
      opts: ReplaceOptions = {},
    ): Promise<ReplaceResult> {
      const pacer = createPacer(opts.batchSize ?? IMPORT_BATCH);
      // The lease in the same transaction as the version: no other process sees the version without its owner.
      const version = await db.retry(
        () =>
          db.transaction(() => {
            const reserved = reserve.get(listId)?.version;
            if (reserved === undefined) return undefined;
            const now = clock();
            hold.run({ name: leaseName(listId, reserved), owner: OWNER, until: now + STALE_MS, now });
            return reserved;
          }),
        'list import',
      );
      if (version === undefined) throw new StoreError('not-found', `list ${listId} does not exist`);
      const key = runningKey(db, listId, version);
      const lease = leaseName(listId, version);
      running.add(key);
      let beatAt = clock();
      let read = 0;
      let added = 0;
      let previous: number;
      try {
        let batch: ListEntryInput[] = [];
        const flush = async () => {
          const rows = batch;
          batch = [];
          added += await db.retry(
            () =>
              pacer.timed(() =>
                checkpointed(() =>
                  db.transaction(() => {
                    if (clock() - beatAt >= HEARTBEAT_MS) renew.run((beatAt = clock()) + STALE_MS, lease, OWNER);
                    return writeBatch(listId, version, rows);
                  }),
                ),
              ),
            'list import',
          );
          await yieldToEventLoop();
        };
        for await (const row of rows) {
          read++;
          batch.push(row);
          if (batch.length >= pacer.size) {
            opts.signal?.throwIfAborted();
            await flush();
          }
        }
        if (batch.length > 0) await flush();
        opts.signal?.throwIfAborted();
        const written = countVersion.get(listId, version) ?? 0;
        if (written !== added) {
          throw new StoreError(
            'conflict',
            `list ${listId}: ${added - written} of ${count(added, 'imported row')} vanished during the import (removed by another process?); the old list stays active`,
          );
        }
        previous = await db.retry(
          () =>
            db.transaction(() => {
              const active = activeOf.get(listId);
              if (active === undefined)
                throw new StoreError('conflict', `list ${listId} was removed during the import`);
              if (active >= version)
                throw new StoreError(
                  'conflict',
                  `list ${listId}: a newer import (version ${active}) finished first; this one was discarded`,
                );
              flip.run({ id: listId, version, count: added, now: clock() });
              release.run(lease, OWNER);
              return active;
            }),
          'list import',
        );
      } catch (err) {
        await dropVersion(listId, version).catch((cleanupErr: unknown) => {
          db.logger?.warn(
            { err: cleanupErr, listId, version },
            'could not remove the rows of a failed import; cleanupOrphans will',
          );
        });
        try {
          db.transaction(() => release.run(lease, OWNER));
        } catch {
          // Kept, the lease names a dead owner once this process ends: the cleanup after that removes it.
        }
        throw err;
      } finally {
        running.delete(key);
      }
      const removed =
        previous > 0
          ? await dropVersion(listId, previous).catch((err: unknown) => {
              db.logger?.warn(
                { err, listId, version: previous },
                'could not remove the previous version; cleanupOrphans will',
              );
              return 0;
            })
          : 0;
      db.logger?.info({ listId, version, added, duplicates: read - added, removed }, 'list replaced');
      return { listId, version, added, duplicates: read - added, removed };
    },

    /**
     * An incremental update of the active version in one transaction (PhoneBlock `?since=`: changed numbers, and
     * `votes: 0` for removed ones). A list never imported gets an empty active version first.
     */
    applyChanges(
      listId: number,
      changes: { upsert?: Iterable<ListEntryInput>; remove?: Iterable<Pick<ListEntryInput, 'number' | 'prefix'>> },
    ) {
      return db.transaction(() => {
        let version = activeOf.get(listId);
        if (version === undefined) throw new StoreError('not-found', `list ${listId} does not exist`);
        if (version === 0) version = activate.get(listId) as number;
        let added = 0;
        let updated = 0;
        let removed = 0;
        for (const row of changes.upsert ?? []) {
          const id = findRow.get(listId, version, row.number, bool(row.prefix));
          if (id === undefined) added += writeBatch(listId, version, [row]);
          else updated += updateRow.run(row.score ?? 1, orNull(row.label), id).changes;
        }
        for (const row of changes.remove ?? [])
          removed += deleteRow.run(listId, version, row.number, bool(row.prefix)).changes;
        addCount.run(added - removed, clock(), listId);
        return { added, updated, removed };
      });
    },

    /**
     * Deletes rows of versions that are neither active nor being written (a crashed or superseded import), and the
     * leases of imports whose writer is gone.
     */
    cleanupOrphans(): number {
      let removed = 0;
      const now = clock();
      for (const list of allLists.all()) {
        for (let v = nextVersion.get(list.id, FIRST); v !== undefined; v = nextVersion.get(list.id, v)) {
          if (v !== list.active_version && !beingWritten(list.id, v, now)) removed += dropInactiveSync(list.id, v);
        }
      }
      for (const lease of importLeases.all()) {
        const [listId, version] = lease.name.split(':').slice(1).map(Number) as [number, number];
        if (!beingWritten(listId, version, now)) release.run(lease.name, lease.owner);
      }
      if (removed > 0) db.logger?.info({ removed }, 'removed rows of unfinished list imports');
      return removed;
    },

    /**
     * Removes a list without one huge cascade: first it stops matching (one short transaction), then its rows go in
     * batches, then the list row. Interrupted, it leaves a disabled empty list to remove again.
     */
    async remove(listId: number): Promise<boolean> {
      if (retire.run(listId).changes === 0) return false;
      for (let v = nextVersion.get(listId, FIRST); v !== undefined; v = nextVersion.get(listId, v))
        await dropVersion(listId, v);
      deleteList.run(listId);
      return true;
    },
  };
}
