/**
 * Who writes an import, and whether that writer is gone (then its pending import will never finish). The owner is
 * `host:pid`. On the same host the pid decides: a dead pid says so at once (the next open after a crash cleans up),
 * and a live one is the writer however long ago it last wrote — an import waits as long as its source does, and
 * taking it for dead would delete what it is still writing. A pid equal to this process's own, for an import this
 * process is not writing, belongs to an earlier process (a container restarted gets the same pid). Elsewhere only a
 * heartbeat older than STALE_MS says so.
 *
 * A pid is reused once its process is gone. A leftover then stays until the process that got the pid ends too —
 * unless that process began after the heartbeat (Linux: its start time in /proc), so it cannot be the writer. The
 * start time is only read once the heartbeat is stale, which a crashed writer's always becomes.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Far longer than an import goes without a transaction (it beats every few seconds while it writes). */
export const STALE_MS = 10 * 60_000;
/** For the start time's rounding (whole seconds of the boot time) and the clocks' drift between processes. */
const START_SLACK_MS = 60_000;
/** USER_HZ, the unit of /proc/<pid>/stat's start time: 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

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

/** When process `pid` began (ms since the epoch, on the wall clock as it is now), where /proc says; else undefined. */
function processStartedAt(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after it follow its last ')'.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const boot = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
    if (!Number.isFinite(ticks) || boot === undefined) return undefined;
    return Number(boot) * 1000 + (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** For an import this process is not writing. */
export function isOwnerGone(owner: string, heartbeatAt: number, now: number): boolean {
  const stale = now - heartbeatAt > STALE_MS;
  const colon = owner.lastIndexOf(':');
  const pid = Number(owner.slice(colon + 1));
  if (owner.slice(0, colon) !== hostname() || !Number.isInteger(pid) || pid <= 0) return stale;
  if (pid === process.pid || processGone(pid)) return true;
  if (!stale) return false;
  const started = processStartedAt(pid);
  return started !== undefined && started > heartbeatAt + START_SLACK_MS;
}
