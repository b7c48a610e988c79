/**
 * What screening reads — every personal entry and every hit of the lists in force — held in memory, for a node whose
 * store is across the network (issue 22, docs/scale-out.md): the call path then never waits on it. `lookup()` answers
 * exactly what the SQLite engine's `screening.lookup()` answers, in the same order (test/store/memory); the node keeps
 * the index current by applying each change the shared store announces (`putEntry`, `removeEntry`, `setList`).
 *
 * A node holds it for as long as it runs, and V8's major collections mark everything the heap holds: a million entries
 * as objects, strings and Maps made each one cost ~100 ms of marking and the node's CPU per call at c=50 ~10 % more
 * (bench/results/README.md). So the entries and the keys live in typed arrays (number-slots.ts, key-table.ts), outside
 * the heap, and an Entry object is made only when a lookup finds it.
 */
import type { ListHit, Matches } from '../../policy/types.js';
import type { Database } from '../database.js';
import { ENTRY_COLUMNS, type EntryRow, toEntry } from '../entries-repository.js';
import { VISIBLE } from '../import-visibility.js';
import { HITS_IN_FORCE, type HitRow, toHit } from '../lists-repository.js';
import { setOptional } from '../sql.js';
import type { StoredEntry } from '../types.js';
import { KeyTable } from './key-table.js';
import { grown, NumberSlots, PREFIX } from './number-slots.js';

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

const VIP = 2;
const BLOCK = 4;

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
