/** Personal allow / block entries, and the call path's lookup of them (`match`). */

import { coded } from '../messages/index.js';
import type { Action, EntryKind } from '../policy/types.js';
import type { Database } from './database.js';
import { createEntriesPage } from './entries-page.js';
import { StoreError, withStoreErrors } from './errors.js';
import { VISIBLE } from './import-visibility.js';
import { longestPart, probeKeysSql } from './prefix-lengths.js';
import {
  bool,
  conditions,
  containsPattern,
  orNull,
  type Promised,
  pageLimit,
  patched,
  type RepositoryOptions,
  setOptional,
  toPage,
} from './sql.js';
import type { EntryPatch, EntryQuery, NewEntry, Page, StoredEntry } from './types.js';

export interface EntryRow {
  id: number;
  number: string;
  is_prefix: number;
  kind: EntryKind;
  action: Action | null;
  cause: number | null;
  announcement: string | null;
  label: string | null;
  vip: number;
  note: string | null;
  source: string;
  contact_id: number | null;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
}

type EntryParams = Omit<EntryRow, 'id' | 'created_at' | 'updated_at'> & { now: number };

const COLUMNS =
  'id, number, is_prefix, kind, action, cause, announcement, label, vip, note, source, contact_id, expires_at, created_at, updated_at';

/** An entry's columns in the order toEntry() reads them (EntryRow). */
export { COLUMNS as ENTRY_COLUMNS };

const VALUES =
  '@number, @is_prefix, @kind, @action, @cause, @announcement, @label, @vip, @note, @source, @contact_id, @expires_at';

/**
 * `number IN (keys)` is one probe of the entries_number index per key: the number itself, and its leading parts as
 * long as some prefix entry (prefix-lengths.ts). Exact rows must equal the number; prefix rows may be any key (a
 * prefix equal to the whole number matches too). Parameters: e164, the longest part asked for, e164, e164, now, now.
 * Expired entries are returned unless `now` is given: the policy filters by time itself, and `explain` can then say
 * "an expired entry was ignored". Rows of an unfinished import are not (import-visibility.ts).
 */
export function matchSql(): string {
  return `SELECT ${COLUMNS} FROM entries
    WHERE number IN (${probeKeysSql('entries')}) AND (is_prefix = 1 OR number = ?)
      AND (? IS NULL OR expires_at IS NULL OR expires_at > ?) AND ${VISIBLE}
    ORDER BY is_prefix, length(number) DESC, kind, id`;
}

/**
 * The entries of the other kind that hold some of the same callers as one number or prefix (`@number`, `@prefix`,
 * `@kind`): prefixes it lies in (or that equal it), the same exact number, and for a prefix everything inside it.
 * Three indexed parts: probes of the leading parts as long as some prefix row (prefix-lengths.ts), one probe, and a
 * range of the entries_number index ('+' and digits sort below ':'). Expired entries take no part (`@now`).
 */
export function overlappingSql(): string {
  // What an unfinished import wrote does not exist yet for anyone else (import-visibility.ts).
  const live = `(expires_at IS NULL OR expires_at > @now) AND kind <> @kind AND ${VISIBLE}`;
  // No ORDER BY … LIMIT over the union: SQLite then sorts through a merge that costs a millisecond a call, fifty
  // times the three probes; the caller stops reading at its limit and orders what it read.
  return `SELECT ${COLUMNS} FROM entries WHERE is_prefix = 1 AND ${live}
        AND number IN (SELECT substr(@number, 1, len) FROM prefix_lengths WHERE tbl = 'entries' AND len <= length(@number))
      UNION ALL
      SELECT ${COLUMNS} FROM entries WHERE @prefix = 0 AND number = @number AND is_prefix = 0 AND ${live}
      UNION ALL
      SELECT ${COLUMNS} FROM entries WHERE @prefix = 1 AND number >= @number AND number < @number || ':' AND ${live}
        AND NOT (is_prefix = 1 AND number = @number)`;
}

