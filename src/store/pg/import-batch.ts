/**
 * One batch of an entry import on PostgreSQL (entry-imports.ts), in a fixed number of statements whatever its size:
 * SQLite's row-at-a-time loop costs nothing in-process, but here each statement is a round trip to the server. The
 * result is what SQLite's loop gives (../entry-imports.ts): a row whose entry exists (pending or not, as the unique
 * index sees them) or came earlier is skipped; a card's numbers go onto the contact of a former import with the same
 * UID, or one made earlier in this import, or a new contact — never one without numbers.
 */
import type pg from 'pg';
import { toParams } from '../entries-repository.js';
import type { EntryImportItem, EntryImportResult, ImportedCard } from '../entry-imports.js';
import { POSTGRES_VISIBLE } from '../import-visibility.js';
import type { NewEntry } from '../types.js';

/** A contact the batch's numbers go onto: found, or to be made (its id known once it is inserted). */
interface Holder {
  id?: number;
  name: string;
  vip: boolean;
}

interface Row {
  entry: NewEntry;
  holder?: Holder;
}

const keyOf = (e: { number: string; prefix?: boolean | undefined; kind: string }) =>
  `${e.kind}:${e.prefix ? 1 : 0}:${e.number}`;

const isCard = (item: EntryImportItem): item is ImportedCard => 'numbers' in item;

/** Which of these entries exist already, pending or not. */
async function takenKeys(client: pg.ClientBase, entries: NewEntry[]): Promise<Set<string>> {
  const r = await client.query<{ number: string; is_prefix: number; kind: string }>(
    `SELECT e.number, e.is_prefix, e.kind FROM entries e
     JOIN unnest($1::text[], $2::int[], $3::text[]) AS k (number, is_prefix, kind)
       ON e.number = k.number AND e.is_prefix = k.is_prefix AND e.kind = k.kind`,
    [entries.map((e) => e.number), entries.map((e) => (e.prefix ? 1 : 0)), entries.map((e) => e.kind)],
  );
  return new Set(r.rows.map((row) => keyOf({ ...row, prefix: row.is_prefix === 1 })));
}

/** The contacts of cards seen before: made by a former import (visible) or earlier in this one; first by id. */
async function knownCards(
  client: pg.ClientBase,
  importId: number,
  source: string,
  externalIds: string[],
): Promise<Map<string, Holder>> {
  const known = new Map<string, Holder>();
  if (externalIds.length === 0) return known;
  const r = await client.query<{ id: number; name: string; vip: number; external_id: string }>(
    `SELECT DISTINCT ON (external_id) id, name, vip, external_id FROM contacts
     WHERE source = $1 AND external_id = ANY($2::text[]) AND (${POSTGRES_VISIBLE} OR import_id = $3)
     ORDER BY external_id, id`,
    [source, externalIds, importId],
  );
  for (const row of r.rows) known.set(row.external_id, { id: row.id, name: row.name, vip: row.vip === 1 });
  return known;
}

/** Inserts the new contacts; each gets its id (in input order: the ids are drawn as the rows are inserted). */
async function insertContacts(
  client: pg.ClientBase,
  importId: number,
  source: string,
  now: number,
  created: { holder: Holder; externalId: string | null }[],
): Promise<void> {
  if (created.length === 0) return;
  const r = await client.query<{ id: number }>(
    `INSERT INTO contacts (name, source, external_id, created_at, import_id)
     SELECT name, $3, external_id, $4, $5 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS c (name, external_id, n)
     ORDER BY n RETURNING id`,
    [created.map((c) => c.holder.name), created.map((c) => c.externalId), source, now, importId],
  );
  const ids = r.rows.map((row) => row.id).sort((a, b) => a - b);
  created.forEach((c, i) => {
    c.holder.id = ids[i];
  });
}

