/**
 * Imports into the personal entries (and contacts), atomic without one long transaction (migrations/005):
 * 1. an `imports` row in state 'pending' (short transaction);
 * 2. the rows, each carrying the import's id, in short transactions with a rest after each (pacer.ts Pace) — hidden
 *    meanwhile from every read but this import's own (import-visibility.ts);
 * 3. the switch: one UPDATE of the import's row to 'done' makes all of them visible at once;
 * 4. on any failure the import is marked 'failed' (its rows stay hidden) and its rows are deleted in batches.
 * A crash anywhere before 3 leaves the old entries in force; `cleanupOrphans()` (openStore) removes what is left.
 * Duplicates are skipped and counted as in one transaction: the unique index sees every row, pending or not.
 */
import type { Database } from './database.js';
import { positionalValues } from './entries-repository.js';
import { StoreError } from './errors.js';
import { isOwnerGone, OWNER } from './import-owner.js';
import { VISIBLE } from './import-visibility.js';
import { CALL_PATH_PACE, createPacer, type Pace, rest } from './pacer.js';
import { orNull, promising } from './sql.js';
import type { NewEntry } from './types.js';

/** The most rows per transaction; the pacer usually picks far fewer. */
const MAX_BATCH_ROWS = 20_000;
/** How often a running import says it is alive (heartbeat_at), for processes that cannot check its pid. */
const HEARTBEAT_MS = 5_000;
/** Rows per read of an import's entries after it finished: a few ms of index scan each. */
const ROWS_PER_READ = 5_000;
/** Rows deleted per statement when an open removes a crashed import (before the service takes calls). */
const DISCARD_BATCH = 20_000;

/** An address-book card: its allow numbers, written as one contact (or added to the one a former import made). */
export interface ImportedCard {
  contact: { name: string; externalId?: string };
  numbers: NewEntry[];
}

export type EntryImportItem = NewEntry | ImportedCard;

export interface EntryImportResult {
  importId: number;
  added: number;
  skipped: number;
  /** Contacts created. */
  contacts: number;
}

export interface EntryImportOptions {
  /**
   * Each row skipped because the same entry exists (or came earlier in the import): it is in force all the same, so
   * what is checked after the switch (conflicts) looks at it too.
   */
  onSkipped?: (entry: NewEntry) => void;
  /** After each transaction: the rows written (added or skipped) so far. */
  onWritten?: (rows: number) => void;
  signal?: AbortSignal;
  /** Default CALL_PATH_PACE (pacer.ts). */
  pace?: Pace;
}

/** Imports being written by this process (`file#id`), which `cleanupOrphans()` of any connection must leave alone. */
const running = new Set<string>();
/** One import at a time per database file in this process: two at once would skip each other's rows as duplicates. */
const queues = new Map<string, Promise<unknown>>();

const isCard = (item: EntryImportItem): item is ImportedCard => 'numbers' in item;

