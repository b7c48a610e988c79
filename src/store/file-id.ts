/**
 * Which file is at a path now, as `dev:ino`: the file guard (file-guard.ts) and the WAL checkpointer's worker
 * (checkpointer-worker.ts) compare it with what the service opened. No imports beyond node:fs — the worker thread
 * loads this module too.
 */
import { statSync } from 'node:fs';

/** `dev:ino` of the file at `path` now (bigint: an inode number can exceed 2^53), or undefined when there is none. */
export function fileId(path: string): string | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}
