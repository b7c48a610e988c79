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
import { setOptional } from '../sql.js';
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

/** The fields most entries do not have: kept per entry only when it has one of them. */
type Rare = Partial<
  Pick<StoredEntry, 'action' | 'cause' | 'announcement' | 'label' | 'note' | 'contactId' | 'expiresAt'>
>;

const PREFIX = 1;
const VIP = 2;
const BLOCK = 4;

/**
 * The entries in columns, one slot per entry, and an Entry object made only when a lookup finds it: a million entries
 * as objects took ~350 MB of heap and made the collector's pauses the decision's p99.
 */
class EntryColumns {
  private readonly ids: number[] = [];
  private readonly numbers: string[] = [];
  private readonly flags: number[] = [];
  private readonly createdAt: number[] = [];
  private readonly updatedAt: number[] = [];
  private readonly sources: string[] = [];
  private readonly rare: (Rare | undefined)[] = [];
  /** Slots of removed entries, taken again before the columns grow. */
  private readonly free: number[] = [];
  private readonly slotOf = new Map<number, number>();
  /** Slot, or slots when several entries share a number (an exact entry and a prefix, allow and block). */
  private readonly byNumber = new Map<string, number | number[]>();
  /** One string per source name instead of one per row. */
  private readonly sourceNames = new Map<string, string>();

  get size(): number {
    return this.slotOf.size;
  }

  put(entry: StoredEntry): void {
    this.remove(entry.id);
    const slot = this.free.pop() ?? this.ids.length;
    this.ids[slot] = entry.id;
    this.numbers[slot] = entry.number;
    this.flags[slot] = (entry.prefix ? PREFIX : 0) | (entry.vip ? VIP : 0) | (entry.kind === 'block' ? BLOCK : 0);
    this.createdAt[slot] = entry.createdAt;
    this.updatedAt[slot] = entry.updatedAt;
    let source = this.sourceNames.get(entry.source);
    if (source === undefined) this.sourceNames.set(entry.source, (source = entry.source));
    this.sources[slot] = source;
    const { action, cause, announcement, label, note, contactId, expiresAt } = entry;
    const rare: Rare = {};
    setOptional(rare, { action, cause, announcement, label, note, contactId, expiresAt });
    this.rare[slot] = Object.keys(rare).length > 0 ? rare : undefined;
    this.slotOf.set(entry.id, slot);
    const at = this.byNumber.get(entry.number);
    this.byNumber.set(entry.number, at === undefined ? slot : Array.isArray(at) ? [...at, slot] : [at, slot]);
  }

  remove(id: number): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    const number = this.numbers[slot] as string;
    const at = this.byNumber.get(number);
    const left = Array.isArray(at) ? at.filter((s) => s !== slot) : [];
    if (left.length === 0) this.byNumber.delete(number);
    else this.byNumber.set(number, left.length === 1 ? (left[0] as number) : left);
    this.slotOf.delete(id);
    this.rare[slot] = undefined;
    this.free.push(slot);
  }

  /** Exact entries of `e164`, prefix entries of it or of any of `prefixes`. */
  find(e164: string, prefixes: readonly string[]): StoredEntry[] {
    const found: StoredEntry[] = [];
    const take = (key: string, exactToo: boolean) => {
      const at = this.byNumber.get(key);
      if (at === undefined) return;
      for (const slot of Array.isArray(at) ? at : [at])
        if (exactToo || ((this.flags[slot] as number) & PREFIX) !== 0) found.push(this.entry(slot));
    };
    take(e164, true);
    for (const key of prefixes) if (key !== e164) take(key, false);
    return found;
  }

  private entry(slot: number): StoredEntry {
    const flags = this.flags[slot] as number;
    const entry: StoredEntry = {
      id: this.ids[slot] as number,
      number: this.numbers[slot] as string,
      prefix: (flags & PREFIX) !== 0,
      kind: (flags & BLOCK) !== 0 ? 'block' : 'allow',
      vip: (flags & VIP) !== 0,
      source: this.sources[slot] as string,
      createdAt: this.createdAt[slot] as number,
      updatedAt: this.updatedAt[slot] as number,
    };
    const rare = this.rare[slot];
    return rare === undefined ? entry : Object.assign(entry, rare);
  }
}

export class ScreeningIndex {
  private readonly entries = new EntryColumns();
  private readonly hits = new ByNumber<ListHit>();
  /** Each list's hits, to replace a list at once when a new version switches in. */
  private readonly lists = new Map<number, ListHit[]>();

  get entryCount(): number {
    return this.entries.size;
  }

  get hitCount(): number {
    let n = 0;
    for (const hits of this.lists.values()) n += hits.length;
    return n;
  }

  lookup(e164: string, prefixes: readonly string[]): Matches {
    return {
      entries: this.entries.find(e164, prefixes).sort(entryOrder),
      lists: this.hits.find(e164, prefixes, (h) => h.prefix).sort(hitOrder),
    };
  }

  /** Adds an entry, or replaces the one with its id (its number may have changed). */
  putEntry(entry: StoredEntry): void {
    this.entries.put(entry);
  }

  removeEntry(id: number): void {
    this.entries.remove(id);
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

/** An index of these rows (entries as screening sees them, the hits of the lists in force): either engine's read. */
export function indexRows(entries: Iterable<EntryRow>, hits: Iterable<HitRow>): ScreeningIndex {
  const index = new ScreeningIndex();
  for (const row of entries) index.putEntry(toEntry(row));
  const byList = new Map<number, ListHit[]>();
  for (const row of hits) {
    const hit = toHit(row);
    const list = byList.get(hit.listId);
    if (list) list.push(hit);
    else byList.set(hit.listId, [hit]);
  }
  for (const [listId, list] of byList) index.setList(listId, list);
  return index;
}

/** The index of what a SQLite database's screening sees now, read on one snapshot. */
export function loadScreeningIndex(db: Database): ScreeningIndex {
  return db.read(() =>
    indexRows(
      db.prepare<[], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE ${VISIBLE}`).iterate(),
      db.prepare<[], HitRow>(HITS_IN_FORCE).iterate(),
    ),
  );
}

/** One list's hits in force now (none when it is disabled or gone): what `setList` takes after a list changed. */
export function listHitsInForce(db: Database, listId: number): ListHit[] {
  return db.prepare<[number], HitRow>(`${HITS_IN_FORCE} AND l.id = ?`).all(listId).map(toHit);
}
