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
 */

import { count } from '../text.js';
import type { Database } from './database.js';
import { StoreError } from './errors.js';
import { createPacer, yieldToEventLoop } from './pacer.js';
import { bool, orNull } from './sql.js';
import type { ListEntryInput, ReplaceResult } from './types.js';

/** The most rows per import or delete transaction; the pacer usually picks fewer (TX_BUDGET_MS). */
export const IMPORT_BATCH = 20_000;

/** Versions being written by this process, which `cleanupOrphans()` must not take for crash leftovers. */
const inFlight = new WeakMap<Database, Set<string>>();

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

export function createListVersions(db: Database, clock: () => number) {
  const running = inFlight.get(db) ?? new Set<string>();
  inFlight.set(db, running);
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

  /** At open, before the service takes calls: no need to yield. */
  function dropVersionSync(listId: number, version: number): number {
    let removed = 0;
    for (let n = IMPORT_BATCH; n === IMPORT_BATCH; removed += n)
      n = deleteBatch.run(listId, version, IMPORT_BATCH).changes;
    return removed;
  }

  return {
    async replaceEntries(
      listId: number,
      rows: AsyncIterable<ListEntryInput> | Iterable<ListEntryInput>,
      opts: ReplaceOptions = {},
    ): Promise<ReplaceResult> {
      const pacer = createPacer(opts.batchSize ?? IMPORT_BATCH);
      const version = await db.retry(() => db.transaction(() => reserve.get(listId)?.version), 'list import');
      if (version === undefined) throw new StoreError('not-found', `list ${listId} does not exist`);
      const key = `${listId}:${version}`;
      running.add(key);
      let read = 0;
      let added = 0;
      let previous: number;
      try {
        let batch: ListEntryInput[] = [];
        const flush = async () => {
          const rows = batch;
          batch = [];
          added += await db.retry(
            () => pacer.timed(() => checkpointed(() => db.transaction(() => writeBatch(listId, version, rows)))),
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

    /** Deletes rows of versions that are neither active nor being written here (a crashed or superseded import). */
    cleanupOrphans(): number {
      let removed = 0;
      for (const list of allLists.all()) {
        for (let v = nextVersion.get(list.id, FIRST); v !== undefined; v = nextVersion.get(list.id, v)) {
          if (v !== list.active_version && !running.has(`${list.id}:${v}`)) removed += dropVersionSync(list.id, v);
        }
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