export function toEntry(row: EntryRow): StoredEntry {
  const entry: StoredEntry = {
    id: row.id,
    number: row.number,
    prefix: row.is_prefix === 1,
    kind: row.kind,
    vip: row.vip === 1,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  return setOptional(entry, {
    action: row.action,
    cause: row.cause,
    announcement: row.announcement,
    label: row.label,
    note: row.note,
    contactId: row.contact_id,
    expiresAt: row.expires_at,
  });
}

export function toParams(input: NewEntry, now: number): EntryParams {
  return {
    number: input.number,
    is_prefix: bool(input.prefix),
    kind: input.kind,
    action: orNull(input.action),
    cause: orNull(input.cause),
    announcement: orNull(input.announcement),
    label: orNull(input.label),
    vip: bool(input.vip),
    note: orNull(input.note),
    source: input.source ?? 'manual',
    contact_id: orNull(input.contactId),
    expires_at: orNull(input.expiresAt),
    now,
  };
}

/**
 * An entry's values in column order, then created_at and updated_at (both `now`): for the positional INSERTs of bulk
 * writes, which bind faster than named parameters.
 */
export function positionalValues(input: NewEntry, now: number): unknown[] {
  const p = toParams(input, now);
  return [
    p.number,
    p.is_prefix,
    p.kind,
    p.action,
    p.cause,
    p.announcement,
    p.label,
    p.vip,
    p.note,
    p.source,
    p.contact_id,
    p.expires_at,
    now,
    now,
  ];
}

/**
 * The list's conditions (with `?` placeholders) and their values for `query`'s filters. `like`: SQLite's LIKE ignores
 * the case of ASCII letters, PostgreSQL's ILIKE does what it does there.
 */
export function entryFilter(query: EntryQuery, like: 'LIKE' | 'ILIKE'): { where: string[]; params: unknown[] } {
  const { where, params, add } = conditions();
  if (query.kind !== undefined) add('kind = ?', query.kind);
  if (query.source !== undefined) add('source = ?', query.source);
  if (query.origin === 'manual') {
    add(
      "(NOT EXISTS (SELECT 1 FROM entry_origins o WHERE o.entry_id = entries.id) OR EXISTS (SELECT 1 FROM entry_origins o WHERE o.entry_id = entries.id AND o.origin = 'manual'))",
    );
  } else if (query.origin !== undefined)
    add('EXISTS (SELECT 1 FROM entry_origins o WHERE o.entry_id = entries.id AND o.origin = ?)', query.origin);
  if (query.contactId !== undefined) add('contact_id = ?', query.contactId);
  if (query.cursor !== undefined) add('id < ?', query.cursor);
  if (query.search) {
    const pattern = containsPattern(query.search);
    add(
      `(number ${like} ? ESCAPE '\\' OR label ${like} ? ESCAPE '\\' OR note ${like} ? ESCAPE '\\')`,
      pattern,
      pattern,
      pattern,
    );
  }
  return { where, params };
}

/** The entries' operations, synchronous: for the store's own transactions (contacts, origins, screening). */
export function createEntriesOperations(db: Database, options: RepositoryOptions = {}) {
  const clock = options.clock ?? Date.now;
  const insertOrSkip = db.prepare<[EntryParams], { id: number }>(
    `INSERT INTO entries (number, is_prefix, kind, action, cause, announcement, label, vip, note, source, contact_id, expires_at, created_at, updated_at)
     VALUES (${VALUES}, @now, @now) ON CONFLICT (number, is_prefix, kind) DO NOTHING RETURNING id`,
  );
  const update_ = db.prepare<[EntryParams & { id: number }]>(
    `UPDATE entries SET number = @number, is_prefix = @is_prefix, kind = @kind, action = @action, cause = @cause,
       announcement = @announcement, label = @label, vip = @vip, note = @note, source = @source,
       contact_id = @contact_id, expires_at = @expires_at, updated_at = @now WHERE id = @id`,
  );
  const bulkInsertRow = db.prepare<unknown[]>(
    `INSERT INTO entries (number, is_prefix, kind, action, cause, announcement, label, vip, note, source, contact_id, expires_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (number, is_prefix, kind) DO NOTHING`,
  );
  const byId = db.prepare<[number], EntryRow>(`SELECT ${COLUMNS} FROM entries WHERE id = ? AND ${VISIBLE}`);
  const byNumberSql = `SELECT ${COLUMNS} FROM entries WHERE number = @number AND is_prefix = @prefix AND (@kind IS NULL OR kind = @kind)`;
  const byNumber = db.prepare<[{ number: string; prefix: number; kind: string | null }], EntryRow>(
    `${byNumberSql} AND ${VISIBLE} ORDER BY kind`,
  );
  // The unique index counts the rows of an unfinished import too: a change must not collide with one of them.
  const takenBy = db.prepare<[{ number: string; prefix: number; kind: string | null }], EntryRow>(byNumberSql);
  const deleteById = db.prepare<[number]>(`DELETE FROM entries WHERE id = ? AND ${VISIBLE}`);
  const deleteExpired = db.prepare<[number]>(
    `DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ? AND ${VISIBLE}`,
  );
  const countAll = db
    .prepare<[{ kind: string | null }], number>(
      `SELECT count(*) FROM entries WHERE (@kind IS NULL OR kind = @kind) AND ${VISIBLE}`,
    )
    .pluck();
  const matchStatement = db.prepare<unknown[], EntryRow>(matchSql());
  const ofKindStatement = db.prepare<[number, number, EntryKind], EntryRow>(
    `SELECT ${COLUMNS} FROM entries WHERE id > ? AND id <= ? AND kind = ? AND ${VISIBLE} ORDER BY id`,
  );
  const overlappingStatement = db.prepare<[{ number: string; prefix: number; kind: EntryKind; now: number }], EntryRow>(
    overlappingSql(),
  );
  const page = createEntriesPage<EntryRow>(db, COLUMNS);

  /** A duplicate, said the way a person would: which entry already exists. */
  function duplicate(input: Pick<NewEntry, 'number' | 'prefix' | 'kind'>): StoreError {
    const existing = byNumber.get({ number: input.number, prefix: bool(input.prefix), kind: input.kind });
    const shown = input.prefix ? `${input.number}*` : input.number;
    return StoreError.of('unique', coded('entry.exists', { kind: input.kind, number: shown, id: existing?.id ?? '' }), {
      details: { existingId: existing?.id },
    });
  }

  function get(id: number): StoredEntry | undefined {
    const row = byId.get(id);
    return row && toEntry(row);
  }

  /** Inserts; with `skip` a duplicate returns undefined, otherwise it throws StoreError `unique`. */
  function insert(input: NewEntry, onDuplicate: 'skip' | 'error'): number | undefined {
    const row = insertOrSkip.get(toParams(input, clock()));
    if (!row && onDuplicate === 'error') throw duplicate(input);
    return row?.id;
  }

  /** Returns the updated entry, or undefined when there is none with this id. */
  function update(id: number, patch: EntryPatch): StoredEntry | undefined {
    return db.transaction(() => {
      const cur = byId.get(id);
      if (!cur) return undefined;
      const next: EntryParams & { id: number } = {
        id,
        number: patch.number ?? cur.number,
        is_prefix: patch.prefix === undefined ? cur.is_prefix : bool(patch.prefix),
        kind: patch.kind ?? cur.kind,
        action: patched(patch.action, cur.action),
        cause: patched(patch.cause, cur.cause),
        announcement: patched(patch.announcement, cur.announcement),
        label: patched(patch.label, cur.label),
        vip: patch.vip === undefined ? cur.vip : bool(patch.vip),
        note: patched(patch.note, cur.note),
        source: patch.source ?? cur.source,
        contact_id: patched(patch.contactId, cur.contact_id),
        expires_at: patched(patch.expiresAt, cur.expires_at),
        now: clock(),
      };
      const clash = takenBy.get({ number: next.number, prefix: next.is_prefix, kind: next.kind });
      if (clash && clash.id !== id)
        throw duplicate({ number: next.number, prefix: next.is_prefix === 1, kind: next.kind });
      update_.run(next);
      return get(id);
    });
  }

  return withStoreErrors({
    create(input: NewEntry): StoredEntry {
      const id = insert(input, 'error') as number;
      return get(id) as StoredEntry;
    },

    get,

    update,

    remove(id: number): boolean {
      return deleteById.run(id).changes > 0;
    },

    /**
     * The last word wins ("block this caller", `callfilter allow`): adds the entry, or updates the one of its kind for
     * the same number or prefix (keeping where that came from), and removes the entry of the other kind there — in one
     * transaction, so no call sees both or neither. Left alone, an allow entry would silently beat the new block.
     */
    put(input: NewEntry): { entry: StoredEntry; created: boolean; removed: StoredEntry[] } {
      return db.transaction(() => {
        const prefix = bool(input.prefix);
        const other = input.kind === 'allow' ? 'block' : 'allow';
        const removed = byNumber
          .all({ number: input.number, prefix, kind: other })
          .map(toEntry)
          .filter((e) => deleteById.run(e.id).changes > 0);
        const existing = byNumber.get({ number: input.number, prefix, kind: input.kind });
        if (existing === undefined)
          return { entry: get(insert(input, 'error') as number) as StoredEntry, created: true, removed };
        const { source: _source, ...patch } = input;
        return { entry: update(existing.id, patch) as StoredEntry, created: false, removed };
      });
    },

    /** The entries for exactly this number (or prefix); with `kind`, at most one. */
    findByNumber(number: string, prefix: boolean, kind?: EntryKind): StoredEntry[] {
      return byNumber.all({ number, prefix: bool(prefix), kind: kind ?? null }).map(toEntry);
    },

    /** Newest first; `nextCursor` pages on. */
    list(query: EntryQuery = {}): Page<StoredEntry> {
      const limit = pageLimit(query);
      const { where, params } = entryFilter(query, 'LIKE');
      return toPage(page(where, params, limit + 1).map(toEntry), limit);
    },

    count(kind?: EntryKind): number {
      return countAll.get({ kind: kind ?? null }) ?? 0;
    },

    /**
     * Inserts many rows in ONE transaction (all or nothing; inside a caller's transaction it nests as a
     * savepoint). Duplicates of existing entries (same number, prefix flag and kind) are skipped, or with
     * `onDuplicate: 'error'` abort the whole batch.
     */
    bulkInsert(
      rows: Iterable<NewEntry>,
      opts: { onDuplicate?: 'skip' | 'error' } = {},
    ): { added: number; skipped: number } {
      const onDuplicate = opts.onDuplicate ?? 'skip';
      return db.transaction(() => {
        let added = 0;
        let skipped = 0;
        const now = clock();
        for (const row of rows) {
          // Positional parameters and no RETURNING: half the per-row cost of `insert` (a 1,000,000-row import
          // must finish in 30 s); `changes` says whether the row was new.
          const changes = bulkInsertRow.run(...positionalValues(row, now)).changes;
          if (changes > 0) added++;
          else if (onDuplicate === 'error') throw duplicate(row);
          else skipped++;
        }
        return { added, skipped };
      });
    },

    /** Deletes entries whose expiry has passed; returns how many. */
    removeExpired(now: number): number {
      return deleteExpired.run(now).changes;
    },

    /**
     * The entries of one kind with ids in (afterId, upToId]: a whole table read in slices of the primary key (kind
     * has no index of its own), each slice a short read between turns of the event loop.
     */
    ofKindBetween(kind: EntryKind, afterId: number, upToId: number): StoredEntry[] {
      return ofKindStatement.all(afterId, upToId, kind).map(toEntry);
    },

    /**
     * The entries of the other kind that share callers with this number or prefix — same number, a prefix it lies
     * in, or (for a prefix) an entry inside it — at most `limit` (the prefixes first, then what lies inside), ordered
     * oldest first; expired ones left out. Read-only: what a conflict check asks (src/import/conflicts.ts decides
     * who wins).
     */
    overlapping(key: { number: string; prefix: boolean; kind: EntryKind }, now: number, limit: number): StoredEntry[] {
      const found: StoredEntry[] = [];
      for (const row of overlappingStatement.iterate({
        number: key.number,
        prefix: bool(key.prefix),
        kind: key.kind,
        now,
      })) {
        if (found.length >= limit) break;
        found.push(toEntry(row));
      }
      return found.sort((a, b) => a.id - b.id);
    },

    /**
     * The call path: every personal entry for this caller — exact rows for `e164`, prefix rows for any of
     * `prefixes` (its leading parts, `allPrefixes(e164)` or its first k) — in one indexed query that probes only the
     * parts as long as some prefix entry. Expired entries are included unless `now` is given. Ordered exact first,
     * then longer prefixes, allow before block (the policy does not rely on the order).
     */
    match(e164: string, prefixes: readonly string[], opts: { now?: number } = {}): StoredEntry[] {
      const now = opts.now ?? null;
      return matchStatement.all(e164, longestPart(prefixes), e164, e164, now, now).map(toEntry);
    },
  });
}

export type EntriesOperations = ReturnType<typeof createEntriesOperations>;

/** What the store hands out (index.ts): every operation returns a promise. */
export type EntriesRepository = Promised<EntriesOperations>;
