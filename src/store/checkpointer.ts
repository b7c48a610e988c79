/**
 * WAL checkpoints off the call path. SQLite's automatic checkpoint (wal_autocheckpoint, 1000 pages) runs inside
 * whichever commit crosses the threshold: every ~140th call's log write took 4–8 ms instead of ~0.2 ms, and that was
 * the p99 of a call. Instead a worker thread (checkpointer-worker.ts) with a connection of its own runs PASSIVE
 * checkpoints — which never block the writer — a few times a second, and the service's connection keeps the
 * automatic checkpoint only as a backstop (BACKSTOP_PAGES).
 *
 * Fail safe: the service's connection goes back to SQLite's default (1000 pages), with one warn line, whenever the
 * worker is not known to be doing the job — it did not start, failed, exited, or the file at the path is no longer
 * the one open (file-guard.ts then reopens the store, and the new Database starts a checkpointer of its own) — and
 * while it has not checkpointed for stallMs (stuck; back to the backstop once it ticks again).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import {
  type CheckpointerData,
  CLOSED,
  type FromWorker,
  SLOTS,
  TICKS,
  type ToWorker,
} from './checkpointer-protocol.js';
import type { Database } from './database.js';
import { fileId } from './file-id.js';

/**
 * The worker is compiled JavaScript. From the TypeScript sources (tests under vitest) a Worker cannot load
 * checkpointer-worker.ts, so the compiled one in dist/ is used — npm test builds first, as for the tests that run
 * dist/src/server.js. Without it the worker fails to start and SQLite checkpoints as before (fail safe).
 */
export const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/src/store/checkpointer-worker.js', import.meta.url)
  : new URL('./checkpointer-worker.js', import.meta.url);
/**
 * Between checkpoints. Each one syncs the database file, which slows the service's own WAL writes a little (one
 * disk): checkpointing every few ms measured clearly worse, 100 ms slightly worse than 200 ms. Longer leaves more
 * for the backstop to copy inline. At 1000 calls/s, 200 ms is ~1,500 pages per checkpoint.
 */
export const CHECKPOINT_INTERVAL_MS = 200;
/** SQLite's default: what the service's connection goes back to whenever the worker is not doing the job. */
export const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
/**
 * wal_autocheckpoint of the service's connection while the worker runs: a backstop, not 0. Only a write that starts
 * while the WAL is wholly copied back restarts the WAL from its beginning, and a checkpoint from another connection
 * rarely leaves it so under steady load — calls commit while it runs. Measured with 0: the WAL grew to 23 MiB in
 * 30 s at 300 inserts/s, past 128 MiB at 1000/s. At 10,000 pages (~40 MiB, below journal_size_limit) a commit
 * checkpoints inline and the WAL restarts, but it copies only what the worker has not (about one interval's
 * writes), and ten times less often than SQLite's default.
 */
export const BACKSTOP_PAGES = 10_000;
/**
 * The worker's page cache: a checkpoint copies WAL frames to the database file through its own buffer, not the
 * cache. 256 KiB keeps the thread small (the service's RSS budget is 200 MB).
 */
const WORKER_CACHE_KIB = 256;
/** The worker holds a handful of objects: a small heap keeps its memory to the bare Node thread (~10 MB). */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2, stackSizeMb: 1 };
/**
 * No checkpoint for this long is a stuck worker: SQLite's default comes back, lest the backstop copy 40 MiB inside
 * a call. One checkpoint of a huge WAL (after a bulk import from the command line) can take that long on an SD
 * card; falling back then costs nothing, as the automatic checkpoint finds the worker's lock and returns at once.
 */
const STALL_MS = 5_000;
/** How long close() waits for the worker to close its connection first; a tick's checkpoint is milliseconds. */
const STOP_WAIT_MS = 500;

/**
 * starting → active ⇄ stalled; any → failed (for good) or stopped (close). Only `active` has the backstop; every
 * other state has SQLite's default.
 */
export type CheckpointerState = 'starting' | 'active' | 'stalled' | 'failed' | 'stopped';

export interface CheckpointerOptions {
  intervalMs?: number;
  stallMs?: number;
  /** Another worker script (tests: one that cannot start, or one that fails on cue). */
  workerUrl?: URL;
}

