/**
 * Sources and their status on PostgreSQL (../sources-repository.ts). A source and the list it creates are written in
 * one transaction, with the PostgreSQL lists' own statements (./lists-repository.ts `rows`).
 *
 * Credentials: as on SQLite, they are JSON in sources.credentials, read back only by `credentials()`. SQLite guards
 * them by the database file's mode (0600, ../file-mode.ts); a PostgreSQL database has no file of callfilter's, so
 * that rule has no counterpart here: who may read the column is whoever may connect as callfilter's role (pg_hba,
 * the role's password, TLS), which the operator sets up. What this module adds: PostgreSQL's errors quote the
 * failing row ("Failing row contains (…)") in their detail, credentials included, and an error travels to logs with
 * its cause — so that detail is dropped before the error leaves the repository.
 */
import type pg from 'pg';
import { coded } from '../../messages/index.js';
import { StoreError, withStoreErrors } from '../errors.js';
import { json, type SourceRow, type SourcesRepository, toSource } from '../sources-repository.js';
import type { NewSource, Source, SourcePatch, SyncResult } from '../sources-types.js';
import { orNull, type RepositoryOptions } from '../sql.js';
import type { NewList } from '../types.js';
import { toPostgresStoreError } from './errors.js';
import { explainListNameClash, type PostgresListRows } from './lists-repository.js';
import { inTransaction, type Queryable } from './sql.js';

/** ../sources-repository.ts's columns; has_credentials as 0/1 (PostgreSQL's IS NOT NULL is a boolean). */
const COLUMNS = `id, name, kind, list_id, entry_kind, settings, (credentials IS NOT NULL)::integer AS has_credentials,
  interval_ms, jitter_ms, offset_ms, enabled, last_attempt_at, last_success_at, cursor, state, row_count, next_run_at,
  last_error, held_back, failures, failures_total, created_at, updated_at`;

export interface PostgresSourcesOptions extends RepositoryOptions {
  /** A source can create its target list in the same transaction. */
  lists: { readonly rows: PostgresListRows };
}

/** PostgreSQL's error without the row it quotes (which may hold credentials), as the store's error. */
function withoutRow(err: unknown): unknown {
  const e = err as { detail?: unknown } | undefined;
  if (e && typeof e.detail === 'string' && /^Failing row contains/.test(e.detail)) e.detail = undefined;
  return toPostgresStoreError(err);
}

function isConstraint(err: unknown, constraint: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | undefined;
  return e?.code === '23505' && e.constraint === constraint;
}

async function rowBy(db: Queryable, where: string, value: unknown): Promise<SourceRow | undefined> {
  return (await db.query<SourceRow>(`SELECT ${COLUMNS} FROM sources WHERE ${where} = $1`, [value])).rows[0];
}

function nameTaken(name: string, id: number): StoreError {
  return StoreError.of('unique', coded('source.exists', { name, id }), { details: { existingId: id } });
}

function listTaken(listId: number, owner: string): StoreError {
  return new StoreError('conflict', `list ${listId} is fed by the source "${owner}" already; a list has one source`);
}

