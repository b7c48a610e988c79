/**
 * The outbox (migration 007): a durable queue of work for the outside. An item is pending until a dispatcher
 * delivers it (done) or gives up (dead); a dispatcher claims items for a while, so two never send the same one.
 */
import type { Database } from './database.js';
import { StoreError, withStoreErrors } from './errors.js';
import type { OutboxItem, OutboxQuery, OutboxStatus } from './sources-types.js';
import { orNull, pageLimit, setOptional, toPage } from './sql.js';
import type { Page } from './types.js';

interface OutboxRow {
  id: number;
  kind: string;
  payload: string;
  dedupe_key: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  finished_at: number | null;
}

const COLUMNS = 'id, kind, payload, dedupe_key, status, attempts, next_attempt_at, last_error, created_at, finished_at';

function toItem(row: OutboxRow): OutboxItem {
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch (err) {
    throw new StoreError('corrupt', `outbox item ${row.id}: the stored payload does not parse`, { cause: err });
  }
  const item: OutboxItem = { id: row.id, kind: row.kind, payload, status: row.status, attempts: row.attempts, nextAttemptAt: row.next_attempt_at, createdAt: row.created_at };
  return setOptional(item, { dedupeKey: row.dedupe_key, lastError: row.last_error, finishedAt: row.finished_at });
}

export function createOutboxRepository(db: Database) {
  const insert = db.prepare<[string, string, string | null, number, number], { id: number }>(
    `INSERT INTO outbox (kind, payload, dedupe_key, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
  );
  const claim = db.prepare<[{ owner: string; until: number; now: number; limit: number }], OutboxRow>(
    `UPDATE outbox SET claimed_by = @owner, claimed_until = @until, attempts = attempts + 1
     WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= @now AND (claimed_until IS NULL OR claimed_until <= @now)
                  ORDER BY next_attempt_at, id LIMIT @limit)
     RETURNING ${COLUMNS}`,
  );
  const done = db.prepare<[number, number, string]>(
    "UPDATE outbox SET status = 'done', finished_at = ?, last_error = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
  );
  const retry = db.prepare<[number, string, number, string]>(
    'UPDATE outbox SET next_attempt_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?',
  );
  const dead = db.prepare<[number, string, number, string]>(
    "UPDATE outbox SET status = 'dead', finished_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
  );
  const earliest = db.prepare<[], number | null>("SELECT min(max(next_attempt_at, coalesce(claimed_until, 0))) FROM outbox WHERE status = 'pending'").pluck();
  const countKind = db.prepare<[string, number], number>('SELECT count(*) FROM outbox WHERE kind = ? AND created_at >= ?').pluck();
  const byId = db.prepare<[number], OutboxRow>(`SELECT ${COLUMNS} FROM outbox WHERE id = ?`);

  return withStoreErrors({
    /**
     * Adds an item to deliver from `at` on. With a `dedupeKey` that an item has already, nothing is added and the
     * answer is undefined.
     */
    async enqueue(kind: string, payload: unknown, options: { at: number; dedupeKey?: string }): Promise<number | undefined> {
      return insert.get(kind, JSON.stringify(payload), orNull(options.dedupeKey), options.at, options.at)?.id;
    },

    /** Takes up to `limit` due items for `owner` until `until` (each claim counts as an attempt). */
    async claimDue(owner: string, now: number, until: number, limit: number): Promise<OutboxItem[]> {
      return claim.all({ owner, until, now, limit }).map(toItem).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
    },

    async markDone(id: number, owner: string, at: number): Promise<void> {
      done.run(at, id, owner);
    },

    async markRetry(id: number, owner: string, nextAt: number, error: string): Promise<void> {
      retry.run(nextAt, error, id, owner);
    },

    async markDead(id: number, owner: string, at: number, error: string): Promise<void> {
      dead.run(at, error, id, owner);
    },

    /** When the next pending item may be tried (epoch ms), or undefined when none is pending. */
    async nextDue(): Promise<number | undefined> {
      return earliest.get() ?? undefined;
    },

    /** Items of `kind` created since `since` (epoch ms), whatever became of them. */
    async countSince(kind: string, since: number): Promise<number> {
      return countKind.get(kind, since) ?? 0;
    },

    async get(id: number): Promise<OutboxItem | undefined> {
      const row = byId.get(id);
      return row && toItem(row);
    },

    /** The delivery log: items newest first, optionally of one kind or status. */
    async log(query: OutboxQuery = {}): Promise<Page<OutboxItem>> {
      const limit = pageLimit(query);
      const rows = db
        .prepare<unknown[], OutboxRow>(
          `SELECT ${COLUMNS} FROM outbox WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR status = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`,
        )
        .all(orNull(query.kind), orNull(query.kind), orNull(query.status), orNull(query.status), orNull(query.cursor), orNull(query.cursor), limit + 1);
      return toPage(rows.map(toItem), limit);
    },
  });
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
