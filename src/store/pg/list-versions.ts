/**
 * Versioned list imports on PostgreSQL: the same four steps as ../list-versions.ts (reserve a version, write its rows
 * while they are invisible, switch active_version in one short transaction, delete the old version's rows), without
 * SQLite's pacer: PostgreSQL has row locks and MVCC, so a batch holds up no reader and no other writer.
 *
 * The rows are written in batches that each commit on their own, not in one transaction: the rows come from a
 * download, and a transaction left open for the length of a download would hold back vacuum on every table. So a
 * crashed import leaves rows behind, which `cleanupOrphans()` removes. With several nodes on one database, "crashed"
 * cannot be told from "still running on another node" by the rows alone: the importer holds a session advisory lock
 * on its (list, version) for the whole import, and cleanup removes only versions whose lock it can take. A node that
 * dies loses its session, and with it the lock.
 *
 * Each batch is one INSERT … SELECT FROM unnest() of one array per column: six parameters whatever the batch size,
 * so PostgreSQL's limit of 65,535 parameters per statement never splits a batch, and the statement text is the same
 * for every batch.
 */
import type pg from 'pg';
import type { Logger } from '../../logger.js';
import { count } from '../../text.js';
import { StoreError } from '../errors.js';
import { IMPORT_BATCH, type ReplaceOptions } from '../list-versions.js';
import { bool, orNull } from '../sql.js';
import type { ListEntryInput, ReplaceResult } from '../types.js';
import { changePayload, SCREENING_CHANNEL } from './screening-replica.js';
import { type Queryable, transactionOn } from './sql.js';

/** Below any version (bound as bigint: version is an integer column), so a walk also finds version <= 0. */
const FIRST = Number.MIN_SAFE_INTEGER;

const INSERT_BATCH = `INSERT INTO list_entries (list_id, version, number, is_prefix, score, label)
  SELECT $1, $2, r.number, r.is_prefix, r.score, r.label
    FROM unnest($3::text[], $4::integer[], $5::double precision[], $6::text[]) WITH ORDINALITY AS r(number, is_prefix, score, label, n)
    ORDER BY r.n
  ON CONFLICT DO NOTHING`;

const DELETE_BATCH =
  'DELETE FROM list_entries WHERE id IN (SELECT id FROM list_entries WHERE list_id = $1 AND version = $2 LIMIT $3)';

const NEXT_VERSION =
  'SELECT version FROM list_entries WHERE list_id = $1 AND version > $2::bigint ORDER BY version LIMIT 1';

/** The advisory lock of one version being written: a 64-bit hash of a name no other lock of callfilter uses. */
const LOCK = 'hashtextextended($1, 0)';
const lockName = (listId: number, version: number) => `callfilter list import ${listId}:${version}`;

export type VersionsLogger = Pick<Logger, 'info' | 'warn'>;

/** Tells every node's screening replica to read this list's hits in force again (at COMMIT). */
export async function announceList(db: Queryable, listId: number): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [SCREENING_CHANNEL, changePayload({ list: listId })]);
}

/**
 * Runs `fn` on one connection of the pool. A held connection that breaks while none of its queries runs (the import
 * holds its connection while the download goes on) says so by an 'error' event, which unheard would end the process;
 * heard, the connection is only not handed out again. `fn` calls `lost()` when it cannot tell what the session holds.
 */
async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient, lost: () => void) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const lost = () => {
    broken = true;
  };
  client.on('error', lost);
  try {
    return await fn(client, lost);
  } finally {
    client.off('error', lost);
    client.release(broken);
  }
}

async function insertBatch(db: Queryable, listId: number, version: number, rows: readonly ListEntryInput[]) {
  const r = await db.query(INSERT_BATCH, [
    listId,
    version,
    rows.map((row) => row.number),
    rows.map((row) => bool(row.prefix)),
    rows.map((row) => row.score ?? 1),
    rows.map((row) => orNull(row.label)),
  ]);
  return r.rowCount ?? 0;
}

