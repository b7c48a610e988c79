/**
 * The outbox (migration 006): a durable queue of work for the outside. An item is pending until a dispatcher
 * delivers it (done) or gives up (dead); a dispatcher claims items for a while, so two never send the same one.
 */
import type { Database } from './database.js';
import { StoreError, withStoreErrors } from './errors.js';
import type { OutboxItem, OutboxQuery, OutboxStatus } from './sources-types.js';
import { orNull, pageLimit, setOptional, toPage } from './sql.js';
import type { Page } from './types.js';

export interface OutboxRow {
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

export const OUTBOX_COLUMNS =
  'id, kind, payload, dedupe_key, status, attempts, next_attempt_at, last_error, created_at, finished_at';

export function toItem(row: OutboxRow): OutboxItem {
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch (err) {
    throw new StoreError('corrupt', `outbox item ${row.id}: the stored payload does not parse`, { cause: err });
  }
  const item: OutboxItem = {
    id: row.id,
    kind: row.kind,
    payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
  };
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
     RETURNING ${OUTBOX_COLUMNS}`,
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
  const earliest = db
    .prepare<[], number | null>(
      "SELECT min(max(next_attempt_at, coalesce(claimed_until, 0))) FROM outbox WHERE status = 'pending'",
    )
    .pluck();
  const countKind = db
    .prepare<[string, number], number>('SELECT count(*) FROM outbox WHERE kind = ? AND created_at >= ?')
    .pluck();
  const byId = db.prepare<[number], OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id = ?`);
  const pendingKinds = db.prepare<[], { kind: string; n: number }>(
    "SELECT kind, count(*) AS n FROM outbox INDEXED BY outbox_due WHERE status = 'pending' GROUP BY kind",
  );
  // Parking and unparking go through outbox_due (pending items by time), so they read only the items on either side
  // of a time, never a receiver's whole history; the key range (the unique index's order) picks the receiver.
  const parkRange = db.prepare<[{ life: number; horizon: number; lo: string; hi: string; now: number }]>(
    `UPDATE outbox INDEXED BY outbox_due SET next_attempt_at = created_at + @life
     WHERE status = 'pending' AND next_attempt_at < @horizon AND dedupe_key >= @lo AND dedupe_key < @hi
       AND next_attempt_at < created_at + @life AND (claimed_until IS NULL OR claimed_until <= @now)`,
  );
  const unparkRange = db.prepare<[{ lo: string; hi: string; now: number }]>(
    `UPDATE outbox INDEXED BY outbox_due SET next_attempt_at = @now
     WHERE status = 'pending' AND next_attempt_at > @now AND dedupe_key >= @lo AND dedupe_key < @hi
       AND (claimed_until IS NULL OR claimed_until <= @now)`,
  );
  const keyRange = (keyPrefix: string) => {
    if (keyPrefix === '') throw new StoreError('invalid', 'a key prefix is needed');
    return {
      lo: keyPrefix,
      hi: keyPrefix.slice(0, -1) + String.fromCharCode(keyPrefix.charCodeAt(keyPrefix.length - 1) + 1),
    };
  };

  return withStoreErrors({
    /**
     * Adds an item to deliver from `at` on. With a `dedupeKey` that an item has already, nothing is added and the
     * answer is undefined.
     */
    async enqueue(
      kind: string,
      payload: unknown,
      options: { at: number; dedupeKey?: string },
    ): Promise<number | undefined> {
      return insert.get(kind, JSON.stringify(payload), orNull(options.dedupeKey), options.at, options.at)?.id;
    },

    /**
     * Adds several items in one transaction (one commit for all: what the notifications queue after a burst of
     * calls). Returns each item's id, or undefined where its dedupe key was taken.
     */
    async enqueueMany(
      items: readonly { kind: string; payload: unknown; at: number; dedupeKey?: string }[],
    ): Promise<(number | undefined)[]> {
      return db.transaction(() =>
        items.map((i) => insert.get(i.kind, JSON.stringify(i.payload), orNull(i.dedupeKey), i.at, i.at)?.id),
      );
    },

    /** Takes up to `limit` due items for `owner` until `until` (each claim counts as an attempt). */
    async claimDue(owner: string, now: number, until: number, limit: number): Promise<OutboxItem[]> {
      return claim
        .all({ owner, until, now, limit })
        .map(toItem)
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
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

    /**
     * Parks the pending items whose dedupe key starts with `keyPrefix` and that are due before `horizon` (and held
     * by no dispatcher) at the end of their life, `created_at + lifeMs`: a receiver that is down keeps its items
     * untouched there instead of failing each in turn. Returns how many were parked.
     */
    async park(keyPrefix: string, lifeMs: number, horizon: number, now: number): Promise<number> {
      return parkRange.run({ life: lifeMs, horizon, ...keyRange(keyPrefix), now }).changes;
    },

    /** Makes the pending items of `keyPrefix` that wait beyond `now` due now (the receiver is back). */
    async unpark(keyPrefix: string, now: number): Promise<number> {
      return unparkRange.run({ ...keyRange(keyPrefix), now }).changes;
    },

    /** When the next pending item may be tried (epoch ms), or undefined when none is pending. */
    async nextDue(): Promise<number | undefined> {
      return earliest.get() ?? undefined;
    },

    /** Items of `kind` created since `since` (epoch ms), whatever became of them. */
    async countSince(kind: string, since: number): Promise<number> {
      return countKind.get(kind, since) ?? 0;
    },

    /** Pending items per kind (reads the pending items only, not the history). */
    async pendingByKind(): Promise<Record<string, number>> {
      return Object.fromEntries(pendingKinds.all().map((r) => [r.kind, r.n]));
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
          `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR status = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`,
        )
        .all(
          orNull(query.kind),
          orNull(query.kind),
          orNull(query.status),
          orNull(query.status),
          orNull(query.cursor),
          orNull(query.cursor),
          limit + 1,
        );
      return toPage(rows.map(toItem), limit);
    },
  });
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
