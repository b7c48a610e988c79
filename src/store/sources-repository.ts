/**
 * Sources and their status (migration 006). Credentials are written here and read back only by `credentials()`,
 * for the sync itself: no other method returns them. Every method returns a promise: a second engine
 * (PostgreSQL) will sit behind the same interface; SQLite answers at once.
 */
import { coded } from '../messages/index.js';
import type { Database } from './database.js';
import { StoreError, withStoreErrors } from './errors.js';
import { restrictFileMode } from './file-mode.js';
import type { ListsOperations } from './lists-repository.js';
import type { NewSource, Source, SourceKind, SourcePatch, SyncResult } from './sources-types.js';
import { orNull, type RepositoryOptions, setOptional } from './sql.js';
import type { NewList } from './types.js';

export interface SourceRow {
  id: number;
  name: string;
  kind: SourceKind;
  list_id: number | null;
  entry_kind: 'allow' | 'block' | null;
  settings: string;
  has_credentials: number;
  interval_ms: number;
  jitter_ms: number;
  offset_ms: number;
  enabled: number;
  last_attempt_at: number | null;
  last_success_at: number | null;
  cursor: string | null;
  state: string;
  row_count: number | null;
  next_run_at: number | null;
  last_error: string | null;
  held_back: string | null;
  failures: number;
  failures_total: number;
  created_at: number;
  updated_at: number;
}

const COLUMNS = `id, name, kind, list_id, entry_kind, settings, credentials IS NOT NULL AS has_credentials, interval_ms, jitter_ms,
  offset_ms, enabled, last_attempt_at, last_success_at, cursor, state, row_count, next_run_at, last_error, held_back, failures,
  failures_total, created_at, updated_at`;

export function json(text: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new StoreError('corrupt', `${what}: the stored JSON does not parse`, { cause: err });
  }
}

