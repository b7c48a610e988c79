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

/**
 * Values by number, exact numbers and prefixes apart. A lookup probes the one exact key, and of the caller's prefix
 * keys only those of a length some prefix has: a million exact entries share their map with no prefix, and a call
 * probes two or three keys instead of every leading part of its number (each probe of a map that size is a cache
 * miss). A value is kept alone until a second one shares its key: most numbers have one entry.
 */
class NumberKeys<V> {
  private readonly exact = new Map<string, V | V[]>();
  private readonly prefixes = new Map<string, V | V[]>();
  /** How many prefix keys have each length. */
  private readonly prefixLengths: number[] = [];

  add(number: string, prefix: boolean, value: V): void {
    const map = prefix ? this.prefixes : this.exact;
    const at = map.get(number);
    if (at === undefined) {
      map.set(number, value);
      if (prefix) this.prefixLengths[number.length] = (this.prefixLengths[number.length] ?? 0) + 1;
    } else map.set(number, Array.isArray(at) ? [...at, value] : [at, value]);
  }

  remove(number: string, prefix: boolean, keep: (value: V) => boolean): void {
    const map = prefix ? this.prefixes : this.exact;
    const at = map.get(number);
    if (at === undefined) return;
    const left = (Array.isArray(at) ? at : [at]).filter(keep);
    if (left.length > 1) map.set(number, left);
    else if (left.length === 1) map.set(number, left[0] as V);
    else {
      map.delete(number);
      if (prefix) this.prefixLengths[number.length] = (this.prefixLengths[number.length] as number) - 1;
    }
  }

  /** Values of `e164` (exact, and a prefix of exactly its digits), then of prefixes among `keys`. */
  find(e164: string, keys: readonly string[], found: (value: V) => void): void {
    const take = (at: V | V[] | undefined) => {
      if (at === undefined) return;
      if (Array.isArray(at)) for (const v of at) found(v);
      else found(at);
    };
    take(this.exact.get(e164));
    take(this.prefixGet(e164));
    for (const key of keys) if (key !== e164) take(this.prefixGet(key));
  }

  private prefixGet(key: string): V | V[] | undefined {
    return (this.prefixLengths[key.length] ?? 0) > 0 ? this.prefixes.get(key) : undefined;
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
  /** Slots by number (several when entries share one: allow and block). */
  private readonly byNumber = new NumberKeys<number>();
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
    this.byNumber.add(entry.number, entry.prefix, slot);
  }

  remove(id: number): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    const prefix = ((this.flags[slot] as number) & PREFIX) !== 0;
    this.byNumber.remove(this.numbers[slot] as string, prefix, (s) => s !== slot);
    this.slotOf.delete(id);
    this.rare[slot] = undefined;
    this.free.push(slot);
  }

  /** Exact entries of `e164`, prefix entries of it or of any of `prefixes`. */
  find(e164: string, prefixes: readonly string[]): StoredEntry[] {
    const found: StoredEntry[] = [];
    this.byNumber.find(e164, prefixes, (slot) => found.push(this.entry(slot)));
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
  private readonly hits = new NumberKeys<ListHit>();
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
    const lists: ListHit[] = [];
    this.hits.find(e164, prefixes, (hit) => lists.push(hit));
    return { entries: this.entries.find(e164, prefixes).sort(entryOrder), lists: lists.sort(hitOrder) };
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
    for (const old of this.lists.get(listId) ?? [])
      this.hits.remove(old.number, old.prefix, (h) => h.listId !== listId);
    if (hits.length === 0) {
      this.lists.delete(listId);
      return;
    }
    for (const hit of hits) this.hits.add(hit.number, hit.prefix, hit);
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
