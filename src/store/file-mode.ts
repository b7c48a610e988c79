/**
 * The database holds secrets once a source has credentials (DESIGN.md "Sources": mode 0600), so its file and the
 * WAL and shared-memory files beside it are made readable by the owner only, as the admin token file is.
 */
import { chmodSync, existsSync, statSync } from 'node:fs';
import type { Database } from './database.js';

export const SECRET_FILE_MODE = 0o600;

export function restrictFileMode(db: Database): void {
  if (db.file === ':memory:' || db.file === '' || db.readonly) return;
  for (const file of [db.file, `${db.file}-wal`, `${db.file}-shm`]) {
    try {
      if (existsSync(file) && (statSync(file).mode & 0o777) !== SECRET_FILE_MODE) chmodSync(file, SECRET_FILE_MODE);
    } catch (err) {
      db.logger?.warn({ err, file }, 'could not make the database file readable by its owner only');
    }
  }
}
