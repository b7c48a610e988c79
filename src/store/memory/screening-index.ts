/**
 * What screening reads — every personal entry and every hit of the lists in force — held in memory, for a node whose
 * store is across the network (issue 22, docs/scale-out.md): the call path then never waits on it. `lookup()` answers
 * exactly what the SQLite engine's `screening.lookup()` answers, in the same order (test/store/memory); the node keeps
 * the index current by applying each change the shared store announces (`putEntry`, `removeEntry`, `setList`).
 *
 * A node holds it for as long as it runs, and V8's major collections mark everything the heap holds: a million entries
 * as objects, strings and Maps made each one cost ~100 ms of marking and the node's CPU per call at c=50 ~10 % more
 * (bench/results/README.md). So the entries and the keys live in typed arrays (key-table.ts), outside the heap, and an
 * Entry object is made only when a lookup finds it.
 */
import type { ListHit, Matches } from '../../policy/types.js';
import type { Database } from '../database.js';
import { ENTRY_COLUMNS, type EntryRow, toEntry } from '../entries-repository.js';
import { VISIBLE } from '../import-visibility.js';
import { HITS_IN_FORCE, type HitRow, toHit } from '../lists-repository.js';
import { setOptional } from '../sql.js';
import type { StoredEntry } from '../types.js';
import { KeyTable, numberKey, numberOfKey } from './key-table.js';

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

type Column = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** `column` in an array of `length`, the rest zero. */
function grown<C extends Column>(column: C, length: number): C {
  const next = new (column.constructor as new (length: number) => C)(length);
  next.set(column);
  return next;
}

/**
 * Slots by number, exact numbers and prefixes apart; the slots under one number are chained (allow and block entries
 * of one number, one number on several lists). A lookup probes the one exact key, and of the caller's prefix keys only
 * those of a length some prefix has: a call probes two or three keys instead of every leading part of its number.
 */
class NumberKeys {
  private readonly exact = new KeyTable();
  private readonly prefixes = new KeyTable();
  /** Numbers that are not `+` and up to 15 digits (numberKey): rare, kept by their text. */
  private readonly oddExact = new Map<string, number>();
  private readonly oddPrefixes = new Map<string, number>();
  /** How many prefix keys have each length. */
  private readonly prefixLengths: number[] = [];
  /** The next slot under the same number; -1 ends the chain. */
  private next = new Int32Array(16);

  add(number: string, prefix: boolean, slot: number): void {
    if (slot >= this.next.length) this.next = grown(this.next, Math.max(slot + 1, this.next.length * 2));
    const head = this.head(number, prefix);
    if (head < 0 && prefix) this.prefixLengths[number.length] = (this.prefixLengths[number.length] ?? 0) + 1;
    this.next[slot] = head;
    this.setHead(number, prefix, slot);
  }

  remove(number: string, prefix: boolean, slot: number): void {
    const { next } = this;
    const head = this.head(number, prefix);
    if (head === slot) {
      const rest = next[slot] as number;
      this.setHead(number, prefix, rest);
      if (rest < 0 && prefix) this.prefixLengths[number.length] = (this.prefixLengths[number.length] as number) - 1;
      return;
    }
    for (let s = head; s >= 0; s = next[s] as number)
      if (next[s] === slot) {
        next[s] = next[slot] as number;
        return;
      }
  }

  /** Slots of `e164` (exact, and a prefix of exactly its digits), then of prefixes among `keys`. */
  find(e164: string, keys: readonly string[], found: (slot: number) => void): void {
    const { next } = this;
    const take = (head: number) => {
      for (let s = head; s >= 0; s = next[s] as number) found(s);
    };
    const hasPrefixOf = (key: string) => (this.prefixLengths[key.length] ?? 0) > 0;
    take(this.head(e164, false));
    if (hasPrefixOf(e164)) take(this.head(e164, true));
    for (const key of keys) if (key !== e164 && hasPrefixOf(key)) take(this.head(key, true));
  }

  private head(number: string, prefix: boolean): number {
    const key = numberKey(number);
    if (key < 0) return (prefix ? this.oddPrefixes : this.oddExact).get(number) ?? -1;
    return (prefix ? this.prefixes : this.exact).get(key, number.length);
  }

  /** `slot` heads the chain of `number` now; -1: none is left. */
  private setHead(number: string, prefix: boolean, slot: number): void {
    const key = numberKey(number);
    if (key < 0) {
      const odd = prefix ? this.oddPrefixes : this.oddExact;
      if (slot < 0) odd.delete(number);
      else odd.set(number, slot);
    } else {
      const table = prefix ? this.prefixes : this.exact;
      if (slot < 0) table.delete(key, number.length);
      else table.set(key, number.length, slot);
    }
  }
}

const PREFIX = 1;
const VIP = 2;
const BLOCK = 4;

/**
 * Rows in slots, each holding a number and found by it: what entries and list hits share. Their own fields are
 * columns indexed by slot (`columns()` names them, so they grow together); a removed row's slot is taken again first.
 */
