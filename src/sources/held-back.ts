/**
 * "Never makes protection worse": answers that look wrong are held back, and the list in force stays. A person who
 * knows better accepts the answer (`callfilter sync <name> --accept`, or `?accept=true` on the API).
 */

/**
 * A list that comes back this much smaller at once is held back: a half-delivered or emptied list is far likelier
 * than nine in ten spammers giving up overnight.
 */
export const SHRINK_LIMIT = 0.9;
/** A list this small may shrink freely: its ups and downs are not a sign of anything. */
export const SHRINK_MIN_ROWS = 100;

/** The answer was not applied; the reason says why, for a person deciding whether to accept it. */
export class HeldBackError extends Error {
  override readonly name = 'HeldBackError';
}

/** Throws HeldBackError when `next` rows replacing `current` would shrink the list by SHRINK_LIMIT or more. */
export function checkShrink(current: number, next: number, what = 'the new list'): void {
  if (current < SHRINK_MIN_ROWS || next > current * (1 - SHRINK_LIMIT)) return;
  const percent = Math.round((1 - next / current) * 100);
  throw new HeldBackError(
    `${what} has ${next.toLocaleString('en')} numbers, ${percent} % fewer than the ${current.toLocaleString('en')} in force; the list in force stays (accept it if the shrink is real)`,
  );
}

/** Throws HeldBackError when an incremental answer would remove SHRINK_LIMIT of the list or more. */
export function checkRemovals(current: number, removals: number): void {
  if (current < SHRINK_MIN_ROWS || removals < current * SHRINK_LIMIT) return;
  throw new HeldBackError(
    `the update removes ${removals.toLocaleString('en')} of the ${current.toLocaleString('en')} numbers in force; the list in force stays (accept it if that is real)`,
  );
}