export function createPostgresListVersions(pool: pg.Pool, clock: () => number, logger?: VersionsLogger) {
  /**
   * Deletes one version's rows, a batch per statement: no transaction holds a million row locks. On the connection
   * the caller holds, if it holds one: another one from the pool might never come (a pool of one).
   */
  async function dropVersion(listId: number, version: number, db: Queryable = pool): Promise<number> {
    let removed = 0;
    for (;;) {
      const n = (await db.query(DELETE_BATCH, [listId, version, IMPORT_BATCH])).rowCount ?? 0;
      removed += n;
      if (n < IMPORT_BATCH) return removed;
    }
  }

  async function nextVersion(listId: number, after: number): Promise<number | undefined> {
    const r = await pool.query<{ version: number }>(NEXT_VERSION, [listId, after]);
    return r.rows[0]?.version;
  }

  /** Drops `version` unless it is active or another session writes it (holds its lock). */
  async function dropIfOrphan(listId: number, version: number): Promise<number> {
    return withClient(pool, async (client, lost) => {
      const name = lockName(listId, version);
      const got = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK}) AS ok`, [name]);
      if (!got.rows[0]?.ok) return 0;
      try {
        const active = await client.query<{ v: number }>('SELECT active_version AS v FROM lists WHERE id = $1', [
          listId,
        ]);
        const v = active.rows[0]?.v;
        return v === undefined || v === version ? 0 : await dropVersion(listId, version, client);
      } finally {
        // a session that may still hold the lock is not handed out again
        await client.query(`SELECT pg_advisory_unlock(${LOCK})`, [name]).catch(lost);
      }
    });
  }

  return {
    async replaceEntries(
      listId: number,
      rows: AsyncIterable<ListEntryInput> | Iterable<ListEntryInput>,
      opts: ReplaceOptions = {},
    ): Promise<ReplaceResult> {
      const batchSize = Math.max(1, opts.batchSize ?? IMPORT_BATCH);
      const reserved = await pool.query<{ version: number }>(
        'UPDATE lists SET last_version = greatest(last_version, active_version) + 1 WHERE id = $1 RETURNING last_version AS version',
        [listId],
      );
      const version = reserved.rows[0]?.version;
      if (version === undefined) throw new StoreError('not-found', `list ${listId} does not exist`);
      const name = lockName(listId, version);
      let read = 0;
      let added = 0;
      const previous = await withClient(pool, async (client, lost) => {
        // Taken before the first row is written: cleanup elsewhere never sees rows of this version unlocked.
        await client.query(`SELECT pg_advisory_lock(${LOCK})`, [name]);
        try {
          let batch: ListEntryInput[] = [];
          for await (const row of rows) {
            read++;
            batch.push(row);
            if (batch.length >= batchSize) {
              opts.signal?.throwIfAborted();
              added += await insertBatch(client, listId, version, batch);
              batch = [];
            }
          }
          if (batch.length > 0) added += await insertBatch(client, listId, version, batch);
          opts.signal?.throwIfAborted();
          const written = await client.query<{ n: number }>(
            'SELECT count(*) AS n FROM list_entries WHERE list_id = $1 AND version = $2',
            [listId, version],
          );
          if ((written.rows[0]?.n ?? 0) !== added) {
            throw new StoreError(
              'conflict',
              `list ${listId}: ${added - (written.rows[0]?.n ?? 0)} of ${count(added, 'imported row')} vanished during the import (removed by another process?); the old list stays active`,
            );
          }
          return await transactionOn(client, async () => {
            const cur = await client.query<{ active: number }>(
              'SELECT active_version AS active FROM lists WHERE id = $1 FOR UPDATE',
              [listId],
            );
            const active = cur.rows[0]?.active;
            if (active === undefined) throw new StoreError('conflict', `list ${listId} was removed during the import`);
            if (active >= version)
              throw new StoreError(
                'conflict',
                `list ${listId}: a newer import (version ${active}) finished first; this one was discarded`,
              );
            await client.query(
              'UPDATE lists SET active_version = $2, entry_count = $3, updated_at = $4 WHERE id = $1',
              [listId, version, added, clock()],
            );
            await announceList(client, listId);
            return active;
          });
        } catch (err) {
          await dropVersion(listId, version, client).catch((cleanupErr: unknown) => {
            logger?.warn(
              { err: cleanupErr, listId, version },
              'could not remove the rows of a failed import; cleanupOrphans will',
            );
          });
          throw err;
        } finally {
          // a session that may still hold the lock is not handed out again
          await client.query(`SELECT pg_advisory_unlock(${LOCK})`, [name]).catch(lost);
        }
      });
      const removed =
        previous > 0
          ? await dropVersion(listId, previous).catch((err: unknown) => {
              logger?.warn(
                { err, listId, version: previous },
                'could not remove the previous version; cleanupOrphans will',
              );
              return 0;
            })
          : 0;
      logger?.info({ listId, version, added, duplicates: read - added, removed }, 'list replaced');
      return { listId, version, added, duplicates: read - added, removed };
    },

    /** An incremental update of the active version in one transaction (../list-versions.ts `applyChanges`). */
    async applyChanges(
      listId: number,
      changes: { upsert?: Iterable<ListEntryInput>; remove?: Iterable<Pick<ListEntryInput, 'number' | 'prefix'>> },
    ): Promise<{ added: number; updated: number; removed: number }> {
      return withClient(pool, (client) =>
        transactionOn(client, async () => {
          // The list's row lock orders this against an import's switch and another update of the same list.
          const cur = await client.query<{ version: number; enabled: number }>(
            'SELECT active_version AS version, enabled FROM lists WHERE id = $1 FOR UPDATE',
            [listId],
          );
          const list = cur.rows[0];
          if (!list) throw new StoreError('not-found', `list ${listId} does not exist`);
          let version = list.version;
          if (version === 0) {
            const r = await client.query<{ version: number }>(
              `UPDATE lists SET last_version = greatest(last_version, active_version) + 1,
                 active_version = greatest(last_version, active_version) + 1 WHERE id = $1 RETURNING active_version AS version`,
              [listId],
            );
            version = r.rows[0]?.version as number;
          }
          let added = 0;
          let updated = 0;
          // One row at a time, as SQLite does: a number given twice is added, then updated.
          for (const row of changes.upsert ?? []) {
            const r = await client.query<{ inserted: boolean }>(
              `INSERT INTO list_entries (list_id, version, number, is_prefix, score, label) VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (number, is_prefix, list_id, version) DO UPDATE SET score = excluded.score, label = excluded.label
               RETURNING (xmax = 0) AS inserted`,
              [listId, version, row.number, bool(row.prefix), row.score ?? 1, orNull(row.label)],
            );
            if (r.rows[0]?.inserted) added++;
            else updated++;
          }
          const remove = [...(changes.remove ?? [])];
          let removed = 0;
          if (remove.length > 0) {
            const r = await client.query(
              `DELETE FROM list_entries le USING unnest($3::text[], $4::integer[]) AS r(number, is_prefix)
               WHERE le.list_id = $1 AND le.version = $2 AND le.number = r.number AND le.is_prefix = r.is_prefix`,
              [listId, version, remove.map((row) => row.number), remove.map((row) => bool(row.prefix))],
            );
            removed = r.rowCount ?? 0;
          }
          await client.query('UPDATE lists SET entry_count = entry_count + $1, updated_at = $2 WHERE id = $3', [
            added - removed,
            clock(),
            listId,
          ]);
          if (list.enabled === 1 && added + updated + removed > 0) await announceList(client, listId);
          return { added, updated, removed };
        }),
      );
    },

    /** Deletes rows of versions that are neither active nor being written by any session (crashed imports). */
    async cleanupOrphans(): Promise<number> {
      let removed = 0;
      const lists = await pool.query<{ id: number }>('SELECT id FROM lists ORDER BY id');
      for (const { id } of lists.rows) {
        for (let v = await nextVersion(id, FIRST); v !== undefined; v = await nextVersion(id, v))
          removed += await dropIfOrphan(id, v);
      }
      if (removed > 0) logger?.info({ removed }, 'removed rows of unfinished list imports');
      return removed;
    },

    /**
     * Removes a list without one huge cascade: first it stops matching (one short transaction, announced), then its
     * rows go in batches, then the list row. Interrupted, it leaves a disabled empty list to remove again.
     */
    async remove(listId: number): Promise<boolean> {
      const retired = await withClient(pool, (client) =>
        transactionOn(client, async () => {
          const r = await client.query(
            'UPDATE lists SET active_version = 0, entry_count = 0, enabled = 0 WHERE id = $1',
            [listId],
          );
          if ((r.rowCount ?? 0) === 0) return false;
          await announceList(client, listId);
          return true;
        }),
      );
      if (!retired) return false;
      for (let v = await nextVersion(listId, FIRST); v !== undefined; v = await nextVersion(listId, v))
        await dropVersion(listId, v);
      await pool.query('DELETE FROM lists WHERE id = $1', [listId]);
      return true;
    },
  };
}
