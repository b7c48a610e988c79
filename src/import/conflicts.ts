/**
 * Conflicts: callers both lists hold — the same number or prefix as an allow and a block entry, an exact number of
 * one kind inside a prefix of the other, or a prefix inside a prefix of the other kind. Only one of the two decides
 * such a call, and a person who imports a blocklist full of contacts (or blocks a contact's number) must be told
 * which. Who wins is the policy's own answer (bestEntry: exact beats prefix, the longer prefix beats the shorter,
 * allow beats block at equal specificity), asked for the two entries at the callers they share.
 */
import type { AppContext } from '../context.js';
import { bestEntry, specificity } from '../policy/match.js';
import type { Entry, EntryKind } from '../policy/types.js';
import type { StoredEntry } from '../store/index.js';
import { MAX_REPORTED } from './types.js';

/** Why the winner wins, in the policy's terms. */
export type ConflictWhy = 'allow beats block' | 'exact beats prefix' | 'longer prefix';

/** One side of a conflict: the entry, enough to name it and to remove it. */
export interface ConflictEntry {
  id: number;
  kind: EntryKind;
  number: string;
  prefix: boolean;
  label?: string;
  source: string;
  contactId?: number;
}

export interface Conflict {
  /** Where both lists hold the caller: the narrower of the two entries (an exact number, or the longer prefix). */
  number: string;
  prefix: boolean;
  /** The entry that decides a call from there, and the one that does not. */
  wins: ConflictEntry;
  loses: ConflictEntry;
  why: ConflictWhy;
}

export interface ConflictReport {
  /** The first MAX_REPORTED conflicts. */
  conflicts: Conflict[];
  conflictCount: number;
}

/** A number or prefix of one kind: an imported row, or an entry. */
export interface ConflictKey {
  number: string;
  prefix: boolean;
  kind: EntryKind;
}

/**
 * Rows checked between two turns of the event loop: looked up row by row (the slow way) each is a few index probes,
 * tens of µs on a Pi, so a batch stays around 10 ms and calls arriving during a big import are screened in time.
 */
const CONFLICT_BATCH = 500;
/**
 * Up to this many entries of the other kind, an import's conflicts are found from their side (see chooseWay): one
 * look per entry there, a few ms per thousand.
 */
const OTHER_SIDE_MAX = 50_000;
/** Conflicts held in memory when found from the other side; more (a wide prefix over a big list): row by row. */
const CANDIDATES_MAX = 200_000;
/** Ids per slice when reading the other side: a primary-key range of this many rows reads in a few ms. */
const SCAN_IDS = 20_000;
/** Conflicts listed per entry (the entries API, a single add): enough to name them; a range may hold thousands. */
export const MAX_PER_ENTRY = 20;

/** An expired entry decides nothing, so it conflicts with nothing (the policy ignores it the same way). */
const isExpired = (e: Entry, now: number) => typeof e.expiresAt === 'number' && e.expiresAt <= now;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function side(e: Entry): ConflictEntry {
  const out: ConflictEntry = { id: e.id, kind: e.kind, number: e.number, prefix: e.prefix, source: e.source };
  if (e.label !== undefined) out.label = e.label;
  if (e.contactId !== undefined) out.contactId = e.contactId;
  return out;
}

/** Two entries of opposite kinds that share callers (the store said so): who decides there, and why. */
export function judge(a: Entry, b: Entry, now: number): Conflict {
  // The narrower entry is where they meet: an exact number, else the longer prefix (it lies inside the other).
  const at = !a.prefix ? a : !b.prefix ? b : a.number.length >= b.number.length ? a : b;
  const wins = bestEntry([a, b], at.number, now) ?? a;
  const loses = wins === a ? b : a;
  const sw = specificity(wins.number, wins.prefix, at.number);
  const sl = specificity(loses.number, loses.prefix, at.number);
  const why: ConflictWhy = sw === sl ? 'allow beats block' : wins.prefix ? 'longer prefix' : 'exact beats prefix';
  return { number: at.number, prefix: at.prefix, wins: side(wins), loses: side(loses), why };
}

/** The conflicts of one stored entry (at most `limit`, oldest other entry first). */
export async function entryConflicts(ctx: AppContext, entry: StoredEntry, limit = MAX_PER_ENTRY): Promise<Conflict[]> {
  const now = ctx.clock();
  if (isExpired(entry, now)) return [];
  return (await ctx.store.entries.overlapping(entry, now, limit)).map((other) => judge(entry, other, now));
}

type Pair = [self: StoredEntry, other: StoredEntry];
/** How an import's rows of one kind are checked: not at all, one by one, or against conflicts found beforehand. */
type Way = 'none' | 'by-row' | Map<string, Pair[]>;