export interface Checkpointer {
  readonly state: CheckpointerState;
  /** Resolves once the worker thread has ended (after stop(), or a failure). */
  readonly exited: Promise<void>;
  /** Idempotent. Waits (at most STOP_WAIT_MS) for the worker to close its connection, so the caller's close is last. */
  stop(): void;
}

export function startCheckpointer(db: Database, options: CheckpointerOptions = {}): Checkpointer {
  const log: Logger | undefined = db.logger;
  const stallMs = options.stallMs ?? STALL_MS;
  const shared = new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
  const slots = new Int32Array(shared);
  let state: CheckpointerState = 'starting';
  let worker: Worker | undefined;
  let alive = false;
  let ticks = 0;
  let progressAt = performance.now();
  let resolveExited: () => void = () => {};
  const exited = new Promise<void>((resolve) => (resolveExited = resolve));

  function autocheckpoint(pages: number): void {
    try {
      if (db.handle.open) db.handle.pragma(`wal_autocheckpoint = ${pages}`);
    } catch (err) {
      log?.warn({ err }, 'could not set wal_autocheckpoint');
    }
  }

  function fail(reason: string, err?: unknown): void {
    if (state === 'failed' || state === 'stopped') return;
    state = 'failed';
    clearInterval(watch);
    autocheckpoint(SQLITE_AUTOCHECKPOINT_PAGES);
    log?.warn(
      { ...(err !== undefined && { err }), file: db.file, reason },
      'WAL checkpointer stopped; SQLite checkpoints automatically again',
    );
    void worker?.terminate();
  }

  /** The heartbeat, read from the shared slot: a message would queue behind a busy event loop and look late. */
  function watchdog(): void {
    if (state !== 'active' && state !== 'stalled') return;
    const now = performance.now();
    const seen = Atomics.load(slots, TICKS);
    if (seen !== ticks) [ticks, progressAt] = [seen, now];
    const stalled = now - progressAt > stallMs;
    if (stalled === (state === 'stalled')) return;
    state = stalled ? 'stalled' : 'active';
    autocheckpoint(stalled ? SQLITE_AUTOCHECKPOINT_PAGES : BACKSTOP_PAGES);
    if (stalled)
      log?.warn(
        { file: db.file, stallMs },
        'the WAL checkpointer is stuck; SQLite checkpoints automatically until it goes on',
      );
    else log?.info({ file: db.file }, 'the WAL checkpointer goes on again');
  }

  function onMessage(message: FromWorker): void {
    if (message.type === 'lost') return fail(message.reason);
    if (state !== 'starting') return;
    progressAt = performance.now();
    state = 'active';
    autocheckpoint(BACKSTOP_PAGES);
    log?.debug({ file: db.file }, 'WAL checkpoints run in a worker thread');
  }

  // A few looks per stall period: a stuck worker is noticed within 1.25 × stallMs.
  const watch = setInterval(watchdog, stallMs / 4).unref();
  try {
    const id = fileId(db.file);
    const walId = fileId(`${db.file}-wal`);
    if (!id || !walId) throw new Error('the database file or its -wal is not at the path');
    const data: CheckpointerData = {
      file: db.file,
      fileId: id,
      walId,
      intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
      cacheKib: WORKER_CACHE_KIB,
      shared,
    };
    worker = new Worker(options.workerUrl ?? WORKER_URL, { workerData: data, resourceLimits: WORKER_LIMITS });
    alive = true;
    worker.unref(); // never keeps the process from exiting
    worker.on('message', onMessage);
    worker.on('error', (err) => fail('the worker failed', err));
    worker.on('exit', (code) => {
      alive = false;
      resolveExited();
      fail(`the worker exited (code ${code})`);
    });
  } catch (err) {
    fail('the worker could not start', err);
    resolveExited();
  }

  return {
    get state() {
      return state;
    },
    exited,
    stop() {
      if (state === 'stopped') return;
      const failed = state === 'failed'; // already terminated, or closing its connection by itself
      state = 'stopped';
      clearInterval(watch);
      autocheckpoint(SQLITE_AUTOCHECKPOINT_PAGES);
      if (!worker || !alive || failed) return;
      worker.postMessage({ type: 'stop' } satisfies ToWorker);
      // Blocking, briefly: the worker's connection must close before the service's (file-guard.ts removes the
      // -wal at the path right after that close); a worker that does not answer is terminated anyway.
      Atomics.wait(slots, CLOSED, 0, STOP_WAIT_MS);
      void worker.terminate();
    },
  };
}
