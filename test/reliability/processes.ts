/** Child processes for the reliability tests: each one is killed when the test ends (STYLE.md rule 12). */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

export const ROOT = join(import.meta.dirname, '..', '..');
export const ENTRY = join(ROOT, 'dist/src/server.js');

export interface Child {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout match of `re` (rejects if the process exits first). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A node child process (args after `node`). */
export function startChild(args: string[], env: Record<string, string> = {}): Child {
  return startCommand(process.execPath, args, env);
}

export function startCommand(command: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (!m) return;
          done();
          resolve(m);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${re} in: ${out.slice(-2000)} ${err.slice(-2000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then(({ code, signal }) => {
          if (!listeners.has(check)) return;
          done();
          reject(new Error(`exited (${code ?? signal}) before ${re}: ${err.slice(-2000)}`));
        });
        check();
      });
    },
  };
}

/** Runs ES module source in a child node (cwd: the project, so `better-sqlite3` and `./dist/…` resolve). */
export function startScript(source: string, args: string[] = [], env: Record<string, string> = {}): Child {
  return startChild(['--input-type=module', '-e', source, ...args], env);
}

/** The compiled service, as `npm start` runs it; resolves its ports from the first log line. */
export async function startServer(env: Record<string, string>): Promise<Child & { agiPort: number; httpUrl: string }> {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build first`);
  const proc = startChild([ENTRY], { CALLFILTER_AGI_PORT: '0', CALLFILTER_HTTP_PORT: '0', ...env });
  const m = await proc.waitFor(/agi:\/\/127\.0\.0\.1:(\d+)\/screen.*?"http":"(http:\/\/127\.0\.0\.1:\d+)"/);
  return Object.assign(proc, { agiPort: Number(m[1]), httpUrl: m[2] as string });
}

/** A process holding SQLite's write lock on `file` (BEGIN EXCLUSIVE) until release() — another program's import, say. */
export async function holdWriteLock(file: string): Promise<{ release: () => Promise<void> }> {
  const proc = startScript(
    `import Database from 'better-sqlite3';
     const db = new Database(process.argv[1]);
     db.exec('BEGIN EXCLUSIVE');
     process.stdout.write('locked\\n');
     process.stdin.on('data', () => { db.exec('COMMIT'); db.close(); process.exit(0); });`,
    [file],
  );
  await proc.waitFor(/locked/);
  return {
    release: async () => {
      proc.child.stdin.write('release\n');
      await proc.exited;
    },
  };
}
