/**
 * Imports into the entries and contacts on PostgreSQL (../entry-imports.ts, migrations/pg/005): the rows are written
 * under the import's id in short transactions, hidden from every read (POSTGRES_VISIBLE), and one UPDATE of the
 * import's row switches them all in. That transaction also announces every added entry to the screening replicas
 * (screening-replica.ts), so each node's copy takes them in when they become visible, not before.
 *
 * Who owns an import, across nodes. SQLite judges a pending import by its owner `host:pid` and a heartbeat: a pid
 * means something on one host only, and in containers not even there (with the host's network, containers share
 * its host name but each has its own pid 1), and a heartbeat that is only written between batches goes stale while
 * a slow source (a CardDAV server, a large upload) keeps the import waiting — then another node would delete a live
 * import. Here the owner holds a session-level advisory lock on the import's id, taken in the transaction that
 * creates the row (so no other session ever sees the row without its lock), for as long as it writes or discards;
 * every statement of the import runs on that one session. PostgreSQL itself says whether the owner is alive: the
 * lock is free exactly when that session has ended — at once when the process exits or is killed (its socket
 * closes), within about two minutes when its machine vanishes (the session's TCP keepalives, set below). So a
 * cleanup removes a pending import only when `pg_try_advisory_lock` gets its lock, never one that a live session on
 * any node holds, and needs neither clocks nor host names. `owner` and `heartbeat_at` are still written, for an
 * operator reading the table. (A schema with a lease column would say the same less directly; none is needed.)
 *
 * One import at a time in the whole cluster, as SQLite has one per database file: two at once would skip each
 * other's pending rows as duplicates, and those would go with the one that fails. A second advisory lock serialises
 * them; while holding it, an import first removes what dead imports left, whose pending rows would otherwise take
 * the places of its own in the unique index.
 */
import type pg from 'pg';
import type { Logger } from '../../logger.js';
import type { EntryImportItem, EntryImportOptions, EntryImportResult, EntryImports } from '../entry-imports.js';
import { StoreError } from '../errors.js';
import { OWNER } from '../import-owner.js';
import type { NewEntry } from '../types.js';
import { toPostgresStoreError, withPostgresErrors } from './errors.js';
import { writeImportBatch } from './import-batch.js';
import { SCREENING_CHANNEL } from './screening-replica.js';
import { transactionOn } from './sql.js';

/** Rows per transaction: a batch is a handful of statements (import-batch.ts), whatever its size. */
const BATCH_ROWS = 1000;
/** How often heartbeat_at is written (for operators; liveness is the lock). */
const HEARTBEAT_MS = 5_000;
const ROWS_PER_READ = 5_000;
const DISCARD_BATCH = 20_000;
/** The advisory locks' first key (the letters `impo`); the second is the import's id, or 0 for the queue. */
const LOCK_CLASS = 0x696d706f;
const QUEUE = 0;
/** A vanished peer is noticed after idle + interval × count seconds, instead of the system's two hours. */
const KEEPALIVES = 'SET tcp_keepalives_idle = 60; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 6';

export interface PostgresEntryImportsOptions {
  clock?: () => number;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

const isCard = (item: EntryImportItem) => 'numbers' in item;

/** Imports queued in this process, per pool: one waits for the other here, not holding a connection meanwhile. */
const queues = new WeakMap<pg.Pool, Promise<unknown>>();

/**
 * A connection of the pool, held for a while. A held connection that the server ends while no query runs (a node's
 * session terminated, the server restarting) emits 'error', which without a listener would end the process.
 */
async function hold(pool: pg.Pool) {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost ??= err;
  };
  client.on('error', onError);
  return {
    client,
    lost: () => lost,
    release(destroy: boolean) {
      client.off('error', onError);
      client.release(destroy);
    },
  };
}