const keyOf = (k: { number: string; prefix: boolean }) => (k.prefix ? `${k.number}*` : k.number);
const opposite = (kind: EntryKind): EntryKind => (kind === 'allow' ? 'block' : 'allow');

/**
 * Every conflict between entries of `kind` and the entries of the other kind, found from the other side (one look
 * per entry there), keyed by the entry of `kind`; undefined when the other side has more than OTHER_SIDE_MAX
 * entries or the conflicts pass CANDIDATES_MAX (a wide prefix over a big list).
 */
async function fromOtherSide(
  ctx: AppContext,
  kind: EntryKind,
  now: number,
  otherSideMax: number,
): Promise<Map<string, Pair[]> | undefined> {
  const { entries } = ctx.store;
  const pairs = new Map<string, Pair[]>();
  const lastId = (await entries.list({ limit: 1 })).items[0]?.id ?? 0;
  let others = 0;
  let found = 0;
  for (let after = 0; after < lastId; after += SCAN_IDS) {
    for (const other of await entries.ofKindBetween(opposite(kind), after, after + SCAN_IDS)) {
      if (++others > otherSideMax) return undefined;
      if (isExpired(other, now)) continue;
      for (const self of await entries.overlapping(other, now, CANDIDATES_MAX + 1 - found)) {
        if (++found > CANDIDATES_MAX) return undefined;
        const key = keyOf(self);
        const list = pairs.get(key);
        if (list) list.push([self, other]);
        else pairs.set(key, [[self, other]]);
      }
    }
    await nextTurn();
  }
  return pairs;
}

/**
 * The cheaper way for rows of `kind`: the other kind is usually a few hundred contacts (or a few blocks) against an
 * import of up to a million rows, so its conflicts are found from its side and each row is then one map lookup;
 * rows are looked up one by one only when the other side is large.
 */
async function chooseWay(ctx: AppContext, kind: EntryKind, now: number, otherSideMax: number): Promise<Way> {
  const pairs = await fromOtherSide(ctx, kind, now, otherSideMax);
  if (pairs === undefined) return 'by-row';
  return pairs.size === 0 ? 'none' : pairs;
}

/** The conflicts of one row looked up as stored (a duplicate row is the entry that was there already). */
async function rowPairs(ctx: AppContext, row: ConflictKey, now: number): Promise<Pair[]> {
  const { entries } = ctx.store;
  const overlapping = await entries.overlapping(row, now, Number.MAX_SAFE_INTEGER);
  if (overlapping.length === 0) return [];
  const self = (await entries.findByNumber(row.number, row.prefix, row.kind))[0];
  if (self === undefined || isExpired(self, now)) return [];
  return overlapping.map((other) => [self, other]);
}

/**
 * The conflicts of an import's rows, after they were written: each pair once, the first MAX_REPORTED listed, all
 * counted. In batches with a turn of the event loop between them, so calls are screened meanwhile.
 */
export async function findConflicts(
  ctx: AppContext,
  rows: Iterable<ConflictKey> | AsyncIterable<ConflictKey>,
  { otherSideMax = OTHER_SIDE_MAX }: { otherSideMax?: number } = {},
): Promise<ConflictReport> {
  const report: ConflictReport = { conflicts: [], conflictCount: 0 };
  const now = ctx.clock();
  const ways: Partial<Record<EntryKind, Way>> = {};
  const seen = new Set<string>();
  const record = (pairs: readonly Pair[] | undefined) => {
    for (const [self, other] of pairs ?? []) {
      const pair = `${self.id}:${other.id}`;
      if (seen.has(pair)) continue;
      seen.add(pair);
      if (++report.conflictCount <= MAX_REPORTED) report.conflicts.push(judge(self, other, now));
    }
  };
  let inBatch = 0;
  // A plain loop for plain rows: `for await` would cost a promise per row (a second per million).
  const sync: Iterable<ConflictKey> | undefined = Symbol.iterator in rows ? rows : undefined;
  for (const row of sync ?? []) {
    if (++inBatch % CONFLICT_BATCH === 0) await nextTurn();
    const way = ways[row.kind] ?? (ways[row.kind] = await chooseWay(ctx, row.kind, now, otherSideMax));
    // Only a row looked up by itself waits for the store: a promise per row would cost a second per million.
    if (way === 'by-row') record(await rowPairs(ctx, row, now));
    else if (way !== 'none') record(way.get(keyOf(row)));
  }
  if (sync === undefined) {
    for await (const row of rows as AsyncIterable<ConflictKey>) {
      if (++inBatch % CONFLICT_BATCH === 0) await nextTurn();
      const way = ways[row.kind] ?? (ways[row.kind] = await chooseWay(ctx, row.kind, now, otherSideMax));
      if (way === 'by-row') record(await rowPairs(ctx, row, now));
      else if (way !== 'none') record(way.get(keyOf(row)));
    }
  }
  return report;
}
