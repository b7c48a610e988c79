/**
 * Group commit for the call log. Every call writes one row, and with SQLite most of a single-row write is the commit
 * (the changed table and index pages go to the WAL once per transaction). Rows queued during one turn of the event
 * loop — the calls whose environment arrived in the same poll — are written in one transaction right after it
 * (setImmediate), and each caller's promise settles only when its row is committed, so "durable before the AGI
 * session ends" still holds row by row. A lone call pays one setImmediate hop (microseconds); fifty concurrent
 * calls share one commit.
 */

interface Pending<T, R> {
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
  /** Queues `item`; resolves with its result once committed, rejects with the error that kept it out. */
  write(item: T): Promise<R>;
  /** Items queued and not yet committed. */
  readonly pending: number;
}

export function createGroupCommit<T, R>(options: GroupCommitOptions<T, R>): GroupCommit<T, R> {
  let queue: Pending<T, R>[] = [];

  function flush(): void {
    const batch = queue;
    queue = [];
    if (batch.length === 1) {
      settleOne(batch[0] as Pending<T, R>);
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
    batch.forEach((p, i) => p.resolve(results[i] as R));
  }

  function settleOne(p: Pending<T, R>): void {
    try {
      p.resolve(options.commitOne(p.item));
    } catch (err) {
      p.reject(err);
    }
  }

  return {
    write(item) {
      return new Promise<R>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ item, resolve, reject });
      });
    },
    get pending() {
      return queue.length;
    },
  };
}
