/**
 * The data folder holds the call log, the contacts and the admin token: personal data and a password, for the
 * service's own user only. Folders are made 0700 and files 0600 whatever the umask (a umask only takes bits away, and
 * the usual 022 leaves files world-readable); SQLite gives the -wal and -shm files the mode of their database
 * (os_unix.c, findCreateFileMode()), so creating the database 0600 covers them. Existing files are left as they are —
 * a person may have opened them up on purpose — and the service warns at start instead (wideFileModes).
 */
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Owner only: read, write and enter. */
export const PRIVATE_DIR_MODE = 0o700;
/** Owner only: read and write. */
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` 0700 (its missing parents the usual way) unless it exists. */
export function ensurePrivateDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dirname(dir), { recursive: true });
  try {
    mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return; // another process made it meanwhile
    throw err;
  }
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Creates an empty `file` 0600 unless it exists (an empty file is an empty SQLite database). */
export function ensurePrivateFile(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'wx', PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

export interface WideMode {
  path: string;
  /** The mode as octal text, e.g. `755`. */
  mode: string;
}

/** Which of these folders and files (those that exist) others may read, write or enter. */
export function wideFileModes(paths: readonly string[]): WideMode[] {
  const wide: WideMode[] = [];
  for (const path of paths) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue; // not there (yet): it will be created private
    }
    if ((mode & 0o077) !== 0) wide.push({ path, mode: mode.toString(8) });
  }
  return wide;
}
