/** Starting the servers under test, each as its own process, all on loopback and the same database file. */
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from '../src/node-flags.js';
import { HOME_AREA_CODE, HOME_COUNTRY } from './dataset.js';
import type { Target } from './load-protocol.js';
import { freePort, start, stop, waitForPort } from './processes.js';

/** The project root, from dist/bench/ (compiled) — two levels up. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type ServerKind = 'callfilter' | 'floor' | 'ding-dong' | 'agi-script';

export interface RunningServer {
  name: string;
  kind: ServerKind;
  target: Target;
  /** The process to measure (RSS, CPU); undefined for the per-call script. */
  pid: number | undefined;
  /** CPU used so far by the database server this one works through (a node on PostgreSQL), ms. */
  databaseCpuMs?: () => number | undefined;
  stop(): Promise<void>;
}

/** The environment the service and the in-process bench share: the bench's home line, a private data dir. */
export function serviceEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CALLFILTER_')) env[k] = v;
  return {
    ...env,
    CALLFILTER_DATA_DIR: dataDir,
    CALLFILTER_HOME_COUNTRY: HOME_COUNTRY,
    CALLFILTER_HOME_AREA_CODE: HOME_AREA_CODE,
    CALLFILTER_TIMEZONE: 'Europe/Berlin',
    ...extra,
  };
}

async function listening(
  name: string,
  kind: ServerKind,
  child: ChildProcess,
  port: number,
  closeLog?: () => void,
  timeoutMs?: number,
): Promise<RunningServer> {
  try {
    await waitForPort(port, child, timeoutMs);
  } catch (err) {
    await stop(child);
    closeLog?.();
    throw new Error(`${name}: ${(err as Error).message}`);
  }
  return {
    name,
    kind,
    target: { kind: 'tcp', host: '127.0.0.1', port },
    pid: child.pid,
    async stop() {
      await stop(child);
      closeLog?.();
    },
  };
}

/** Node flags that write a V8 CPU profile into `dir` when the process exits; none without a folder. */
export function cpuProfArgs(dir: string | undefined): string[] {
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

export interface CallfilterOptions {
  name: string;
  dataDir: string;
  /** CALLFILTER_LOG_LEVEL; undefined = the production default. */
  logLevel?: string;
  /** Write a V8 CPU profile into this folder when the process exits. */
  cpuProfDir?: string;
  /** Another build of the service to run (bench/against.ts): its folder, and the Node flags its own code names. */
  build?: { root: string; nodeFlags: readonly string[] };
  /** More CALLFILTER_* settings; the production defaults otherwise. */
  env?: Record<string, string>;
  /** How long it may take to listen (default waitForPort's). */
  startTimeoutMs?: number;
}

/**
 * Our service, as in production: `node <SERVICE_NODE_FLAGS> dist/src/server.js` (or another build's, `build`), its log
 * (stdout, stderr) going to a file.
 */
export async function startCallfilter(
  options: CallfilterOptions,
): Promise<RunningServer & { logFile: string; httpPort: number; http: string }> {
  const port = await freePort();
  const httpPort = await freePort();
  const logFile = join(options.dataDir, `${options.name.replace(/\W+/g, '-')}.log`);
  const fd = openSync(logFile, 'a');
  const env = serviceEnv(options.dataDir, {
    CALLFILTER_AGI_PORT: String(port),
    CALLFILTER_AGI_HOST: '127.0.0.1',
    // The admin API may start in the same process: keep it off the default port, on loopback.
    CALLFILTER_HTTP_PORT: String(httpPort),
    CALLFILTER_HTTP_HOST: '127.0.0.1',
    ...(options.logLevel !== undefined && { CALLFILTER_LOG_LEVEL: options.logLevel }),
    ...options.env,
  });
  const root = options.build?.root ?? ROOT;
  const flags = options.build?.nodeFlags ?? SERVICE_NODE_FLAGS;
  const child = start(
    process.execPath,
    [...cpuProfArgs(options.cpuProfDir), ...flags, join(root, 'dist/src/server.js')],
    { cwd: root, env, stdio: ['ignore', fd, fd] },
  );
  const server = await listening(options.name, 'callfilter', child, port, () => closeSync(fd), options.startTimeoutMs);
  return { ...server, logFile, httpPort, http: `http://127.0.0.1:${httpPort}` };
}

export async function startFloor(): Promise<RunningServer> {
  const port = await freePort();
  const child = start(process.execPath, [join(ROOT, 'dist/bench/floor.js'), String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return listening('floor', 'floor', child, port);
}

/** Peer A; with `cpuProfDir` it writes a V8 CPU profile there too, to compare where each spends its time. */
export async function startDingDong(dbFile: string, cpuProfDir?: string): Promise<RunningServer> {
  const port = await freePort();
  const child = start(
    process.execPath,
    [...cpuProfArgs(cpuProfDir), join(ROOT, 'dist/bench/peers/ding-dong-peer.js'), String(port), dbFile],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return listening('peer A ding-dong', 'ding-dong', child, port);
}

/**
 * The interpreter Asterisk would start: the distribution's own python3 (a version manager's shim, such as pyenv's,
 * runs bash and two more processes per call — several times the cost of Python itself).
 */
export const PYTHON = process.env.BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
export const AGI_SCRIPT = join(ROOT, 'bench/peers/agi-script.py');

/** Peer B has no server: the load client starts the script per call, as Asterisk does for AGI(script). */
export function agiScript(dbFile: string): RunningServer {
  return {
    name: 'peer B agi-script.py',
    kind: 'agi-script',
    target: { kind: 'spawn', command: PYTHON, args: [AGI_SCRIPT, dbFile], request: AGI_SCRIPT },
    pid: undefined,
    stop: async () => {},
  };
}
