/** What the WAL checkpointer (checkpointer.ts) and its worker thread (checkpointer-worker.ts) share. */
/** Int32 slots of the shared buffer: read without a message, so a busy event loop cannot make them late. */
export const CLOSED = 0; // 1 once the worker's connection is closed: stop() waits for it
export const TICKS = 1; // checkpoints run so far: the heartbeat
export const SLOTS = 2;

export interface CheckpointerData {
  file: string;
  /** `dev:ino` of the database file and of its -wal as the service has them open: the worker touches no other. */
  fileId: string;
  walId: string;
  intervalMs: number;
  cacheKib: number;
  shared: SharedArrayBuffer;
}

export type ToWorker = { type: 'stop' };
export type FromWorker = { type: 'ready' } | { type: 'lost'; reason: string };