export function toSource(row: SourceRow): Source {
  const source: Source = {
    id: row.id,
    name: row.name,
    kind: row.kind,
    settings: json(row.settings, `source "${row.name}" settings`),
    hasCredentials: row.has_credentials === 1,
    schedule: { intervalMs: row.interval_ms, jitterMs: row.jitter_ms, offsetMs: row.offset_ms },
    enabled: row.enabled === 1,
    state: json(row.state, `source "${row.name}" state`),
    failures: row.failures,
    failuresTotal: row.failures_total,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  return setOptional(source, {
    listId: row.list_id,
    entryKind: row.entry_kind,
    lastAttemptAt: row.last_attempt_at,
    lastSuccessAt: row.last_success_at,
    cursor: row.cursor,
    rows: row.row_count,
    nextRunAt: row.next_run_at,
    lastError: row.last_error,
    heldBack: row.held_back,
  });
}

export interface SourcesOptions extends RepositoryOptions {
  /** A source can create its target list in the same transaction. */
  lists: ListsOperations;
}

export function createSourcesRepository(db: Database, options: SourcesOptions) {
  const clock = options.clock ?? Date.now;
  const { lists } = options;
  const insert = db.prepare<[Record<string, unknown>], { id: number }>(
    `INSERT INTO sources (name, kind, list_id, entry_kind, settings, credentials, interval_ms, jitter_ms, offset_ms, enabled, next_run_at, created_at, updated_at)
     VALUES (@name, @kind, @list_id, @entry_kind, @settings, @credentials, @interval_ms, @jitter_ms, @offset_ms, @enabled, @next_run_at, @now, @now)
     RETURNING id`,
  );
  const byId = db.prepare<[number], SourceRow>(`SELECT ${COLUMNS} FROM sources WHERE id = ?`);
  const byName = db.prepare<[string], SourceRow>(`SELECT ${COLUMNS} FROM sources WHERE name = ?`);
  const byList = db.prepare<[number], SourceRow>(`SELECT ${COLUMNS} FROM sources WHERE list_id = ?`);
  const all = db.prepare<[], SourceRow>(`SELECT ${COLUMNS} FROM sources ORDER BY name`);
  const dueRows = db.prepare<[number], SourceRow>(
    `SELECT ${COLUMNS} FROM sources WHERE enabled = 1 AND next_run_at <= ? ORDER BY next_run_at, id`,
  );
  const earliest = db.prepare<[], number | null>('SELECT min(next_run_at) FROM sources WHERE enabled = 1').pluck();
  const secretOf = db.prepare<[number], string | null>('SELECT credentials FROM sources WHERE id = ?').pluck();
  const deleteById = db.prepare<[number]>('DELETE FROM sources WHERE id = ?');
  const attempt = db.prepare<[number, number, number]>(
    'UPDATE sources SET last_attempt_at = ?, updated_at = ? WHERE id = ?',
  );
  const success = db.prepare<[Record<string, unknown>]>(
    `UPDATE sources SET last_success_at = @at, cursor = coalesce(@cursor, cursor), state = coalesce(@state, state),
       row_count = coalesce(@rows, row_count), next_run_at = @next, last_error = NULL, held_back = NULL, failures = 0, updated_at = @at
     WHERE id = @id`,
  );
  const clearCursor = db.prepare<[number]>('UPDATE sources SET cursor = NULL WHERE id = ?');
  const held = db.prepare<[Record<string, unknown>]>(
    'UPDATE sources SET held_back = @why, last_error = NULL, next_run_at = @next, updated_at = @at WHERE id = @id',
  );
  const failure = db.prepare<[Record<string, unknown>]>(
    `UPDATE sources SET last_error = @error, next_run_at = @next, failures = failures + 1, failures_total = failures_total + 1,
       updated_at = @at WHERE id = @id`,
  );

  function get(id: number): Source | undefined {
    const row = byId.get(id);
    return row && toSource(row);
  }

  function nameFree(name: string, except?: number): void {
    const clash = byName.get(name);
    if (clash && clash.id !== except)
      throw StoreError.of('unique', coded('source.exists', { name, id: clash.id }), {
        details: { existingId: clash.id },
      });
  }

  function listFree(listId: number): void {
    const owner = byList.get(listId);
    if (owner)
      throw new StoreError(
        'conflict',
        `list ${listId} is fed by the source "${owner.name}" already; a list has one source`,
      );
  }

  return withStoreErrors({
    /** Creates a source; with `list`, also its target list (when `input.listId` is not given), in one transaction. */
    async create(input: NewSource, target: { list?: NewList } = {}): Promise<Source> {
      const id = db.transaction(() => {
        nameFree(input.name);
        let listId = input.listId;
        if (listId === undefined && target.list)
          listId = (lists.getByName(target.list.name) ?? lists.create(target.list)).id;
        if (listId !== undefined) listFree(listId);
        const now = clock();
        return insert.get({
          name: input.name,
          kind: input.kind,
          list_id: orNull(listId),
          entry_kind: orNull(input.entryKind),
          settings: JSON.stringify(input.settings ?? {}),
          credentials: input.credentials === undefined ? null : JSON.stringify(input.credentials),
          interval_ms: input.schedule.intervalMs,
          jitter_ms: input.schedule.jitterMs,
          offset_ms: input.schedule.offsetMs,
          enabled: input.enabled === false ? 0 : 1,
          next_run_at: input.nextRunAt ?? now,
          now,
        })!.id;
      });
      if (input.credentials !== undefined) restrictFileMode(db);
      return get(id) as Source;
    },

    async get(id: number): Promise<Source | undefined> {
      return get(id);
    },

    async getByName(name: string): Promise<Source | undefined> {
      const row = byName.get(name);
      return row && toSource(row);
    },

    /** By id (all digits) or else by name. */
    async find(idOrName: string): Promise<Source | undefined> {
      const row = /^\d+$/.test(idOrName) ? (byId.get(Number(idOrName)) ?? byName.get(idOrName)) : byName.get(idOrName);
      return row && toSource(row);
    },

    async list(): Promise<Source[]> {
      return all.all().map(toSource);
    },

    /** The secrets, for the sync that needs them. Never hand them to a logger or an API answer. */
    async credentials(id: number): Promise<Record<string, unknown> | undefined> {
      const text = secretOf.get(id);
      return text ? json(text, `source ${id} credentials`) : undefined;
    },

    async update(id: number, patch: SourcePatch): Promise<Source | undefined> {
      const found = db.transaction(() => {
        const cur = byId.get(id);
        if (!cur) return false;
        if (patch.name !== undefined) nameFree(patch.name, id);
        const sets: string[] = [];
        const params: Record<string, unknown> = { id, now: clock() };
        const set = (column: string, value: unknown) => {
          sets.push(`${column} = @${column}`);
          params[column] = value;
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
        db.prepare(`UPDATE sources SET ${[...sets, 'updated_at = @now'].join(', ')} WHERE id = @id`).run(params);
        return true;
      });
      if (found && patch.credentials) restrictFileMode(db);
      return found ? get(id) : undefined;
    },

    /** Ends a source; its list stays (the person deletes it when they want). */
    async remove(id: number): Promise<boolean> {
      return deleteById.run(id).changes > 0;
    },

    /** Enabled sources whose next run is due at `now`, the most overdue first. */
    async due(now: number): Promise<Source[]> {
      return dueRows.all(now).map(toSource);
    },

    /** When the next enabled source is due (epoch ms), or undefined when none is scheduled. */
    async nextRunAt(): Promise<number | undefined> {
      return earliest.get() ?? undefined;
    },

    async recordAttempt(id: number, at: number): Promise<void> {
      attempt.run(at, at, id);
    },

    /** Records how a sync ended; a success also clears the error and a held-back answer. */
    async recordResult(id: number, result: SyncResult): Promise<void> {
      const { at, nextRunAt: next } = result;
      if (result.outcome === 'success') {
        db.transaction(() => {
          if (result.cursor === null) clearCursor.run(id);
          success.run({
            id,
            at,
            next,
            cursor: orNull(result.cursor),
            state: result.state ? JSON.stringify(result.state) : null,
            rows: orNull(result.rows),
          });
        });
      } else if (result.outcome === 'held') held.run({ id, at, next, why: result.heldBack });
      else failure.run({ id, at, next, error: result.error });
    },
  });
}

export type SourcesRepository = ReturnType<typeof createSourcesRepository>;