export function createPostgresSourcesRepository(pool: pg.Pool, options: PostgresSourcesOptions): SourcesRepository {
  const clock = options.clock ?? Date.now;
  const { lists } = options;

  async function nameFree(db: Queryable, name: string, except?: number): Promise<void> {
    const clash = await rowBy(db, 'name', name);
    if (clash && clash.id !== except) throw nameTaken(name, clash.id);
  }

  async function listFree(db: Queryable, listId: number): Promise<void> {
    const owner = await rowBy(db, 'list_id', listId);
    if (owner) throw listTaken(listId, owner.name);
  }

  /**
   * A write that lost a race to a transaction that committed after its checks is told in the words of the checks;
   * read after the rollback, when the winner's row is visible.
   */
  async function explainClash(err: unknown, name: string | undefined, listId?: number): Promise<unknown> {
    const found = await (async () => {
      if (isConstraint(err, 'sources_name_key') && name !== undefined) {
        const clash = await rowBy(pool, 'name', name);
        return clash && nameTaken(name, clash.id);
      }
      if (isConstraint(err, 'sources_list') && listId !== undefined) {
        const owner = await rowBy(pool, 'list_id', listId);
        return owner && listTaken(listId, owner.name);
      }
      return undefined;
    })().catch(() => undefined);
    return found ?? err;
  }

  async function get(id: number): Promise<Source | undefined> {
    const row = await rowBy(pool, 'id', id);
    return row && toSource(row);
  }

  return withStoreErrors(
    {
      /** Creates a source; with `list`, also its target list (when `input.listId` is not given), in one transaction. */
      async create(input: NewSource, target: { list?: NewList } = {}): Promise<Source> {
        let listId = input.listId;
        const write = () =>
          inTransaction(pool, async (client) => {
            listId = input.listId;
            await nameFree(client, input.name);
            if (listId === undefined && target.list)
              listId = (
                (await lists.rows.getByName(client, target.list.name)) ?? (await lists.rows.create(client, target.list))
              ).id;
            if (listId !== undefined) await listFree(client, listId);
            const now = clock();
            const r = await client.query<{ id: number }>(
              `INSERT INTO sources (name, kind, list_id, entry_kind, settings, credentials, interval_ms, jitter_ms, offset_ms, enabled, next_run_at, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
              [
                input.name,
                input.kind,
                orNull(listId),
                orNull(input.entryKind),
                JSON.stringify(input.settings ?? {}),
                input.credentials === undefined ? null : JSON.stringify(input.credentials),
                input.schedule.intervalMs,
                input.schedule.jitterMs,
                input.schedule.offsetMs,
                input.enabled === false ? 0 : 1,
                input.nextRunAt ?? now,
                now,
              ],
            );
            return (r.rows[0] as { id: number }).id;
          });
        let id: number;
        try {
          id = await write().catch((err: unknown) => {
            // Another node created the target list after this one looked for it: take that list, as SQLite's
            // single writer would have (it looks for the list first, and creates it only when missing).
            if (target.list && isConstraint(err, 'lists_name_key')) return write();
            throw err;
          });
        } catch (err) {
          const explained = await explainClash(err, input.name, listId);
          throw target.list ? await explainListNameClash(pool, explained, target.list.name) : explained;
        }
        return (await get(id)) as Source;
      },

      get,

      async getByName(name: string): Promise<Source | undefined> {
        const row = await rowBy(pool, 'name', name);
        return row && toSource(row);
      },

      /** By id (all digits) or else by name. */
      async find(idOrName: string): Promise<Source | undefined> {
        const id = /^\d+$/.test(idOrName) ? Number(idOrName) : undefined;
        // Digits beyond bigint are no id PostgreSQL could hold (SQLite simply finds none).
        const byId = id !== undefined && Number.isSafeInteger(id) ? await rowBy(pool, 'id', id) : undefined;
        const row = byId ?? (await rowBy(pool, 'name', idOrName));
        return row && toSource(row);
      },

      async list(): Promise<Source[]> {
        const r = await pool.query<SourceRow>(`SELECT ${COLUMNS} FROM sources ORDER BY name COLLATE "C"`);
        return r.rows.map(toSource);
      },

      /** The secrets, for the sync that needs them. Never hand them to a logger or an API answer. */
      async credentials(id: number): Promise<Record<string, unknown> | undefined> {
        const r = await pool.query<{ credentials: string | null }>('SELECT credentials FROM sources WHERE id = $1', [
          id,
        ]);
        const text = r.rows[0]?.credentials;
        return text ? json(text, `source ${id} credentials`) : undefined;
      },

      async update(id: number, patch: SourcePatch): Promise<Source | undefined> {
        let found: boolean;
        try {
          found = await inTransaction(pool, async (client) => {
            const cur = await client.query('SELECT id FROM sources WHERE id = $1 FOR UPDATE', [id]);
            if (cur.rowCount === 0) return false;
            if (patch.name !== undefined) await nameFree(client, patch.name, id);
            const sets: string[] = [];
            const params: unknown[] = [id];
            const set = (column: string, value: unknown) => {
              params.push(value);
              sets.push(`${column} = $${params.length}`);
            };
            if (patch.name !== undefined) set('name', patch.name);
            if (patch.settings !== undefined) set('settings', JSON.stringify(patch.settings));
            if (patch.credentials !== undefined)
              set('credentials', patch.credentials === null ? null : JSON.stringify(patch.credentials));
            if (patch.schedule !== undefined) {
              set('interval_ms', patch.schedule.intervalMs);
              set('jitter_ms', patch.schedule.jitterMs);
              set('offset_ms', patch.schedule.offsetMs);
            }
            if (patch.enabled !== undefined) set('enabled', patch.enabled ? 1 : 0);
            if (patch.nextRunAt !== undefined) set('next_run_at', patch.nextRunAt);
            set('updated_at', clock());
            await client.query(`UPDATE sources SET ${sets.join(', ')} WHERE id = $1`, params);
            return true;
          });
        } catch (err) {
          throw await explainClash(err, patch.name);
        }
        return found ? get(id) : undefined;
      },

      /** Ends a source; its list stays (the person deletes it when they want). */
      async remove(id: number): Promise<boolean> {
        return ((await pool.query('DELETE FROM sources WHERE id = $1', [id])).rowCount ?? 0) > 0;
      },

      /** Enabled sources whose next run is due at `now`, the most overdue first. */
      async due(now: number): Promise<Source[]> {
        const r = await pool.query<SourceRow>(
          `SELECT ${COLUMNS} FROM sources WHERE enabled = 1 AND next_run_at <= $1 ORDER BY next_run_at, id`,
          [now],
        );
        return r.rows.map(toSource);
      },

      /** When the next enabled source is due (epoch ms), or undefined when none is scheduled. */
      async nextRunAt(): Promise<number | undefined> {
        const r = await pool.query<{ at: number | null }>(
          'SELECT min(next_run_at) AS at FROM sources WHERE enabled = 1',
        );
        return r.rows[0]?.at ?? undefined;
      },

      async recordAttempt(id: number, at: number): Promise<void> {
        await pool.query('UPDATE sources SET last_attempt_at = $1, updated_at = $1 WHERE id = $2', [at, id]);
      },

      /** Records how a sync ended; a success also clears the error and a held-back answer. */
      async recordResult(id: number, result: SyncResult): Promise<void> {
        const { at, nextRunAt: next } = result;
        if (result.outcome === 'success') {
          // One statement: `cursor: null` clears the cursor, a missing one keeps it.
          await pool.query(
            `UPDATE sources SET last_success_at = $2,
               cursor = CASE WHEN $3::boolean THEN NULL ELSE coalesce($4, cursor) END,
               state = coalesce($5, state), row_count = coalesce($6, row_count), next_run_at = $7,
               last_error = NULL, held_back = NULL, failures = 0, updated_at = $2
             WHERE id = $1`,
            [
              id,
              at,
              result.cursor === null,
              orNull(result.cursor),
              result.state ? JSON.stringify(result.state) : null,
              orNull(result.rows),
              next,
            ],
          );
        } else if (result.outcome === 'held')
          await pool.query(
            'UPDATE sources SET held_back = $2, last_error = NULL, next_run_at = $3, updated_at = $4 WHERE id = $1',
            [id, result.heldBack, next, at],
          );
        else
          await pool.query(
            `UPDATE sources SET last_error = $2, next_run_at = $3, failures = failures + 1,
               failures_total = failures_total + 1, updated_at = $4 WHERE id = $1`,
            [id, result.error, next, at],
          );
      },
    },
    withoutRow,
  );
}