/** The imports' operations; cleanupOrphans synchronous, for the store's open. */
export function createEntryImportOperations(db: Database, clock: () => number) {
  const begin = db.prepare<[string, string, number, number], { id: number }>(
    "INSERT INTO imports (source, state, owner, heartbeat_at, started_at) VALUES (?, 'pending', ?, ?, ?) RETURNING id",
  );
  const beat = db.prepare<[number, number]>('UPDATE imports SET heartbeat_at = ? WHERE id = ?');
  const finish = db.prepare<[number, number, number]>(
    "UPDATE imports SET state = 'done', finished_at = ?, added = ? WHERE id = ? AND state = 'pending'",
  );
  const fail = db.prepare<[number, number]>(
    "UPDATE imports SET state = 'failed', finished_at = ? WHERE id = ? AND state = 'pending'",
  );
  const unfinished = db.prepare<[], { id: number; state: string; owner: string; heartbeat_at: number }>(
    "SELECT id, state, owner, heartbeat_at FROM imports WHERE state <> 'done'",
  );
  const insertRow = db.prepare<unknown[]>(
    `INSERT INTO entries (number, is_prefix, kind, action, cause, announcement, label, vip, note, source, contact_id, expires_at, created_at, updated_at, import_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (number, is_prefix, kind) DO NOTHING`,
  );
  const taken = db
    .prepare<[string, number, string], number>('SELECT 1 FROM entries WHERE number = ? AND is_prefix = ? AND kind = ?')
    .pluck();
  // A card seen before: in a former import (visible), or earlier in this one.
  const cardOf = db.prepare<[string, string, number], { id: number; name: string; vip: number }>(
    `SELECT id, name, vip FROM contacts WHERE source = ? AND external_id = ? AND (${VISIBLE} OR import_id = ?) ORDER BY id LIMIT 1`,
  );
  const insertContact = db.prepare<[string, string, string | null, number, number], { id: number }>(
    'INSERT INTO contacts (name, source, external_id, created_at, import_id) VALUES (?, ?, ?, ?, ?) RETURNING id',
  );
  const deleteEntries = db.prepare<[number, number]>(
    'DELETE FROM entries WHERE id IN (SELECT id FROM entries WHERE import_id = ? LIMIT ?)',
  );
  const deleteContacts = db.prepare<[number, number]>(
    'DELETE FROM contacts WHERE id IN (SELECT id FROM contacts WHERE import_id = ? LIMIT ?)',
  );
  const forget = db.prepare<[number]>("DELETE FROM imports WHERE id = ? AND state = 'failed'");
  const rowsAfter = db.prepare<
    [number, number, number],
    { id: number; number: string; is_prefix: number; kind: 'allow' | 'block' }
  >('SELECT id, number, is_prefix, kind FROM entries WHERE import_id = ? AND id > ? ORDER BY id LIMIT ?');

  /** Inserts one row of import `id`; true when it was new. */
  function insert(id: number, entry: NewEntry, now: number): boolean {
    return insertRow.run(...positionalValues(entry, now), id).changes > 0;
  }

  /** A card's numbers: onto the contact a former import made (same UID), or a new contact — not one without numbers. */
  function writeCard(
    id: number,
    source: string,
    card: ImportedCard,
    now: number,
    total: EntryImportResult,
    skip: (entry: NewEntry) => void,
  ): void {
    const fresh = card.numbers.filter((n) => {
      if (taken.get(n.number, n.prefix ? 1 : 0, n.kind) === undefined) return true;
      skip(n);
      return false;
    });
    const { externalId } = card.contact;
    let contact = externalId === undefined ? undefined : cardOf.get(source, externalId, id);
    let added = 0;
    if (contact === undefined && fresh.length > 0) {
      const created = insertContact.get(card.contact.name, source, orNull(externalId), now, id) as { id: number };
      contact = { id: created.id, name: card.contact.name, vip: 0 };
      total.contacts++;
    }
    if (contact !== undefined) {
      for (const n of fresh) {
        if (insert(id, { ...n, label: n.label ?? contact.name, vip: contact.vip === 1, contactId: contact.id }, now))
          added++;
        else skip(n);
      }
    }
    total.added += added;
    total.skipped += card.numbers.length - added;
  }

  function writeBatch(
    id: number,
    source: string,
    items: readonly EntryImportItem[],
    total: EntryImportResult,
    skip: (entry: NewEntry) => void,
  ): void {
    const now = clock();
    for (const item of items) {
      if (isCard(item)) writeCard(id, source, item, now, total, skip);
      else if (insert(id, item, now)) total.added++;
      else {
        total.skipped++;
        skip(item);
      }
    }
  }

  /** Deletes a failed import's rows at the pace it wrote them, then its row. */
  async function discard(id: number, pace: Pace): Promise<void> {
    const pacer = createPacer(MAX_BATCH_ROWS, pace.budgetMs);
    for (const statement of [deleteEntries, deleteContacts]) {
      for (;;) {
        const limit = pacer.size;
        const started = performance.now();
        const n = await db.retry(
          () => pacer.timed(() => db.transaction(() => statement.run(id, limit).changes)),
          'removing a failed import',
        );
        if (n < limit) break;
        await rest(pace, started);
      }
    }
    db.transaction(() => forget.run(id));
  }

  /** At open, before the service takes calls: no need to rest. */
  function discardSync(id: number): number {
    let removed = 0;
    for (const statement of [deleteEntries, deleteContacts]) {
      for (let n = DISCARD_BATCH; n === DISCARD_BATCH; removed += n) n = statement.run(id, DISCARD_BATCH).changes;
    }
    forget.run(id);
    return removed;
  }

  async function runOne(
    source: string,
    items: AsyncIterable<EntryImportItem> | Iterable<EntryImportItem>,
    opts: EntryImportOptions,
  ): Promise<EntryImportResult> {
    const pace = opts.pace ?? CALL_PATH_PACE;
    const pacer = createPacer(MAX_BATCH_ROWS, pace.budgetMs);
    const id = await db.retry(
      () => db.transaction(() => (begin.get(source, OWNER, clock(), clock()) as { id: number }).id),
      'entry import',
    );
    const key = `${db.file}#${id}`;
    running.add(key);
    const total: EntryImportResult = { importId: id, added: 0, skipped: 0, contacts: 0 };
    const skip = (entry: NewEntry) => opts.onSkipped?.(entry);
    let beatAt = clock();
    try {
      let batch: EntryImportItem[] = [];
      let rows = 0;
      const flush = async () => {
        const chunk = batch;
        batch = [];
        const started = performance.now();
        // Retried only when BEGIN IMMEDIATE finds the lock taken, before any row is counted.
        await db.retry(
          () =>
            pacer.timed(() =>
              db.transaction(() => {
                writeBatch(id, source, chunk, total, skip);
                if (clock() - beatAt >= HEARTBEAT_MS) beat.run((beatAt = clock()), id);
              }),
            ),
          'entry import',
        );
        opts.onWritten?.(total.added + total.skipped);
        await rest(pace, started);
      };
      for await (const item of items) {
        batch.push(item);
        rows += isCard(item) ? item.numbers.length : 1;
        if (rows >= pacer.size) {
          rows = 0;
          opts.signal?.throwIfAborted();
          await flush();
        }
      }
      if (batch.length > 0) await flush();
      opts.signal?.throwIfAborted();
      const switched = await db.retry(
        () => db.transaction(() => finish.run(clock(), total.added, id).changes),
        'entry import',
      );
      if (switched !== 1)
        throw new StoreError(
          'conflict',
          `import ${id} was taken for a crashed one by another process and removed; nothing was imported`,
        );
    } catch (err) {
      try {
        db.transaction(() => fail.run(clock(), id));
        await discard(id, pace);
      } catch (cleanupErr) {
        db.logger?.warn(
          { err: cleanupErr, importId: id },
          'could not remove the rows of a failed import; the next start will',
        );
      }
      throw err;
    } finally {
      running.delete(key);
    }
    return total;
  }

  return {
    /**
     * Writes `items` as one import: all of them appear at once when this resolves, none if it rejects (a bad row
     * that `items` throws at its end, a full disk, a crash). Imports into one database run one after another.
     */
    run(
      source: string,
      items: AsyncIterable<EntryImportItem> | Iterable<EntryImportItem>,
      opts: EntryImportOptions = {},
    ): Promise<EntryImportResult> {
      const previous = queues.get(db.file) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => runOne(source, items, opts));
      const settled = next.catch(() => undefined);
      queues.set(db.file, settled);
      void settled.then(() => {
        if (queues.get(db.file) === settled) queues.delete(db.file);
      });
      return next;
    },

    /**
     * The entries an import wrote (not the rows it skipped as duplicates), ROWS_PER_READ at a time in id order, each
     * read its own short statement: what is checked after the switch, such as conflicts with the other kind.
     */
    async *rowsOf(importId: number): AsyncGenerator<{ number: string; prefix: boolean; kind: 'allow' | 'block' }> {
      for (let after = 0; ; ) {
        const rows = rowsAfter.all(importId, after, ROWS_PER_READ);
        for (const r of rows) yield { number: r.number, prefix: r.is_prefix === 1, kind: r.kind };
        const last = rows.at(-1);
        if (last === undefined || rows.length < ROWS_PER_READ) return;
        after = last.id;
      }
    },

    /**
     * Removes the rows of imports that will never finish: failed ones, and pending ones whose writer is gone
     * (import-owner.ts) — never one that this process, or another live one, is still writing.
     */
    cleanupOrphans(): number {
      let removed = 0;
      const now = clock();
      for (const imp of unfinished.all()) {
        if (running.has(`${db.file}#${imp.id}`)) continue;
        if (imp.state === 'pending') {
          if (!isOwnerGone(imp.owner, imp.heartbeat_at, now)) continue;
          // Its writer may have switched it in since the read above: then its rows are in force, and stay.
          if (db.transaction(() => fail.run(now, imp.id).changes) === 0) continue;
        }
        removed += discardSync(imp.id);
      }
      if (removed > 0) db.logger?.info({ removed }, 'removed rows of unfinished entry imports');
      return removed;
    },
  };
}

/** What the store hands out: every operation returns a promise (the open cleans up with the operations above). */
export function createEntryImports(db: Database, clock: () => number) {
  const operations = createEntryImportOperations(db, clock);
  return { ...operations, ...promising({ cleanupOrphans: operations.cleanupOrphans }) };
}

export type EntryImports = ReturnType<typeof createEntryImports>;
