/**
 * Child processes of the benchmark: started through here so every one is killed at the end — also on an error,
 * SIGINT or SIGTERM — and measured through /proc.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set<ChildProcess>();
/** Temp folders (database copies, CSVs) removed when the process exits, however it exits. */
const tempDirs = new Set<string>();

export function removeOnExit(dir: string): string {
  tempDirs.add(dir);
  return dir;
}

export function removeNow(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}
/** How long a child gets after SIGTERM before SIGKILL. */
const TERM_GRACE_MS = 3_000;

export function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function start(command: string, args: string[], options: SpawnOptions): ChildProcess {
  return track(spawn(command, args, options));
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL after the grace period; resolves when it is gone. */
export async function stop(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), TERM_GRACE_MS);
  await gone;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map(stop));
}

/** Last resort at process exit: synchronous, so only SIGKILL; then the temp folders go. */
function killAllNow(): void {
  for (const child of children) if (!exited(child)) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

/** Installs the exit, SIGINT and SIGTERM handlers once. */
export function installCleanup(): void {
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping child processes…\n`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts on the port; rejects when the child exits first or after `timeoutMs`. */
export async function waitForPort(port: number, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (exited(child))
      throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before listening on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listening on ${port} after ${timeoutMs} ms`);
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile' | 'RssShmem'): number | undefined {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** KiB (as /proc reports) to MB (10^6 bytes, as the targets are written). */
export const kibToMB = (kib: number): number => (kib * 1024) / 1e6;

/** Resident memory now, MB. */
export function rssMB(pid: number): number | undefined {
  const kib = statusField(pid, 'VmRSS');
  return kib === undefined ? undefined : kibToMB(kib);
}

/** What the resident memory is: anonymous (heaps, SQLite's page cache), file-backed (code, mapped files), shared. */
export function rssPartsMB(pid: number): { anon: number; file: number; shmem: number } | undefined {
  const anon = statusField(pid, 'RssAnon');
  const file = statusField(pid, 'RssFile');
  const shmem = statusField(pid, 'RssShmem');
  if (anon === undefined || file === undefined || shmem === undefined) return undefined;
  return { anon: kibToMB(anon), file: kibToMB(file), shmem: kibToMB(shmem) };
}

/** Peak resident memory so far (VmHWM), MB. */
export function hwmMB(pid: number): number | undefined {
  const kib = statusField(pid, 'VmHWM');
  return kib === undefined ? undefined : kibToMB(kib);
}

/** CPU time (user + system) used so far, ms; /proc/<pid>/stat fields 14 and 15, in clock ticks of 10 ms. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** /proc/<pid>/stat after the command name: [ppid, utime, stime, cutime, cstime] in clock ticks; undefined if gone. */
function statTimes(pid: number | string): [number, number, number, number, number] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(f[1]), Number(f[11]), Number(f[12]), Number(f[13]), Number(f[14])];
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system) used so far by a server that forks a process per session (PostgreSQL's postmaster), ms:
 * its own, that of its children alive now, and that of the children it has reaped (cutime, cstime) — so the work of
 * a backend that ended between two readings still counts. Same 10 ms ticks as cpuMs.
 */
export function processTreeCpuMs(rootPid: number): number | undefined {
  const root = statTimes(rootPid);
  if (!root) return undefined;
  let ticks = root[1] + root[2] + root[3] + root[4];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || name === String(rootPid)) continue;
    const child = statTimes(name);
    if (child && child[0] === rootPid) ticks += child[1] + child[2] + child[3] + child[4];
  }
  return ticks * 10;
}
