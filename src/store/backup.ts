/**
 * Online backup of the database (`callfilter backup <file>`): a consistent copy taken while the service keeps
 * answering calls. Uses SQLite's backup API (https://www.sqlite.org/backup.html) through better-sqlite3, never a
 * file copy: copying callfilter.db while it runs can miss what is still in callfilter.db-wal, or tear a page.
 */
import { chmodSync, existsSync, linkSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from './database.js';
import { StoreError, toStoreError } from './errors.js';
import { ensurePrivateFile, PRIVATE_FILE_MODE } from './file-modes.js';

/**
 * Pages per backup step when the caller does not choose: all of them in one step. A step holds a read transaction
 * on the source; in WAL mode that never blocks the service's writers. Copying in one step also means a write by
 * another connection (the running service, when the CLI takes the backup) cannot restart the copy — SQLite restarts
 * a multi-step backup whenever another connection writes to the source, which under steady calls could go on and on.
 * Inside the service (same connection: no restarts) pass a small `pagesPerStep` so the event loop keeps turning.
 */
const ALL_PAGES = 0x7fffffff;

export interface BackupOptions {
  /** Replace an existing file. Without it an existing file is an error (StoreError `conflict`). */
  force?: boolean;
  /** Pages copied per step (the event loop runs between steps). Default: all at once, see ALL_PAGES. */
  pagesPerStep?: number;
}

export interface BackupResult {
  /** Absolute path of the finished backup. */
  file: string;
  bytes: number;
  pages: number;
  /** `PRAGMA user_version` of the copy: the migration it is at. */
  schemaVersion: number;
}

/**
 * Copies `db` into `file`: into a temporary file beside it first, then checks the copy (`PRAGMA integrity_check`),
 * switches it to a single self-contained file (journal_mode=DELETE, no -wal beside it), and only then moves it to
 * its name. A failed or interrupted backup never leaves a half-written file under the name asked for.
 */
export async function backupDatabase(db: Database, file: string, options: BackupOptions = {}): Promise<BackupResult> {
  const target = resolve(file);
  if (resolve(db.file) === target)
    throw new StoreError('conflict', `${target} is the live database itself; back up to another file`);
  if (!options.force && existsSync(target)) throw new StoreError('conflict', `${target} already exists`);
  if (!existsSync(dirname(target))) throw new StoreError('cantopen', `${dirname(target)}: no such directory`);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.partial`);
  removeDatabaseFiles(temp);
  const step = Math.max(1, Math.min(ALL_PAGES, Math.trunc(options.pagesPerStep ?? ALL_PAGES)));
  try {
    let pages = 0;
    // Contacts and the call log are personal data: the copy is for its owner only, whatever the umask says, from
    // its first byte on.
    ensurePrivateFile(temp);
    try {
      // better-sqlite3 runs a first step of 0 pages (to learn the size) before asking progress() for the rate.
      const done = await db.handle.backup(temp, { progress: () => step });
      pages = done.totalPages;
    } catch (err) {
      throw toStoreError(err, `backup to ${target}`);
    }
    const schemaVersion = checkCopy(temp, target);
    chmodSync(temp, PRIVATE_FILE_MODE);
    place(temp, target, options.force === true);
    return { file: target, bytes: statSync(target).size, pages, schemaVersion };
  } finally {
    removeDatabaseFiles(temp);
  }
}

/** Opens the copy on its own connection, checks it page by page, and makes it a single file. Returns user_version. */
function checkCopy(temp: string, target: string): number {
  let copy: BetterSqlite3.Database | undefined;
  try {
    copy = new BetterSqlite3(temp, { fileMustExist: true });
    // The copy carries the source's WAL flag; a backup is easier to move around as one file.
    copy.pragma('journal_mode = DELETE');
    const problems = (copy.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .filter((r) => r !== 'ok');
    if (problems.length > 0)
      throw new StoreError(
        'corrupt',
        `the backup did not pass PRAGMA integrity_check: ${problems.slice(0, 5).join('; ')}`,
      );
    return Number(copy.pragma('user_version', { simple: true }));
  } catch (err) {
    throw toStoreError(err, `checking the backup ${target}`);
  } finally {
    copy?.close();
  }
}

/**
 * Gives the checked copy its name. Without force: link(2), which fails if the name exists (no check-then-write
 * race); file systems without hard links (FAT/exFAT USB sticks) fall back to a check and rename.
 */
function place(temp: string, target: string, force: boolean): void {
  if (force) {
    removeDatabaseFiles(target, false);
    renameSync(temp, target);
    return;
  }
  try {
    linkSync(temp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new StoreError('conflict', `${target} already exists`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    if (existsSync(target)) throw new StoreError('conflict', `${target} already exists`);
    renameSync(temp, target);
  }
}

/** A database file and what SQLite may keep beside it. */
function removeDatabaseFiles(file: string, main = true): void {
  for (const f of [...(main ? [file] : []), `${file}-wal`, `${file}-shm`, `${file}-journal`])
    rmSync(f, { force: true });
}
