/**
 * Notices when the database file is no longer the one the store has open, and recovers by itself.
 *
 * SQLite keeps reading and writing an open file after it was deleted or moved: no error, ever — the calls go on
 * being logged into an inode nobody can reach, and are gone at the next restart. So every DB_FILE_CHECK_MS the
 * path is compared (device and inode) with what was opened:
 * - the path is gone (deleted, or moved away): the open connection still holds everything, so it is copied back
 *   to the path with SQLite's online backup (in steps, the event loop keeps turning), the old handle is closed and
 *   the copy opened in its place. Nothing is lost, not even the calls logged in between.
 * - the path holds another file (a backup restored by `mv`, say): that is what the operator wants now; the old
 *   handle is closed and its -wal beside the path removed (it would be replayed into the new file), then the new
 *   file is opened and migrated. What was written to the old file since the swap stays in the old file; replace
 *   the file with a self-contained one (what `callfilter backup` writes), never with a -wal of its own.
 * If opening fails (a bad file was put there), the store stays closed — calls fail open, counted and logged once
 * per burst — and every check tries again once a file is there. It never creates an empty database in its place:
 * without its entries and contacts callfilter would send known callers to voicemail; failing open loses nothing.
 */
import { renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { fileId } from './file-id.js';
import { ensurePrivateDir, ensurePrivateFile } from './file-modes.js';
import type { SqliteStore } from './index.js';

/** A stat() every 2 s costs nothing; calls logged into a vanished file meanwhile are recovered with it anyway. */
export const DB_FILE_CHECK_MS = 2_000;
/** Pages per backup step while recreating the file: ~4 MB at 4 KiB pages, a few ms of event loop each. */
const PAGES_PER_STEP = 1_000;

export type FileGuardEvent = 'missing' | 'replaced' | 'recreated' | 'reopened' | 'recovery-failed';

export interface FileGuardOptions {
  intervalMs?: number;
  logger?: Logger;
  onEvent?: (event: FileGuardEvent) => void;
  /** Opens (and migrates) the store at the same path, with the same options as the first time. */
  open: () => SqliteStore;
}

export interface FileGuard {
  /** Compares the path with the open file now, and recovers when they differ. Never rejects. */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Removes the -wal and -shm beside `file` (and the file itself with `main`). SQLite does not checkpoint or delete
 * the WAL when it closes a database that was moved or deleted (pager.c, databaseIsUnmoved()), so the old file's
 * -wal stays at the path — and a new file there would replay it as its own: the old pages, or a corrupt file.
 */
function removeDatabaseFiles(file: string, main = true): void {
  for (const suffix of [...(main ? [''] : []), '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}

export function guardDatabaseFile(store: SqliteStore, options: FileGuardOptions): FileGuard {
  const file = store.db.file;
  const log = options.logger;
  const emit = (event: FileGuardEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // counting must not break recovery
    }
  };
  let opened = fileId(file);
  /** The store's handle was closed and the file could not be opened again: retry on every check. */
  let broken = false;
  /** Failed recoveries in a row: only the first is logged as an error (once per burst, not every 2 s). */
  let failures = 0;
  let stopped = false;
  let running: Promise<void> | undefined;

  /**
   * Moves the new store's repositories into the old repository objects, in place: routes and jobs that took
   * `const { entries } = ctx.store` when they were built keep working, now on the new file.
   */
  function swapIn(): void {
    const fresh = options.open();
    for (const key of Object.keys(fresh) as (keyof SqliteStore)[])
      if (key !== 'db' && key !== 'engine') Object.assign(store[key], fresh[key]);
    store.db = fresh.db;
    opened = fileId(file);
    broken = false;
  }

  async function recreate(): Promise<void> {
    log?.error({ file }, 'the database file disappeared while open; recreating it from the open connection');
    emit('missing');
    ensurePrivateDir(dirname(file));
    const temp = `${file}.recover-${process.pid}`;
    removeDatabaseFiles(temp);
    try {
      // The copy becomes the database: private before a byte of it is written (file-modes.ts).
      ensurePrivateFile(temp);
      await store.db.handle.backup(temp, { progress: () => PAGES_PER_STEP });
    } catch (err) {
      removeDatabaseFiles(temp);
      throw err;
    }
    // From here on synchronous: no call can write to the old handle after the copy is taken.
    if (stopped || !store.db.isOpen) {
      removeDatabaseFiles(temp); // shut down meanwhile
      return;
    }
    if (fileId(file)) {
      // Someone put a file there while we copied: theirs wins, as in the 'replaced' case.
      removeDatabaseFiles(temp);
      return reopen();
    }
    store.db.close();
    // The -wal/-shm beside the vanished file belonged to it; the copy must not adopt them.
    removeDatabaseFiles(file, false);
    renameSync(temp, file);
    swapIn();
    log?.warn({ file }, 'database file recreated from the open connection; nothing was lost');
    emit('recreated');
  }

  function reopen(): void {
    if (!broken) {
      log?.error({ file }, 'the database file was replaced while open; switching to the new file');
      emit('replaced');
      store.db.close();
      // The -wal at the path is the old file's (see removeDatabaseFiles); the replacement must come without one.
      removeDatabaseFiles(file, false);
    }
    swapIn();
    log?.warn({ file }, 'database reopened');
    emit('reopened');
  }

  async function run(): Promise<void> {
    try {
      if (stopped) return;
      if (broken) {
        // The old handle is gone; wait for a file at the path (see above), then try it.
        if (!fileId(file)) return;
        reopen();
      } else {
        const now = fileId(file);
        if (!store.db.isOpen || (now !== undefined && now === opened)) return;
        if (!now) await recreate();
        else reopen();
      }
      failures = 0;
    } catch (err) {
      if (stopped) return; // closed while recovering: nothing to report
      if (!store.db.isOpen) broken = true;
      failures += 1;
      if (failures === 1)
        log?.error({ err, file, broken }, 'could not recover the database file; trying again at every check');
      else log?.debug({ err, failures }, 'database file recovery failed again');
      emit('recovery-failed');
    }
  }

  const timer = setInterval(() => void check(), options.intervalMs ?? DB_FILE_CHECK_MS).unref();

  function check(): Promise<void> {
    running ??= run().finally(() => (running = undefined));
    return running;
  }

  return {
    check,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
