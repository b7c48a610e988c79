/**
 * The outbox on PostgreSQL (../outbox-repository.ts): the same queue, shared by every node. SQLite claims under its
 * single writer; here several nodes' dispatchers claim at the same moment, so the claim locks the rows it picks with
 * FOR UPDATE SKIP LOCKED: a row another node is claiming right now is passed over (not waited for), and a row it has
 * claimed and committed meanwhile fails the re-check of the WHERE clause (READ COMMITTED reads the newest version of a
 * locked row) — no item is handed to two nodes.
 */
import type pg from 'pg';
import { StoreError } from '../errors.js';
import { OUTBOX_COLUMNS, type OutboxRepository, type OutboxRow, toItem } from '../outbox-repository.js';
import { orNull, pageLimit, toPage } from '../sql.js';
import { withPostgresErrors } from './errors.js';
import { inTransaction, type Queryable } from './sql.js';

const INSERT = `INSERT INTO outbox (kind, payload, dedupe_key, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $4)
  ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`;

// Columns qualified: the UPDATE … FROM joins the picked ids.
const RETURNED = OUTBOX_COLUMNS.split(', ')
  .map((c) => `o.${c}`)
  .join(', ');

async function insert(
  db: Queryable,
  kind: string,
  payload: unknown,
  at: number,
  dedupeKey: string | undefined,
): Promise<number | undefined> {
  const r = await db.query<{ id: number }>(INSERT, [kind, JSON.stringify(payload), orNull(dedupeKey), at]);
  return r.rows[0]?.id;
}

function checkPrefix(keyPrefix: string): void {
  if (keyPrefix === '') throw new StoreError('invalid', 'a key prefix is needed');
}

export function createPostgresOutboxRepository(pool: pg.Pool): OutboxRepository {
  const count = async (sql: string, values: unknown[]) => (await pool.query(sql, values)).rowCount ?? 0;

  return withPostgresErrors({
    async enqueue(kind: string, payload: unknown, options: { at: number; dedupeKey?: string }) {
      return insert(pool, kind, payload, options.at, options.dedupeKey);
    },

    async enqueueMany(items: readonly { kind: string; payload: unknown; at: number; dedupeKey?: string }[]) {
      return inTransaction(pool, async (client) => {
        const ids: (number | undefined)[] = [];
        for (const i of items) ids.push(await insert(client, i.kind, i.payload, i.at, i.dedupeKey));
        return ids;
      });
    },

    async claimDue(owner: string, now: number, until: number, limit: number) {
      const r = await pool.query<OutboxRow>(
        `WITH due AS (
           SELECT id FROM outbox
           WHERE status = 'pending' AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until <= $3)
           ORDER BY next_attempt_at, id LIMIT $4
           FOR UPDATE SKIP LOCKED)
         UPDATE outbox o SET claimed_by = $1, claimed_until = $2, attempts = o.attempts + 1
         FROM due WHERE o.id = due.id
         RETURNING ${RETURNED}`,
        [owner, until, now, limit],
      );
      return r.rows.map(toItem).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
    },

    async markDone(id: number, owner: string, at: number) {
      await pool.query(
        `UPDATE outbox SET status = 'done', finished_at = $1, last_error = NULL, claimed_by = NULL, claimed_until = NULL
         WHERE id = $2 AND claimed_by = $3`,
        [at, id, owner],
      );
    },

    async markRetry(id: number, owner: string, nextAt: number, error: string) {
      await pool.query(
        `UPDATE outbox SET next_attempt_at = $1, last_error = $2, claimed_by = NULL, claimed_until = NULL
         WHERE id = $3 AND claimed_by = $4`,
        [nextAt, error, id, owner],
      );
    },

    async markDead(id: number, owner: string, at: number, error: string) {
      await pool.query(
        `UPDATE outbox SET status = 'dead', finished_at = $1, last_error = $2, claimed_by = NULL, claimed_until = NULL
         WHERE id = $3 AND claimed_by = $4`,
        [at, error, id, owner],
      );
    },

    // The key prefix as starts_with(), not SQLite's range [prefix, prefix with its last character + 1): a range
    // compares in the database's collation, in which punctuation such as ':' may not sort by code point.
    async park(keyPrefix: string, lifeMs: number, horizon: number, now: number) {
      checkPrefix(keyPrefix);
      return count(
        `UPDATE outbox SET next_attempt_at = created_at + $1
         WHERE status = 'pending' AND next_attempt_at < $2 AND starts_with(dedupe_key, $3)
           AND next_attempt_at < created_at + $1 AND (claimed_until IS NULL OR claimed_until <= $4)`,
        [lifeMs, horizon, keyPrefix, now],
      );
    },

    async unpark(keyPrefix: string, now: number) {
      checkPrefix(keyPrefix);
      return count(
        `UPDATE outbox SET next_attempt_at = $1
         WHERE status = 'pending' AND next_attempt_at > $1 AND starts_with(dedupe_key, $2)
           AND (claimed_until IS NULL OR claimed_until <= $1)`,
        [now, keyPrefix],
      );
    },

    async nextDue() {
      const r = await pool.query<{ at: number | null }>(
        "SELECT min(greatest(next_attempt_at, coalesce(claimed_until, 0))) AS at FROM outbox WHERE status = 'pending'",
      );
      return r.rows[0]?.at ?? undefined;
    },

    async countSince(kind: string, since: number) {
      const r = await pool.query<{ n: number }>(
        'SELECT count(*) AS n FROM outbox WHERE kind = $1 AND created_at >= $2',
        [kind, since],
      );
      return r.rows[0]?.n ?? 0;
    },

    async pendingByKind() {
      const r = await pool.query<{ kind: string; n: number }>(
        "SELECT kind, count(*) AS n FROM outbox WHERE status = 'pending' GROUP BY kind",
      );
      return Object.fromEntries(r.rows.map((row) => [row.kind, row.n]));
    },

    async get(id: number) {
      const r = await pool.query<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id = $1`, [id]);
      const row = r.rows[0];
      return row && toItem(row);
    },

    async log(query = {}) {
      const limit = pageLimit(query);
      const r = await pool.query<OutboxRow>(
        `SELECT ${OUTBOX_COLUMNS} FROM outbox
         WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id < $3)
         ORDER BY id DESC LIMIT $4`,
        [orNull(query.kind), orNull(query.status), orNull(query.cursor), limit + 1],
      );
      return toPage(r.rows.map(toItem), limit);
    },
  });
}
