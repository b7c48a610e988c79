/**
 * The display form beside each E.164 number the page reads (entries, conflicts, call rows, explain, stats): the field
 * `x` gets `xNational`, the number as people at home write it (`030 1234567`; a foreign one `+44 20 7946 0018`; a
 * prefix without its `*`, like `number`). The page has no libphonenumber to do it (it loads no bundle), so the server
 * formats with the home country in force.
 */
import type { Conflict, ConflictEntry } from '../import/index.js';
import { displayNumber, type NumberingConfig, nationalNumber } from '../numbers/index.js';

export type WithNational<T> = T & { numberNational: string };

/** An entry, a conflict's side, or anything with a number and whether it is a prefix. */
export function withNational<T extends { number: string; prefix: boolean }>(
  item: T,
  cfg: NumberingConfig,
): WithNational<T> {
  return { ...item, numberNational: displayNumber(item.number, item.prefix, cfg) };
}

export interface ConflictView extends WithNational<Omit<Conflict, 'wins' | 'loses'>> {
  wins: WithNational<ConflictEntry>;
  loses: WithNational<ConflictEntry>;
}

export function conflictView(c: Conflict, cfg: NumberingConfig): ConflictView {
  return { ...withNational(c, cfg), wins: withNational(c.wins, cfg), loses: withNational(c.loses, cfg) };
}

/** `callerNational`, `didNational`…: the field `key` of `item`, when it is set, in its display form. */
export function nationalOf(value: string | undefined, cfg: NumberingConfig): string | undefined {
  return value === undefined ? undefined : nationalNumber(value, cfg);
}