/** Inserts the rows; returns the keys of those inserted (a row another writer took meanwhile is not). */
async function insertEntries(client: pg.ClientBase, importId: number, now: number, rows: Row[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const params = rows.map((row) =>
    toParams(row.holder ? { ...row.entry, contactId: row.holder.id as number } : row.entry, now),
  );
  const column = <K extends keyof (typeof params)[number]>(k: K) => params.map((p) => p[k]);
  const r = await client.query<{ number: string; is_prefix: number; kind: string }>(
    `INSERT INTO entries (number, is_prefix, kind, action, cause, announcement, label, vip, note, source, contact_id,
       expires_at, created_at, updated_at, import_id)
     SELECT number, is_prefix, kind, action, cause, announcement, label, vip, note, source, contact_id, expires_at,
       $13, $13, $14
     FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::int[],
       $9::text[], $10::text[], $11::bigint[], $12::bigint[]) WITH ORDINALITY
       AS r (number, is_prefix, kind, action, cause, announcement, label, vip, note, source, contact_id, expires_at, n)
     ORDER BY n
     ON CONFLICT (number, is_prefix, kind) DO NOTHING
     RETURNING number, is_prefix, kind`,
    [
      column('number'),
      column('is_prefix'),
      column('kind'),
      column('action'),
      column('cause'),
      column('announcement'),
      column('label'),
      column('vip'),
      column('note'),
      column('source'),
      column('contact_id'),
      column('expires_at'),
      now,
      importId,
    ],
  );
  return new Set(r.rows.map((row) => keyOf({ ...row, prefix: row.is_prefix === 1 })));
}

/** Writes one batch of import `importId` inside the caller's transaction, adding to `total`. */
export async function writeImportBatch(
  client: pg.ClientBase,
  importId: number,
  source: string,
  items: readonly EntryImportItem[],
  now: number,
  total: EntryImportResult,
  skip: (entry: NewEntry) => void,
): Promise<void> {
  const all = items.flatMap((item) => (isCard(item) ? item.numbers : [item]));
  const taken = await takenKeys(client, all);
  const externalIds = items.flatMap((item) =>
    isCard(item) && item.contact.externalId !== undefined ? [item.contact.externalId] : [],
  );
  const known = await knownCards(client, importId, source, [...new Set(externalIds)]);
  const rows: Row[] = [];
  const created: { holder: Holder; externalId: string | null }[] = [];
  // In item order, as SQLite's loop: an entry written by an earlier item counts as taken for a later one.
  for (const item of items) {
    if (!isCard(item)) {
      const key = keyOf(item);
      if (taken.has(key)) {
        total.skipped++;
        skip(item);
      } else {
        taken.add(key);
        rows.push({ entry: item });
        total.added++;
      }
      continue;
    }
    const fresh = item.numbers.filter((n) => {
      if (!taken.has(keyOf(n))) return true;
      skip(n);
      return false;
    });
    const { externalId } = item.contact;
    let holder = externalId === undefined ? undefined : known.get(externalId);
    if (holder === undefined && fresh.length > 0) {
      holder = { name: item.contact.name, vip: false };
      created.push({ holder, externalId: externalId ?? null });
      if (externalId !== undefined) known.set(externalId, holder);
      total.contacts++;
    }
    let added = 0;
    if (holder !== undefined) {
      for (const n of fresh) {
        const key = keyOf(n);
        if (taken.has(key)) {
          skip(n); // twice on one card
          continue;
        }
        taken.add(key);
        rows.push({ entry: { ...n, label: n.label ?? holder.name, vip: holder.vip }, holder });
        added++;
      }
    }
    total.added += added;
    total.skipped += item.numbers.length - added;
  }
  await insertContacts(client, importId, source, now, created);
  const inserted = await insertEntries(client, importId, now, rows);
  // Taken by another writer (a node adding an entry by hand) between the check above and the insert.
  for (const row of rows) {
    if (inserted.has(keyOf(row.entry))) continue;
    total.added--;
    total.skipped++;
    skip(row.entry);
  }
}
