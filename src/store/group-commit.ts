/**
 * Group commit for the call log. Every call writes one row, and with SQLite most of a single-row write is the commit
 * (the changed table and index pages go to the WAL once per transaction). A row is queued when the call is decided
 * and written when somebody needs it written: its own call, before it tells Asterisk the row's id (screenCall's
 * `meanwhile`: the variables that do not need it go out first). Every row queued by then — the other calls decided
 * meanwhile — goes into the same transaction, so under load many calls share one commit; each caller learns its row id
 * only once its row is committed, so "durable before the AGI session ends" still holds row by row. A lone call asks
 * for its commit at once (`soon`). And no row waits longer than MAX_HOLD_MS, so a call whose Asterisk stopped
 * answering cannot keep it (and those queued with it) out of the log for the reply timeout.
 *
 * Measured (bench/results/README.md, "What the machinery earns"): committing each row on its own costs about a fifth
 * more CPU per call at c=50 and c=500.
 */

/** The longest a queued item waits for its commit when nobody asks for it. */
export const MAX_HOLD_MS = 50;

interface Entry<T, R> {
  item: T;
  /** The commit this item waits for: `round` when it was queued. */
  round: number;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions<T, R> {
  /** Writes every item in one transaction and returns their results in order. Throws if nothing was written. */
  commitAll(items: readonly T[]): R[];
  /** Writes one item on its own: after a failed batch, so one bad row cannot fail the calls that came with it. */
  commitOne(item: T): R;
  /** True for an error that every item would hit alike (the database is locked): no point in trying one by one. */
  sharedFailure(err: unknown): boolean;
}

/** A queued item. */
export interface Queued<R> {
  /** Resolves with the item's result once it is committed (asking for the commit if none is on its way yet). */
  committed(): Promise<R>;
}

export interface GroupCommit<T, R> {
  /**
   * Queues `item` for the next commit. Nothing is written until somebody calls `committed()` on this or another
   * queued item, or until the next turn of the event loop when `soon` is set. The caller must ask for `committed()`.
   */
  add(item: T, soon?: boolean): Queued<R>;
}

export function createGroupCommit<T, R>(options: GroupCommitOptions<T, R>): GroupCommit<T, R> {
  let queue: Entry<T, R>[] = [];
  /** Counts the commits taken from the queue; an entry queued in an earlier round is already written (or failed). */
  let round = 0;
  let scheduled = false;
  let holdTimer: NodeJS.Timeout | undefined;

  // One commit for everything queued when it runs; setImmediate gathers the calls that ask in the same turn.
  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  function flush(): void {
    scheduled = false;
    clearTimeout(holdTimer);
    holdTimer = undefined;
    const batch = queue;
    queue = [];
    round++;
    if (batch.length === 0) return;
    if (batch.length === 1) {
      settleOne(batch[0] as Entry<T, R>);
      return;
    }
    let results: R[];
    try {
      results = options.commitAll(batch.map((p) => p.item));
    } catch (err) {
      if (options.sharedFailure(err)) for (const p of batch) p.reject(err);
      else for (const p of batch) settleOne(p);
      return;
    }
    for (const [i, p] of batch.entries()) p.resolve(results[i] as R);
  }

  function settleOne(p: Entry<T, R>): void {
    try {
      p.resolve(options.commitOne(p.item));
    } catch (err) {
      p.reject(err);
    }
  }

  function add(item: T, soon = false): Queued<R> {
    let resolve!: (result: R) => void;
    let reject!: (err: unknown) => void;
    const result = new Promise<R>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Another call's commit may settle this one before its own call asks: not an unhandled rejection.
    result.catch(() => {});
    const entry: Entry<T, R> = { item, round, resolve, reject };
    queue.push(entry);
    if (soon) schedule();
    else if (!scheduled && holdTimer === undefined) holdTimer = setTimeout(schedule, MAX_HOLD_MS).unref();
    return {
      committed() {
        if (entry.round === round) schedule();
        return result;
      },
    };
  }

  return { add };
}
