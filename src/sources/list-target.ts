/**
 * Writing a sync's answer into its list, atomically and paced (DESIGN.md "Sources": the switch is atomic, no sync
 * holds the call path). A full answer replaces the rows through the store's versioned replace, which writes in short
 * transactions and switches in one; an incremental answer is applied in one transaction when it is small, and
 * otherwise merged into a full replace of the current rows, so a big update never holds the write lock (and this
 * process's event loop) for long.
 */
import type { AppContext } from '../context.js';
import type { ListEntryInput } from '../store/index.js';
import { yieldToEventLoop } from '../store/pacer.js';
import { checkRemovals, checkShrink } from './held-back.js';

/**
 * Changes applied in one transaction: about 50 ms here (a lookup and a write per row), a few times that on a
 * Raspberry Pi — still far inside the 1 s decision deadline of a call arriving meanwhile.
 */
export const SMALL_CHANGES = 1_000;
/** Rows read from the current list per query while merging. */
const PAGE = 1_000;

export interface Changes {
  upserts: ListEntryInput[];
  /** Exact numbers to remove. */
  removals: string[];
}

export interface Applied {
  /** Rows the list holds now. */
  rows: number;
  added: number;
  removed: number;
}

async function entryCount(ctx: AppContext, listId: number): Promise<number> {
  const list = await ctx.store.lists.get(listId);
  if (!list) throw new Error(`list ${listId} no longer exists (was it deleted?); delete the source or create it again`);
  return list.entryCount;
}

/**
 * Replaces the list's rows with `rows`. Unless `accept`, a list that shrinks by SHRINK_LIMIT is held back
 * (HeldBackError) before the switch: the rows written so far are dropped and the list in force stays.
 */
export async function replaceList(
  ctx: AppContext,
  listId: number,
  rows: AsyncIterable<ListEntryInput> | Iterable<ListEntryInput>,
  options: { accept?: boolean; signal: AbortSignal },
): Promise<Applied> {
  const current = await entryCount(ctx, listId);
  async function* checked(): AsyncGenerator<ListEntryInput> {
    let n = 0;
    for await (const row of rows) {
      n++;
      yield row;
    }
    if (!options.accept) checkShrink(current, n);
  }
  const result = await ctx.store.lists.replaceEntries(listId, checked(), { signal: options.signal });
  return { rows: result.added, added: result.added, removed: result.removed };
}

/** Applies an incremental answer (changed numbers, removed numbers). */
export async function applyChanges(
  ctx: AppContext,
  listId: number,
  changes: Changes,
  options: { accept?: boolean; signal: AbortSignal },
): Promise<Applied> {
  const current = await entryCount(ctx, listId);
  if (!options.accept) checkRemovals(current, changes.removals.length);
  if (changes.upserts.length + changes.removals.length <= SMALL_CHANGES) {
    const r = await ctx.store.lists.applyChanges(listId, {
      upsert: changes.upserts,
      remove: changes.removals.map((number) => ({ number, prefix: false })),
    });
    return { rows: current + r.added - r.removed, added: r.added, removed: r.removed };
  }
  const result = await replaceList(ctx, listId, merged(ctx, listId, changes), { accept: true, signal: options.signal });
  return { rows: result.rows, added: Math.max(0, result.rows - current), removed: Math.max(0, current - result.rows) };
}

/** The list's current rows with the changes applied, streamed page by page. */
async function* merged(ctx: AppContext, listId: number, changes: Changes): AsyncGenerator<ListEntryInput> {
  const upserts = new Map(changes.upserts.map((row) => [row.number, row]));
  const removals = new Set(changes.removals);
  let cursor: number | undefined;
  do {
    const page = await ctx.store.lists.entries(listId, { limit: PAGE, ...(cursor !== undefined && { cursor }) });
    for (const row of page.items) {
      if (row.prefix) {
        yield {
          number: row.number,
          prefix: true,
          score: row.score,
          ...(row.label !== undefined && { label: row.label }),
        };
        continue;
      }
      if (removals.has(row.number)) continue;
      const changed = upserts.get(row.number);
      upserts.delete(row.number);
      yield changed ?? { number: row.number, score: row.score, ...(row.label !== undefined && { label: row.label }) };
    }
    cursor = page.nextCursor;
    await yieldToEventLoop();
  } while (cursor !== undefined);
  yield* upserts.values();
}