abstract class NumberSlots {
  private capacity = 0;
  private top = 0;
  private readonly free: number[] = [];
  private numberKeys = new Float64Array(0);
  private numberLengths = new Uint8Array(0);
  /** Bit PREFIX, and whatever else the rows say in a bit. */
  protected flags = new Uint8Array(0);
  /** The numbers numberKey() cannot hold. */
  private readonly oddNumbers = new Map<number, string>();
  private readonly byNumber = new NumberKeys();

  protected abstract growColumns(capacity: number): void;

  protected take(number: string, flags: number): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.top++;
      if (slot >= this.capacity) {
        this.capacity = Math.max(1024, this.capacity * 2);
        this.numberKeys = grown(this.numberKeys, this.capacity);
        this.numberLengths = grown(this.numberLengths, this.capacity);
        this.flags = grown(this.flags, this.capacity);
        this.growColumns(this.capacity);
      }
    }
    const key = numberKey(number);
    this.numberKeys[slot] = key;
    this.numberLengths[slot] = number.length;
    if (key < 0) this.oddNumbers.set(slot, number);
    this.flags[slot] = flags;
    this.byNumber.add(number, (flags & PREFIX) !== 0, slot);
    return slot;
  }

  protected release(slot: number): void {
    this.byNumber.remove(this.number(slot), this.isPrefix(slot), slot);
    this.oddNumbers.delete(slot);
    this.free.push(slot);
  }

  protected number(slot: number): string {
    const key = this.numberKeys[slot] as number;
    return key < 0 ? (this.oddNumbers.get(slot) as string) : numberOfKey(key, this.numberLengths[slot] as number);
  }

  protected isPrefix(slot: number): boolean {
    return ((this.flags[slot] as number) & PREFIX) !== 0;
  }

  protected findSlots(e164: string, prefixes: readonly string[], found: (slot: number) => void): void {
    this.byNumber.find(e164, prefixes, found);
  }
}

/** The fields most entries do not have: kept per entry only when it has one of them. */
type Rare = Partial<
  Pick<StoredEntry, 'action' | 'cause' | 'announcement' | 'label' | 'note' | 'contactId' | 'expiresAt'>
>;

class EntrySlots extends NumberSlots {
  private ids = new Float64Array(0);
  private createdAt = new Float64Array(0);
  private updatedAt = new Float64Array(0);
  /** Index into sourceNames: a handful of names for all entries. */
  private sources = new Uint32Array(0);
  private readonly sourceNames: string[] = [];
  private readonly sourceIndex = new Map<string, number>();
  private readonly rare = new Map<number, Rare>();
  private readonly slotOf = new KeyTable();

  get size(): number {
    return this.slotOf.size;
  }

  protected growColumns(capacity: number): void {
    this.ids = grown(this.ids, capacity);
    this.createdAt = grown(this.createdAt, capacity);
    this.updatedAt = grown(this.updatedAt, capacity);
    this.sources = grown(this.sources, capacity);
  }

  put(entry: StoredEntry): void {
    this.remove(entry.id);
    const slot = this.take(
      entry.number,
      (entry.prefix ? PREFIX : 0) | (entry.vip ? VIP : 0) | (entry.kind === 'block' ? BLOCK : 0),
    );
    this.ids[slot] = entry.id;
    this.createdAt[slot] = entry.createdAt;
    this.updatedAt[slot] = entry.updatedAt;
    let source = this.sourceIndex.get(entry.source);
    if (source === undefined) {
      source = this.sourceNames.push(entry.source) - 1;
      this.sourceIndex.set(entry.source, source);
    }
    this.sources[slot] = source;
    const { action, cause, announcement, label, note, contactId, expiresAt } = entry;
    const rare: Rare = {};
    setOptional(rare, { action, cause, announcement, label, note, contactId, expiresAt });
    if (Object.keys(rare).length > 0) this.rare.set(slot, rare);
    this.slotOf.set(entry.id, 1, slot);
  }

  remove(id: number): void {
    const slot = this.slotOf.get(id, 1);
    if (slot < 0) return;
    this.release(slot);
    this.slotOf.delete(id, 1);
    this.rare.delete(slot);
  }

  /** Exact entries of `e164`, prefix entries of it or of any of `prefixes`. */
  find(e164: string, prefixes: readonly string[]): StoredEntry[] {
    const found: StoredEntry[] = [];
    this.findSlots(e164, prefixes, (slot) => found.push(this.entry(slot)));
    return found;
  }

  private entry(slot: number): StoredEntry {
    const flags = this.flags[slot] as number;
    const entry: StoredEntry = {
      id: this.ids[slot] as number,
      number: this.number(slot),
      prefix: (flags & PREFIX) !== 0,
      kind: (flags & BLOCK) !== 0 ? 'block' : 'allow',
      vip: (flags & VIP) !== 0,
      source: this.sourceNames[this.sources[slot] as number] as string,
      createdAt: this.createdAt[slot] as number,
      updatedAt: this.updatedAt[slot] as number,
    };
    const rare = this.rare.get(slot);
    return rare === undefined ? entry : Object.assign(entry, rare);
  }
}

