/** Imported call-centre / spam lists: the lists themselves, their active entries, and the call path's lookup. */
import { coded } from '../messages/index.js';
import type { Action, ListHit } from '../policy/types.js';
import type { Database } from './database.js';
import { StoreError, withStoreErrors } from './errors.js';
import { createListVersions } from './list-versions.js';
import { longestPart, probeKeysSql } from './prefix-lengths.js';
import {
  bool,
  containsPattern,
  orNull,
  type Promised,
  pageLimit,
  patched,
  type RepositoryOptions,
  setOptional,
  toPage,
} from './sql.js';
import type { ListEntry, ListPatch, NewList, Page, PageQuery, SpamList } from './types.js';

export interface ListRow {
  id: number;
  name: string;
  threshold: number;
  action: Action | null;
  cause: number | null;
  announcement: string | null;
  label: string | null;
  source_url: string | null;
  enabled: number;
  active_version: number;
  entry_count: number;
  sync_cursor: string | null;
  synced_at: number | null;
  sync_error: string | null;
  updated_at: number;
  created_at: number;
}

export interface HitRow {
  entry_id: number;
  number: string;
  is_prefix: number;
  score: number;
  entry_label: string | null;
  list_id: number;
  name: string;
  threshold: number;
  action: Action | null;
  cause: number | null;
  announcement: string | null;
  list_label: string | null;
}

export type ListParams = Omit<ListRow, 'id' | 'active_version' | 'entry_count' | 'updated_at' | 'created_at'> & {
  id?: number;
  now: number;
};

/** A list's row with `patch` applied (a missing key keeps the value, `null` clears it): the UPDATE's parameters. */
export function patchedList(cur: ListRow, patch: ListPatch, now: number): ListParams {
  return {
    id: cur.id,
    name: patch.name ?? cur.name,
    threshold: patch.threshold ?? cur.threshold,
    action: patched(patch.action, cur.action),
    cause: patched(patch.cause, cur.cause),
    announcement: patched(patch.announcement, cur.announcement),
    label: patched(patch.label, cur.label),
    source_url: patched(patch.sourceUrl, cur.source_url),
    enabled: patch.enabled === undefined ? cur.enabled : bool(patch.enabled),
    sync_cursor: patched(patch.syncCursor, cur.sync_cursor),
    synced_at: patched(patch.syncedAt, cur.synced_at),
    sync_error: patched(patch.syncError, cur.sync_error),
    now,
  };
}

export const LIST_COLUMNS =
  'id, name, threshold, action, cause, announcement, label, source_url, enabled, active_version, entry_count, sync_cursor, synced_at, sync_error, updated_at, created_at';

/**
 * Like entries' match: one probe of list_entries_number per key — the number, and its leading parts as long as some
 * list's prefix rows (prefix-lengths.ts); only the active version of enabled lists. The label is the entry's own (a
 * name from the list) or else the list's. Parameters: e164, the longest part asked for, e164, e164.
 */
export function matchSql(): string {
  return `${HITS_IN_FORCE}
      AND le.number IN (${probeKeysSql('list_entries')}) AND (le.is_prefix = 1 OR le.number = ?)
    ORDER BY le.is_prefix, length(le.number) DESC, le.score DESC, l.id, le.id`;
}

/** Every hit of the lists in force (HitRow): the active version of enabled lists. */
export const HITS_IN_FORCE = `SELECT le.id AS entry_id, le.number, le.is_prefix, le.score, le.label AS entry_label,
      l.id AS list_id, l.name, l.threshold, l.action, l.cause, l.announcement, l.label AS list_label
    FROM list_entries le JOIN lists l ON l.id = le.list_id
    WHERE le.version = l.active_version AND l.enabled = 1`;

export function toList(row: ListRow): SpamList {
  const list: SpamList = {
    id: row.id,
    name: row.name,
    kind: 'spam',
    threshold: row.threshold,
    enabled: row.enabled === 1,
    activeVersion: row.active_version,
    entryCount: row.entry_count,
    updatedAt: row.updated_at,
    createdAt: row.created_at,
  };
  return setOptional(list, {
    action: row.action,
    cause: row.cause,
    announcement: row.announcement,
    label: row.label,
    sourceUrl: row.source_url,
    syncCursor: row.sync_cursor,
    syncedAt: row.synced_at,
    syncError: row.sync_error,
  });
}

export function toHit(row: HitRow): ListHit {
  const hit: ListHit = {
    listId: row.list_id,
    listName: row.name,
    entryId: row.entry_id,
    number: row.number,
    prefix: row.is_prefix === 1,
    score: row.score,
    threshold: row.threshold,
  };
  return setOptional(hit, {
    action: row.action,
    cause: row.cause,
    announcement: row.announcement,
    label: row.entry_label ?? row.list_label,
  });
}