export function createPostgresEntryImports(pool: pg.Pool, options: PostgresEntryImportsOptions = {}): EntryImports {
  const clock = options.clock ?? Date.now;

  /** Deletes the rows of a failed import (autocommit statements, each a bounded batch), then its row. */
  async function discard(client: pg.ClientBase, id: number): Promise<number> {
    let removed = 0;
    for (const table of ['entries', 'contacts']) {
      for (let n = DISCARD_BATCH; n === DISCARD_BATCH; removed += n) {
        const r = await client.query(
          `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE import_id = $1 LIMIT $2)`,
          [id, DISCARD_BATCH],
        );
        n = r.rowCount ?? 0;
      }
    }
    await client.query("DELETE FROM imports WHERE id = $1 AND state = 'failed'", [id]);
    return removed;
  }

  /** Removes what imports left whose owner's session is gone (their lock is free); on `client`, which holds none. */
  async function removeOrphans(client: pg.ClientBase): Promise<number> {
    let removed = 0;
    const unfinished = await client.query<{ id: number }>("SELECT id FROM imports WHERE state <> 'done' ORDER BY id");
    for (const { id } of unfinished.rows) {
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [
        LOCK_CLASS,
        id,
      ]);
      if (!got.rows[0]?.ok) continue; // its owner is alive, on this node or another
      try {
        // Finished between the read above and the lock: it stays.
        const failed = await client.query(
          "UPDATE imports SET state = 'failed', finished_at = coalesce(finished_at, $2) WHERE id = $1 AND state <> 'done'",
          [id, clock()],
        );
        if ((failed.rowCount ?? 0) > 0) removed += await discard(client, id);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', [LOCK_CLASS, id]);
      }
    }
    if (removed > 0) options.logger?.info({ removed }, 'removed rows of unfinished entry imports');
    return removed;
  }

  async function runOne(
    source: string,
    items: AsyncIterable<EntryImportItem> | Iterable<EntryImportItem>,
    opts: EntryImportOptions,
  ): Promise<EntryImportResult> {
    const { client, lost, release } = await hold(pool);
    let broken = false;
    try {
      await client.query(KEEPALIVES);
      await client.query('SELECT pg_advisory_lock($1::int, $2::int)', [LOCK_CLASS, QUEUE]);
      await removeOrphans(client);
      const id = await transactionOn(client, async () => {
        const r = await client.query<{ id: number }>(
          "INSERT INTO imports (source, state, owner, heartbeat_at, started_at) VALUES ($1, 'pending', $2, $3, $3) RETURNING id",
          [source, OWNER, clock()],
        );
        const created = r.rows[0]?.id as number;
        // Held from before anyone can see the row: it is never taken for a dead owner's.
        await client.query('SELECT pg_advisory_lock($1::int, $2::int)', [LOCK_CLASS, created]);
        return created;
      });
      try {
        return await write(client, id, source, items, opts);
      } catch (err) {
        try {
          await client.query(
            "UPDATE imports SET state = 'failed', finished_at = $1 WHERE id = $2 AND state = 'pending'",
            [clock(), id],
          );
          await discard(client, id);
        } catch (cleanupErr) {
          broken = true; // its lock goes with the session: the next import or open removes the rows
          options.logger?.warn(
            { err: cleanupErr, importId: id },
            'could not remove the rows of a failed import; the next import or start will',
          );
        }
        throw err;
      }
    } catch (err) {
      // The session ended while the import waited for its items: that error, not "Client … is not queryable".
      const cause = lost();
      throw cause === undefined ? err : toPostgresStoreError(cause);
    } finally {
      if (!broken && lost() === undefined) {
        await client
          .query(
            'SELECT pg_advisory_unlock_all(); RESET tcp_keepalives_idle; RESET tcp_keepalives_interval; RESET tcp_keepalives_count',
          )
          .catch(() => {
            broken = true;
          });
      }
      // A connection that may still hold a lock is closed, not pooled: its session's end frees the lock.
      release(broken || lost() !== undefined);
    }
  }

  /** The rows, then the switch; throws with the import still pending (the caller marks it failed). */
  async function write(
    client: pg.ClientBase,
    id: number,
    source: string,
    items: AsyncIterable<EntryImportItem> | Iterable<EntryImportItem>,
    opts: EntryImportOptions,
  ): Promise<EntryImportResult> {
    const total: EntryImportResult = { importId: id, added: 0, skipped: 0, contacts: 0 };
    const skip = (entry: NewEntry) => opts.onSkipped?.(entry);
    let beatAt = clock();
    let batch: EntryImportItem[] = [];
    let rows = 0;
    const flush = async () => {
      const chunk = batch;
      batch = [];
      rows = 0;
      await transactionOn(client, async () => {
        await writeImportBatch(client, id, source, chunk, clock(), total, skip);
        if (clock() - beatAt >= HEARTBEAT_MS) {
          beatAt = clock();
          await client.query('UPDATE imports SET heartbeat_at = $1 WHERE id = $2', [beatAt, id]);
        }
      });
      opts.onWritten?.(total.added + total.skipped);
    };
    for await (const item of items) {
      batch.push(item);
      rows += isCard(item) ? (item as { numbers: unknown[] }).numbers.length : 1;
      if (rows >= BATCH_ROWS) {
        opts.signal?.throwIfAborted();
        await flush();
      }
    }
    if (batch.length > 0) await flush();
    opts.signal?.throwIfAborted();
    const switched = await transactionOn(client, async () => {
      const r = await client.query(
        "UPDATE imports SET state = 'done', finished_at = $1, added = $2 WHERE id = $3 AND state = 'pending'",
        [clock(), total.added, id],
      );
      if (r.rowCount !== 1) return false;
      // Delivered at COMMIT, with the rows visible; the text is changePayload({ entry: id })'s.
      await client.query(
        `SELECT count(*) FROM (SELECT pg_notify($1, '{"entry":' || id || '}') FROM entries WHERE import_id = $2 ORDER BY id) n`,
        [SCREENING_CHANNEL, id],
      );
      return true;
    });
    if (!switched)
      throw new StoreError(
        'conflict',
        `import ${id} was taken for a crashed one by another process and removed; nothing was imported`,
      );
    return total;
  }

  const imports = {
    run(
      source: string,
      items: AsyncIterable<EntryImportItem> | Iterable<EntryImportItem>,
      opts: EntryImportOptions = {},
    ): Promise<EntryImportResult> {
      const previous = queues.get(pool) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => runOne(source, items, opts));
      queues.set(
        pool,
        next.catch(() => undefined),
      );
      return next;
    },

    async *rowsOf(importId: number): AsyncGenerator<{ number: string; prefix: boolean; kind: 'allow' | 'block' }> {
      for (let after = 0; ; ) {
        // A generator is not a promise, which withPostgresErrors would translate.
        const r = await pool
          .query<{ id: number; number: string; is_prefix: number; kind: 'allow' | 'block' }>(
            'SELECT id, number, is_prefix, kind FROM entries WHERE import_id = $1 AND id > $2 ORDER BY id LIMIT $3',
            [importId, after, ROWS_PER_READ],
          )
          .catch((err: unknown) => Promise.reject(toPostgresStoreError(err)));
        for (const row of r.rows) yield { number: row.number, prefix: row.is_prefix === 1, kind: row.kind };
        const last = r.rows.at(-1);
        if (last === undefined || r.rows.length < ROWS_PER_READ) return;
        after = last.id;
      }
    },

    /** Removes the rows of imports that will never finish: failed ones, and pending ones whose owner's session ended. */
    async cleanupOrphans(): Promise<number> {
      const { client, release } = await hold(pool);
      let broken = false;
      try {
        return await removeOrphans(client);
      } catch (err) {
        broken = true; // it may hold an import's lock
        throw err;
      } finally {
        release(broken);
      }
    },
  };
  return withPostgresErrors(imports);
}
