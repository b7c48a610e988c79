/**
 * Sizes the transactions of long jobs (list imports, deleting a list version) by time, not by a row count that is
 * right for one machine only: each transaction aims at TX_BUDGET_MS, because better-sqlite3 blocks the event loop
 * while it runs — a call arriving meanwhile waits that long for its lookup (the decision deadline is 1 s).
 * Random-order index inserts cost 10–50 µs a row here and several times that on a Raspberry Pi.
 */
export const TX_BUDGET_MS = 50;
const MIN_ROWS = 100;
const START_ROWS = 1000;

export interface Pacer {
  /** Rows for the next transaction. */
  readonly size: number;
  /** Runs one transaction of `size` rows (or fewer, at the end) and adapts the size to how long it took. */
  timed<T>(fn: () => T): T;
}

export function createPacer(maxRows: number, budgetMs = TX_BUDGET_MS): Pacer {
  const max = Math.max(1, Math.trunc(maxRows));
  let size = Math.min(START_ROWS, max);
  return {
    get size() {
      return size;
    },
    timed(fn) {
      const started = performance.now();
      const result = fn();
      const elapsed = Math.max(performance.now() - started, 1);
      // Shrink at once when over budget, grow at most 2× per step.
      const ideal = Math.min((size * budgetMs) / elapsed, size * 2);
      size = Math.max(Math.min(Math.round(ideal), max), Math.min(MIN_ROWS, max));
      return result;
    },
  };
}

/** Lets pending I/O (an AGI call, a log write) run between two transactions. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** How long each transaction of a job aims at (ms), and how many times as long the job rests after it. */
export interface Pace {
  budgetMs: number;
  restFactor: number;
}

/**
 * A job in the service (an import into the entries, pruning the call log). A call's AGI session waits for the event
 * loop about six times (its environment, then one reply per command): a transaction met on each of them must still
 * leave the call well inside its budget, and the rest lets most calls meet none.
 */
export const CALL_PATH_PACE: Pace = { budgetMs: 5, restFactor: 2 };
/**
 * A process that screens no calls (the command line) only holds up the service's call-log write, which waits for
 * the write lock in SQLite's busy handler: it tries again after 1, 2, 5, 10, 15, 20, 25 ms… and gives up after
 * busy_timeout (database.ts). Transactions of TX_BUDGET_MS with a gap of 0.4 times that (about 20 ms) after each: a
 * gap narrower than about 15 ms can fall between two tries every time, and the call fails open.
 */
export const BULK_PACE: Pace = { budgetMs: TX_BUDGET_MS, restFactor: 0.4 };

/** Waits `restFactor` times as long as the transaction that started at `started` (performance.now()) took. */
export function rest(pace: Pace, started: number): Promise<void> {
  const ms = Math.round((performance.now() - started) * pace.restFactor);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
