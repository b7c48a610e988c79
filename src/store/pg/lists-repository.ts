/**
 * Spam lists on PostgreSQL (../lists-repository.ts): the lists, their active entries and the caller's list hits.
 * Versions and imports are in ./list-versions.ts.
 *
 * Whatever changes a list's hits in force (a new version, enabled or disabled, the threshold, action, label… of its
 * hits, its removal) is announced on SCREENING_CHANNEL in the same transaction (./screening-replica.ts); a change
 * that screening does not read (a sync cursor, the source URL) is not, so a source's sync does not make every node
 * read a million hits again.
 */
import type pg from 'pg';
import { coded } from '../../messages/index.js';
import type { ListHit } from '../../policy/types.js';
import { StoreError } from '../errors.js';
import {
  HITS_IN_FORCE,
  type HitRow,
  LIST_COLUMNS,
  type ListRow,
  type ListsRepository,
  patchedList,
  toHit,
  toList,
} from '../lists-repository.js';
import { longestPart } from '../prefix-lengths.js';
import { containsPattern, orNull, pageLimit, type RepositoryOptions, setOptional, toPage } from '../sql.js';
import type { ListEntry, ListPatch, NewList, Page, PageQuery, SpamList } from '../types.js';
import { withPostgresErrors } from './errors.js';
import { announceList, createPostgresListVersions, type VersionsLogger } from './list-versions.js';
import { probeKeysSql } from './prefix-lengths.js';
import { inTransaction, type Queryable } from './sql.js';

/** ../lists-repository.ts `matchSql` with PostgreSQL's parameters: $1 the number, $2 the longest part asked for. */
export const POSTGRES_MATCH_SQL = `${HITS_IN_FORCE}
      AND le.number = ANY (${probeKeysSql('list_entries', '$1', '$2')}) AND (le.is_prefix = 1 OR le.number = $1)
    ORDER BY le.is_prefix, length(le.number) DESC, le.score DESC, l.id, le.id`;

/** What a list row holds that screening reads (HITS_IN_FORCE): a change of any of them is announced. */
const HIT_COLUMNS = ['name', 'threshold', 'action', 'cause', 'announcement', 'label', 'enabled'] as const;

/** SQLite's BINARY order (bytes), whatever the database's collation: lists come in the same order on both engines. */
const BY_NAME = 'ORDER BY name COLLATE "C"';

const INSERT = `INSERT INTO lists (name, threshold, action, cause, announcement, label, source_url, enabled, sync_cursor, synced_at, sync_error, updated_at, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING ${LIST_COLUMNS}`;

export interface PostgresListsOptions extends RepositoryOptions {
  logger?: VersionsLogger;
}

async function rowByName(db: Queryable, name: string): Promise<ListRow | undefined> {
  return (await db.query<ListRow>(`SELECT ${LIST_COLUMNS} FROM lists WHERE name = $1`, [name])).rows[0];
}

function nameTaken(name: string, id: number): StoreError {
  return StoreError.of('unique', coded('list.exists', { name, id }), { details: { existingId: id } });
}

/**
 * A write that lost a race for the UNIQUE name to a transaction that committed meanwhile (the check before it saw
 * no clash) is told in the same words as one that did not.
 */
export async function explainListNameClash(db: Queryable, err: unknown, name: string): Promise<unknown> {
  const e = err as { code?: unknown; constraint?: unknown };
  if (e?.code !== '23505' || e.constraint !== 'lists_name_key') return err;
  const clash = await rowByName(db, name).catch(() => undefined);
  return clash ? nameTaken(name, clash.id) : err;
}

/** The lists' operations inside a caller's transaction (the sources repository creates a source's list with it). */
export interface PostgresListRows {
  create(client: Queryable, input: NewList): Promise<SpamList>;
  getByName(client: Queryable, name: string): Promise<SpamList | undefined>;
}

export type PostgresListsRepository = ListsRepository & { readonly rows: PostgresListRows };

