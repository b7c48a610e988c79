/** Conflicts in the command line's words: one line each, the winner first, then the loser and why. */
import type { AppContext } from '../context.js';
import { type Conflict, type ConflictEntry, entryConflicts } from '../import/index.js';
import type { StoredEntry } from '../store/index.js';
import type { Out, ShowNumber } from './main.js';

/** Conflicts an import prints in full; the rest are counted (the API lists 100). */
const SHOWN = 20;

function side(e: ConflictEntry, number: ShowNumber): string {
  return [
    `${e.kind} #${e.id}`,
    number(e.number, e.prefix),
    ...(e.label ? [JSON.stringify(e.label)] : []),
    `[${e.source}]`,
  ].join(' ');
}

export function conflictLine(c: Conflict, number: ShowNumber): string {
  return `conflict at ${number(c.number, c.prefix)}: ${side(c.wins, number)} wins over ${side(c.loses, number)} (${c.why})`;
}

/** An import's conflicts: a count, the first SHOWN, and how many more. */
export function showConflicts(conflicts: readonly Conflict[], count: number, out: Out, number: ShowNumber): void {
  if (count === 0) return;
  out(
    `  ${count.toLocaleString('en')} ${count === 1 ? 'number is' : 'numbers are'} on both lists now; only the winner decides:`,
  );
  for (const c of conflicts.slice(0, SHOWN)) out(`    ${conflictLine(c, number)}`);
  if (count > SHOWN) out(`    … ${(count - SHOWN).toLocaleString('en')} more (the Lists page marks them all)`);
}

/** After adding or changing one entry: the entries of the other kind it now shares callers with, and who wins. */
export async function showEntryConflicts(
  ctx: AppContext,
  entry: StoredEntry,
  out: Out,
  number: ShowNumber,
): Promise<void> {
  for (const c of await entryConflicts(ctx, entry)) out(`  ${conflictLine(c, number)}`);
}
