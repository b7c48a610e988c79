/**
 * Group commit for the call log. Every call writes one row, and with SQLite most of a single-row write is the commit
 * (the changed table and index pages go to the WAL once per transaction). A row is committed right after the turn of
 * the event loop it was written in, together with every row written in that turn — under load, the rows of the calls
 * decided meanwhile share one transaction — and each writer learns its row id only once its row is committed, so
 * "durable before the AGI session ends" holds row by row.
 */

interface Entry<T, R> {
  item: T;
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

export interface GroupCommit<T, R> {
  /** Resolves with the item's result once it is committed, with the other items written in this turn. */
  write(item: T): Promise<R>;
}

export function createGroupCommit<T, R>(options: GroupCommitOptions<T, R>): GroupCommit<T, R> {
  let queue: Entry<T, R>[] = [];

  function flush(): void {
    const batch = queue;
    queue = [];
    if (batch.length === 1) return settleOne(batch[0] as Entry<T, R>);
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

  return {
    write(item) {
      return new Promise<R>((resolve, reject) => {
        // setImmediate gathers the rows written in this turn: one commit for all of them.
        if (queue.length === 0) setImmediate(flush);
        queue.push({ item, resolve, reject });
      });
    },
  };
}