export function createPostgresListsRepository(
  pool: pg.Pool,
  options: PostgresListsOptions = {},
): PostgresListsRepository {
  const clock = options.clock ?? Date.now;
  const versions = createPostgresListVersions(pool, clock, options.logger);

  const rows: PostgresListRows = {
    async create(client, input) {
      const clash = await rowByName(client, input.name);
      if (clash) throw nameTaken(input.name, clash.id);
      const r = await client.query<ListRow>(INSERT, [
        input.name,
        input.threshold ?? 1,
        orNull(input.action),
        orNull(input.cause),
        orNull(input.announcement),
        orNull(input.label),
        orNull(input.sourceUrl),
        input.enabled === false ? 0 : 1,
        null,
        null,
        null,
        clock(),
      ]);
      // A new list has no version yet, so no hits: nothing to announce.
      return toList(r.rows[0] as ListRow);
    },
    async getByName(client, name) {
      const row = await rowByName(client, name);
      return row && toList(row);
    },
  };

  async function get(id: number): Promise<SpamList | undefined> {
    const row = (await pool.query<ListRow>(`SELECT ${LIST_COLUMNS} FROM lists WHERE id = $1`, [id])).rows[0];
    return row && toList(row);
  }

  const repository: ListsRepository = withPostgresErrors({
    async create(input: NewList): Promise<SpamList> {
      try {
        return await inTransaction(pool, (client) => rows.create(client, input));
      } catch (err) {
        throw await explainListNameClash(pool, err, input.name);
      }
    },

    get,

    async getByName(name: string): Promise<SpamList | undefined> {
      return rows.getByName(pool, name);
    },

    async list(): Promise<SpamList[]> {
      return (await pool.query<ListRow>(`SELECT ${LIST_COLUMNS} FROM lists ${BY_NAME}`)).rows.map(toList);
    },

    async update(id: number, patch: ListPatch): Promise<SpamList | undefined> {
      const name = patch.name;
      try {
        return await inTransaction(pool, async (client) => {
          const cur = (await client.query<ListRow>(`SELECT ${LIST_COLUMNS} FROM lists WHERE id = $1 FOR UPDATE`, [id]))
            .rows[0];
          if (!cur) return undefined;
          const next = patchedList(cur, patch, clock());
          if (next.name !== cur.name) {
            const clash = await rowByName(client, next.name);
            if (clash) throw nameTaken(next.name, clash.id);
          }
          const r = await client.query<ListRow>(
            `UPDATE lists SET name = $2, threshold = $3, action = $4, cause = $5, announcement = $6, label = $7,
               source_url = $8, enabled = $9, sync_cursor = $10, synced_at = $11, sync_error = $12, updated_at = $13
             WHERE id = $1 RETURNING ${LIST_COLUMNS}`,
            [
              id,
              next.name,
              next.threshold,
              next.action,
              next.cause,
              next.announcement,
              next.label,
              next.source_url,
              next.enabled,
              next.sync_cursor,
              next.synced_at,
              next.sync_error,
              next.now,
            ],
          );
          const inForce = cur.active_version > 0 && (cur.enabled === 1 || next.enabled === 1);
          if (inForce && HIT_COLUMNS.some((c) => next[c] !== cur[c])) await announceList(client, id);
          return toList(r.rows[0] as ListRow);
        });
      } catch (err) {
        throw name === undefined ? err : await explainListNameClash(pool, err, name);
      }
    },

    /** The rows of a big list go in batches (see list-versions.ts). */
    remove: versions.remove,
    replaceEntries: versions.replaceEntries,
    applyChanges: versions.applyChanges,
    cleanupOrphans: versions.cleanupOrphans,

    /** The active entries of one list, by id; `search` matches number or label (ILIKE: SQLite's LIKE ignores case). */
    async entries(listId: number, query: PageQuery & { search?: string } = {}): Promise<Page<ListEntry>> {
      const limit = pageLimit(query);
      const search = query.search ? containsPattern(query.search) : null;
      const r = await pool.query<{
        id: number;
        number: string;
        is_prefix: number;
        score: number;
        label: string | null;
      }>(
        `SELECT le.id, le.number, le.is_prefix, le.score, le.label FROM list_entries le JOIN lists l ON l.id = le.list_id AND le.version = l.active_version
         WHERE le.list_id = $1 AND le.id > $2 AND ($3::text IS NULL OR le.number ILIKE $3 ESCAPE '\\' OR le.label ILIKE $3 ESCAPE '\\')
         ORDER BY le.id LIMIT $4`,
        [listId, query.cursor ?? 0, search, limit + 1],
      );
      const items = r.rows.map((row) =>
        setOptional<ListEntry>(
          { id: row.id, number: row.number, prefix: row.is_prefix === 1, score: row.score },
          { label: row.label },
        ),
      );
      return toPage(items, limit);
    },

    /** The caller's hits, as ../lists-repository.ts `match`: the same rows in the same order. */
    async match(e164: string, prefixes: readonly string[]): Promise<ListHit[]> {
      const r = await pool.query<HitRow>(POSTGRES_MATCH_SQL, [e164, longestPart(prefixes)]);
      return r.rows.map(toHit);
    },
  });
  return { ...repository, rows };
}