/** What the hits of one list share, mostly: all but the number, its row id and its score. */
type HitTemplate = Omit<ListHit, 'entryId' | 'number' | 'prefix' | 'score'>;

/** The hits of the lists in force, in slots; the fields a list's hits share are kept once per list and label. */
class HitSlots extends NumberSlots {
  private entryIds = new Float64Array(0);
  private scores = new Float64Array(0);
  private templateOf = new Uint32Array(0);
  private readonly templates: (HitTemplate | undefined)[] = [];
  private readonly freeTemplates: number[] = [];
  /** Each list's slots and templates (by their fields), to replace a list at once when a new version switches in. */
  private readonly lists = new Map<number, { slots: Int32Array; count: number; templates: Map<string, number> }>();

  get size(): number {
    let n = 0;
    for (const list of this.lists.values()) n += list.count;
    return n;
  }

  protected growColumns(capacity: number): void {
    this.entryIds = grown(this.entryIds, capacity);
    this.scores = grown(this.scores, capacity);
    this.templateOf = grown(this.templateOf, capacity);
  }

  removeList(listId: number): void {
    const list = this.lists.get(listId);
    if (list === undefined) return;
    for (const slot of list.slots.subarray(0, list.count)) this.release(slot);
    for (const t of list.templates.values()) {
      this.templates[t] = undefined;
      this.freeTemplates.push(t);
    }
    this.lists.delete(listId);
  }

  add(hit: ListHit): void {
    let list = this.lists.get(hit.listId);
    if (list === undefined)
      this.lists.set(hit.listId, (list = { slots: new Int32Array(16), count: 0, templates: new Map() }));
    const { entryId, number, prefix, score, ...template } = hit;
    const shape = [
      template.listName,
      template.threshold,
      template.action,
      template.cause,
      template.announcement,
      template.label,
      template.live,
    ].join('\u0000');
    let t = list.templates.get(shape);
    if (t === undefined) {
      t = this.freeTemplates.pop() ?? this.templates.length;
      this.templates[t] = template;
      list.templates.set(shape, t);
    }
    const slot = this.take(number, prefix ? PREFIX : 0);
    this.entryIds[slot] = entryId;
    this.scores[slot] = score;
    this.templateOf[slot] = t;
    if (list.count === list.slots.length) list.slots = grown(list.slots, list.count * 2);
    list.slots[list.count++] = slot;
  }

  find(e164: string, prefixes: readonly string[]): ListHit[] {
    const found: ListHit[] = [];
    this.findSlots(e164, prefixes, (slot) => {
      const template = this.templates[this.templateOf[slot] as number] as HitTemplate;
      const hit = {
        entryId: this.entryIds[slot] as number,
        number: this.number(slot),
        prefix: this.isPrefix(slot),
        score: this.scores[slot] as number,
      };
      found.push(Object.assign(hit, template));
    });
    return found;
  }
}

export class ScreeningIndex {
  private readonly entries = new EntrySlots();
  private readonly hits = new HitSlots();

  get entryCount(): number {
    return this.entries.size;
  }

  get hitCount(): number {
    return this.hits.size;
  }

  lookup(e164: string, prefixes: readonly string[]): Matches {
    return {
      entries: this.entries.find(e164, prefixes).sort(entryOrder),
      lists: this.hits.find(e164, prefixes).sort(hitOrder),
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
    this.hits.removeList(listId);
    for (const hit of hits) this.addHit(hit);
  }

  /** One more hit of its list; loading adds them so, a batch of rows at a time. */
  addHit(hit: ListHit): void {
    this.hits.add(hit);
  }
}
/** Adds these rows (entries as screening sees them, hits of the lists in force) to `index`: either engine's read. */
export function addRows(index: ScreeningIndex, entries: Iterable<EntryRow>, hits: Iterable<HitRow>): ScreeningIndex {
  for (const row of entries) index.putEntry(toEntry(row));
  for (const row of hits) index.addHit(toHit(row));
  return index;
}

/** The index of what a SQLite database's screening sees now, read on one snapshot. */
export function loadScreeningIndex(db: Database): ScreeningIndex {
  return db.read(() =>
    addRows(
      new ScreeningIndex(),
      db.prepare<[], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE ${VISIBLE}`).iterate(),
      db.prepare<[], HitRow>(HITS_IN_FORCE).iterate(),
    ),
  );
}

/** One list's hits in force now (none when it is disabled or gone): what `setList` takes after a list changed. */
export function listHitsInForce(db: Database, listId: number): ListHit[] {
  return db.prepare<[number], HitRow>(`${HITS_IN_FORCE} AND l.id = ?`).all(listId).map(toHit);
}