/** The lists' operations, synchronous: for the store's own transactions (sources, screening) and its open. */
export function createListsOperations(db: Database, options: RepositoryOptions = {}) {
  const clock = options.clock ?? Date.now;
  const versions = createListVersions(db, clock);
  const insert = db.prepare<[ListParams], { id: number }>(
    `INSERT INTO lists (name, threshold, action, cause, announcement, label, source_url, enabled, sync_cursor, synced_at, sync_error, updated_at, created_at)
     VALUES (@name, @threshold, @action, @cause, @announcement, @label, @source_url, @enabled, @sync_cursor, @synced_at, @sync_error, @now, @now)
     RETURNING id`,
  );
  const update_ = db.prepare<[ListParams]>(
    `UPDATE lists SET name = @name, threshold = @threshold, action = @action, cause = @cause, announcement = @announcement, label = @label,
       source_url = @source_url, enabled = @enabled, sync_cursor = @sync_cursor, synced_at = @synced_at, sync_error = @sync_error,
       updated_at = @now WHERE id = @id`,
  );
  const byId = db.prepare<[number], ListRow>(`SELECT ${LIST_COLUMNS} FROM lists WHERE id = ?`);
  const byName = db.prepare<[string], ListRow>(`SELECT ${LIST_COLUMNS} FROM lists WHERE name = ?`);
  const all = db.prepare<[], ListRow>(`SELECT ${LIST_COLUMNS} FROM lists ORDER BY name`);
  const matchStatement = db.prepare<unknown[], HitRow>(matchSql());

  /** Runs a write that may hit the UNIQUE name, and says so in words. */
  function uniqueName<T>(name: string, write: () => T): T {
    const clash = byName.get(name);
    if (clash)
      throw StoreError.of('unique', coded('list.exists', { name, id: clash.id }), {
        details: { existingId: clash.id },
      });
    return write();
  }

  function get(id: number): SpamList | undefined {
    const row = byId.get(id);
    return row && toList(row);
  }

  return withStoreErrors({
    create(input: NewList): SpamList {
      return db.transaction(() => {
        const params: ListParams = {
          name: input.name,
          threshold: input.threshold ?? 1,
          action: orNull(input.action),
          cause: orNull(input.cause),
          announcement: orNull(input.announcement),
          label: orNull(input.label),
          source_url: orNull(input.sourceUrl),
          enabled: input.enabled === false ? 0 : 1,
          sync_cursor: null,
          synced_at: null,
          sync_error: null,
          now: clock(),
        };
        const { id } = uniqueName(input.name, () => insert.get(params) as { id: number });
        return get(id) as SpamList;
      });
    },

    get,

    getByName(name: string): SpamList | undefined {
      const row = byName.get(name);
      return row && toList(row);
    },

    /** All lists by name, with their active entry counts. */
    list(): SpamList[] {
      return all.all().map(toList);
    },

    update(id: number, patch: ListPatch): SpamList | undefined {
      return db.transaction(() => {
        const cur = byId.get(id);
        if (!cur) return undefined;
        const next = patchedList(cur, patch, clock());
        if (next.name !== cur.name) uniqueName(next.name, () => update_.run(next));
        else update_.run(next);
        return get(id);
      });
    },

    /** Async: a big list's rows are deleted in batches (see list-versions.ts). */
    remove: versions.remove,
    replaceEntries: versions.replaceEntries,
    applyChanges: versions.applyChanges,
    cleanupOrphans: versions.cleanupOrphans,

    /** The active entries of one list, by id; `search` matches number or label. */
    entries(listId: number, query: PageQuery & { search?: string } = {}): Page<ListEntry> {
      const limit = pageLimit(query);
      const search = query.search ? containsPattern(query.search) : null;
      const rows = db
        .prepare<unknown[], { id: number; number: string; is_prefix: number; score: number; label: string | null }>(
          `SELECT le.id, le.number, le.is_prefix, le.score, le.label FROM list_entries le JOIN lists l ON l.id = le.list_id AND le.version = l.active_version
           WHERE le.list_id = ? AND le.id > ? AND (? IS NULL OR le.number LIKE ? ESCAPE '\\' OR le.label LIKE ? ESCAPE '\\')
           ORDER BY le.id LIMIT ?`,
        )
        .all(listId, query.cursor ?? 0, search, search, search, limit + 1);
      const items = rows.map((r) =>
        setOptional<ListEntry>(
          { id: r.id, number: r.number, prefix: r.is_prefix === 1, score: r.score },
          { label: r.label },
        ),
      );
      return toPage(items, limit);
    },

    /**
     * The call path: hits in the active version of every enabled list — exact rows for `e164`, prefix rows for any
     * of `prefixes` (`allPrefixes(e164)` or its first k) — in one indexed query that probes only the parts as long as
     * some list's prefix rows. Hits below their list's threshold are returned too (the policy checks).
     */
    match(e164: string, prefixes: readonly string[]): ListHit[] {
      return matchStatement.all(e164, longestPart(prefixes), e164, e164).map(toHit);
    },
  });
}

export type ListsOperations = ReturnType<typeof createListsOperations>;

/** What the store hands out (index.ts): every operation returns a promise. */
export type ListsRepository = Promised<ListsOperations>;
