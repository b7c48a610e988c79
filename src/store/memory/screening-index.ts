/**
 * What screening reads — every personal entry and every hit of the lists in force — held in memory, for a node whose
 * store is across the network (issue 22, docs/scale-out.md): the call path then never waits on it. `lookup()` answers
 * exactly what the SQLite engine's `screening.lookup()` answers, in the same order (test/store/memory); the node keeps
 * the index current by applying each change the shared store announces (`putEntry`, `removeEntry`, `setList`).
 */
import type { ListHit, Matches } from '../../policy/types.js';
import type { Database } from '../database.js';
import { ENTRY_COLUMNS, type EntryRow, toEntry } from '../entries-repository.js';
import { VISIBLE } from '../import-visibility.js';
import { HITS_IN_FORCE, type HitRow, toHit } from '../lists-repository.js';
import type { StoredEntry } from '../types.js';

/** Exact before prefix, longer prefix first, then allow before block, then id: entries' matchSql ORDER BY. */
function entryOrder(a: StoredEntry, b: StoredEntry): number {
  return (
    Number(a.prefix) - Number(b.prefix) ||
    b.number.length - a.number.length ||
    (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) ||
    a.id - b.id
  );
}

/** Exact before prefix, longer prefix first, higher score, then list id and entry id: lists' matchSql ORDER BY. */
function hitOrder(a: ListHit, b: ListHit): number {
  return (
    Number(a.prefix) - Number(b.prefix) ||
    b.number.length - a.number.length ||
    b.score - a.score ||
    a.listId - b.listId ||
    a.entryId - b.entryId
  );
}

/** Rows by their number (an exact number and a prefix of the same digits share a key). */
class ByNumber<T extends { number: string }> {
  private readonly rows = new Map<string, T[]>();

  add(row: T): void {
    const at = this.rows.get(row.number);
    if (at) at.push(row);
    else this.rows.set(row.number, [row]);
  }

  remove(number: string, keep: (row: T) => boolean): void {
    const left = this.rows.get(number)?.filter(keep);
    if (left === undefined) return;
    if (left.length > 0) this.rows.set(number, left);
    else this.rows.delete(number);
  }

  /** Exact rows of `e164`, prefix rows of it or of any of `prefixes`. */
  find(e164: string, prefixes: readonly string[], isPrefix: (row: T) => boolean): T[] {
    const found: T[] = [];
    for (const row of this.rows.get(e164) ?? []) found.push(row);
    for (const key of prefixes) {
      if (key === e164) continue;
      for (const row of this.rows.get(key) ?? []) if (isPrefix(row)) found.push(row);
    }
    return found;
  }
}

export class ScreeningIndex {
  private readonly entries = new ByNumber<StoredEntry>();
  private readonly hits = new ByNumber<ListHit>();
  /** Where each entry is, to remove or replace it by id. */
  private readonly entryNumbers = new Map<number, string>();
  /** Each list's hits, to replace a list at once when a new version switches in. */
  private readonly lists = new Map<number, ListHit[]>();

  get entryCount(): number {
    return this.entryNumbers.size;
  }

  get hitCount(): number {
    let n = 0;
    for (const hits of this.lists.values()) n += hits.length;
    return n;
  }

  lookup(e164: string, prefixes: readonly string[]): Matches {
    return {
      entries: this.entries.find(e164, prefixes, (e) => e.prefix).sort(entryOrder),
      lists: this.hits.find(e164, prefixes, (h) => h.prefix).sort(hitOrder),
    };
  }

  /** Adds an entry, or replaces the one with its id (its number may have changed). */
  putEntry(entry: StoredEntry): void {
    this.removeEntry(entry.id);
    this.entries.add(entry);
    this.entryNumbers.set(entry.id, entry.number);
  }

  removeEntry(id: number): void {
    const number = this.entryNumbers.get(id);
    if (number === undefined) return;
    this.entries.remove(number, (e) => e.id !== id);
    this.entryNumbers.delete(id);
  }

  /** A list's hits as they are now in force (none: the list is gone, disabled, or has no version yet). */
  setList(listId: number, hits: readonly ListHit[]): void {
    for (const old of this.lists.get(listId) ?? []) this.hits.remove(old.number, (h) => h.listId !== listId);
    if (hits.length === 0) {
      this.lists.delete(listId);
      return;
    }
    for (const hit of hits) this.hits.add(hit);
    this.lists.set(listId, [...hits]);
  }
}

/** The index of what a SQLite database's screening sees now, read on one snapshot. */
export function loadScreeningIndex(db: Database): ScreeningIndex {
  const index = new ScreeningIndex();
  db.read(() => {
    for (const row of db.prepare<[], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE ${VISIBLE}`).iterate())
      index.putEntry(toEntry(row));
    const byList = new Map<number, ListHit[]>();
    for (const row of db.prepare<[], HitRow>(HITS_IN_FORCE).iterate()) {
      const hit = toHit(row);
      const hits = byList.get(hit.listId);
      if (hits) hits.push(hit);
      else byList.set(hit.listId, [hit]);
    }
    for (const [listId, hits] of byList) index.setList(listId, hits);
  });
  return index;
}

/** One list's hits in force now (none when it is disabled or gone): what `setList` takes after a list changed. */
export function listHitsInForce(db: Database, listId: number): ListHit[] {
  return db.prepare<[number], HitRow>(`${HITS_IN_FORCE} AND l.id = ?`).all(listId).map(toHit);
}
