/** What the CSV worker (csv-worker.ts) and its parent (worker-rows.ts) exchange. */
import type { RejectedRow } from './types.js';

/** Rows per message: large enough that messaging costs nothing per row, small enough to stay a few hundred KB. */
export const BATCH_ROWS = 5000;
/** Batches posted but not yet taken before the worker waits: a little read-ahead, bounded memory. */
export const MAX_IN_FLIGHT = 4;
/** Indexes into the shared Int32Array: batches posted by the worker, batches taken by the parent. */
export const POSTED = 0;
export const TAKEN = 1;

export type WorkerMessage =
  | {
      type: 'rows';
      bytes: number;
      numbers: string[];
      flags: number[];
      labels: (string | null)[];
      notes: (string | null)[];
      scores: (number | null)[];
    }
  | { type: 'end'; bytes: number; count: number; rejected: RejectedRow[]; rejectedCount: number }
  | { type: 'fail'; message: string };
