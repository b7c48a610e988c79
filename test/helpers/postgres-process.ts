/**
 * One run of a postmaster for ./postgres-cluster.ts, inside a small sh wrapper that also cleans up when we cannot:
 * the wrapper reads its stdin (a pipe from this process); a line names the signal that stops the server, end of
 * file without one means this process died (a crashed or SIGKILLed test worker), and then the wrapper stops the
 * server and removes its folder itself, so no orphaned PostgreSQL keeps a port and a temp folder.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Postmaster {
  /**
   * 'fast' (SIGINT): sessions are disconnected, a shutdown checkpoint keeps the data for the next start;
   * 'immediate' (SIGQUIT): gone at once, the next start would run crash recovery. Resolves when the server is gone.
   */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
}

export interface PostmasterOptions {
  postgres: string;
  data: string;
  /** The cluster's temp folder, removed by the wrapper if we die. */
  dir: string;
  port: number;
  settings: Record<string, string>;
  uid?: number;
  gid?: number;
}

/** A server that has not said "ready" by then is broken (a cold start takes well under a second). */
const READY_TIMEOUT_MS = 30_000;
/** Fast shutdown takes a fraction of a second; past this the server is killed. */
const STOP_TIMEOUT_MS = 10_000;
/** Kept for the error message of a failed start. */
const LOG_TAIL_CHARS = 4_000;
const READY = 'database system is ready to accept connections';

// $1 = folder, the rest = the postgres command line. The watcher gets our stdin through fd 3 (sh gives background
// jobs /dev/null as stdin unless redirected explicitly). It reads one word: a signal name to stop the server with,
// or KEEP once the server is gone by itself; end of file instead means we died, and then it cleans up. The main
// shell only waits for the server, never kills the watcher: that could cut the clean-up short.
const WRAPPER = `
dir=$1; shift
exec 3<&0
"$@" &
pid=$!
(
  if read -r word <&3; then
    [ "$word" = KEEP ] || kill -"$word" "$pid"
    exit 0
  fi
  kill -INT "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -rf "$dir"
) &
exec 3<&-
wait "$pid"
`;

export function startPostmaster(options: PostmasterOptions): Promise<Postmaster> {
  const args = ['-D', options.data, '-p', String(options.port)];
  for (const [name, value] of Object.entries(options.settings)) args.push('-c', `${name}=${value}`);
  const child = spawn('sh', ['-c', WRAPPER, 'sh', options.dir, options.postgres, ...args], {
    cwd: options.dir,
    uid: options.uid,
    gid: options.gid,
    env: { PATH: process.env.PATH, LC_ALL: 'C', TZ: 'UTC' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let log = '';
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      // Releases the watcher without a clean-up: whoever stopped the server (or saw it fail) decides about the folder.
      child.stdin.end('KEEP\n');
      resolve();
    }),
  );
  child.stdin.on('error', () => {}); // EPIPE when the wrapper is already gone
  // Drained for as long as the server runs: a full pipe would block the server's log writes.
  child.stderr.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-LOG_TAIL_CHARS);
  });

  const stop = async (mode: 'fast' | 'immediate' = 'fast'): Promise<void> => {
    if (exited) return;
    child.stdin.write(mode === 'fast' ? 'INT\n' : 'QUIT\n');
    const timer = setTimeout(() => killHard(child.pid, options.data), STOP_TIMEOUT_MS);
    await gone;
    clearTimeout(timer);
  };

  return new Promise<Postmaster>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      void stop().finally(() => reject(new Error(`PostgreSQL did not start within ${READY_TIMEOUT_MS} ms:\n${log}`)));
    }, READY_TIMEOUT_MS);
    const onData = (): void => {
      if (!log.includes(READY)) return;
      cleanup();
      resolve({ stop });
    };
    const onExit = (): void => {
      cleanup();
      reject(new Error(`PostgreSQL exited during start (port ${options.port}):\n${log}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
    };
    child.stderr.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (err) => {
      cleanup();
      reject(err);
    });
  });
}

/** Last resort: SIGKILL the wrapper and the postmaster (its pid is the first line of postmaster.pid). */
function killHard(wrapperPid: number | undefined, data: string): void {
  try {
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // no pid file: the server is already gone
  }
  if (wrapperPid !== undefined) {
    try {
      process.kill(wrapperPid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
