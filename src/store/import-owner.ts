/**
 * Who writes an import, and whether that writer is gone (then its pending import will never finish). The owner is
 * `host:pid`. On the same host a dead pid says so at once — the next open after a crash cleans up. A pid equal to
 * this process's own, for an import this process is not writing, belongs to an earlier process (a container restarted
 * gets the same pid). Elsewhere, or when the pid is alive but may have been reused, only a heartbeat older than
 * STALE_MS says so.
 */
import { hostname } from 'node:os';

/** Far longer than an import goes without a transaction (it beats every few seconds while it writes). */
const STALE_MS = 10 * 60_000;

export const OWNER = `${hostname()}:${process.pid}`;

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: it exists, as another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** For an import this process is not writing. */
export function isOwnerGone(owner: string, heartbeatAt: number, now: number): boolean {
  if (now - heartbeatAt > STALE_MS) return true;
  const colon = owner.lastIndexOf(':');
  const pid = Number(owner.slice(colon + 1));
  if (owner.slice(0, colon) !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  return pid === process.pid || processGone(pid);
}
