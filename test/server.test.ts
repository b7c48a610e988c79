import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fakeCall } from 'asterisk-agi/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SERVICE_NODE_FLAGS } from '../src/node-flags.js';
import { tempDir } from './helpers/service.js';

const ROOT = join(import.meta.dirname, '..');
const ENTRY = join(ROOT, 'dist/src/server.js');

/** The compiled process entry, as `npm start` runs it (npm test builds first). */
function startProcess(env: Record<string, string>) {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build first`);
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ENTRY], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<{ agi: number; http: string }>((resolve, reject) => {
    child.stdout.on('data', () => {
      const agi = /agi:\/\/127\.0\.0\.1:(\d+)\/screen/.exec(stdout);
      const http = /"http":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stdout);
      if (agi && http) resolve({ agi: Number(agi[1]), http: http[1] as string });
    });
    void exited.then((code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
  return { child, listening, exited, output: () => ({ stdout, stderr }) };
}

/** stdout holds pino's JSON lines and, once, the plain-text token notice. */
function logLines(stdout: string): ({ msg: string } & Record<string, unknown>)[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string } & Record<string, unknown>);
}

describe('the process entry (npm start)', () => {
  it("is what npm start runs, with the service's Node flags", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`node ${SERVICE_NODE_FLAGS.join(' ')} dist/src/server.js`);
  });

  it('starts with defaults, screens a call, serves the admin API, and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    const proc = startProcess({ CALLFILTER_DATA_DIR: dir, CALLFILTER_AGI_PORT: '0', CALLFILTER_HTTP_PORT: '0' });
    const { agi, http } = await proc.listening;
    const call = await fakeCall(
      { port: agi },
      { script: 'screen', args: ['+4930999000'], env: { callerid: '+4930123456' } },
    );
    expect(call.variables).toMatchObject({ CALLFILTER_ACTION: 'voicemail', CALLFILTER_REASON: 'unknown' });
    expect(existsSync(join(dir, 'callfilter.db'))).toBe(true);

    // First start: a token was generated and stored 0600. stdout is a pipe (a log, as under Docker or journald):
    // it says where the token is and how to print it, never the token itself.
    const tokenFile = join(dir, 'admin-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token).toMatch(/^[\w-]{43}$/);
    const { stdout, stderr } = proc.output();
    expect(stdout + stderr).not.toContain(token);
    expect(logLines(stdout)).toContainEqual(
      expect.objectContaining({
        msg: 'generated the admin token and stored it in its file; "callfilter token" prints it',
        file: tokenFile,
        http,
      }),
    );

    expect(await (await fetch(`${http}/healthz`)).json()).toEqual({ status: 'ok', db: 'ok', agi: 'listening' });
    expect((await fetch(`${http}/api/v1/calls`)).status).toBe(401);
    const calls = (await (
      await fetch(`${http}/api/v1/calls`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { items: { caller: string }[] };
    expect(calls.items.map((c) => c.caller)).toEqual(['+4930123456']);

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(logLines(proc.output().stdout).map((l) => l.msg)).toEqual(
      expect.arrayContaining(['callfilter is screening calls', 'shutting down']),
    );

    // Second start: the same token from the file, not printed again.
    const again = startProcess({ CALLFILTER_DATA_DIR: dir, CALLFILTER_AGI_PORT: '0', CALLFILTER_HTTP_PORT: '0' });
    const second = await again.listening;
    expect(again.output().stdout).not.toContain(token);
    expect((await fetch(`${second.http}/api/v1/calls`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('makes the data folder 0700 and its files 0600 under a permissive umask, and warns at start about wider ones', async () => {
    const dir = join(tempDir(), 'data');
    const env = { CALLFILTER_DATA_DIR: dir, CALLFILTER_AGI_PORT: '0', CALLFILTER_HTTP_PORT: '0' };
    const previous = process.umask(0o000); // the child inherits it
    let proc: ReturnType<typeof startProcess>;
    try {
      proc = startProcess(env);
    } finally {
      process.umask(previous);
    }
    const { agi } = await proc.listening;
    await fakeCall({ port: agi }, { script: 'screen', args: ['+4930999000'], env: { callerid: '+4930123456' } });
    const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
    expect(mode(dir)).toBe('700');
    for (const file of ['callfilter.db', 'callfilter.db-wal', 'callfilter.db-shm', 'admin-token'])
      expect(mode(join(dir, file)), file).toBe('600');
    const wide = (stdout: string) =>
      logLines(stdout).filter((l) => l.msg.startsWith('others may read this data folder or file'));
    expect(wide(proc.output().stdout)).toEqual([]);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);

    // Opened up by hand (or left by an older version): left as they are, but named at the next start.
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'callfilter.db'), 0o644);
    const again = startProcess(env);
    await again.listening;
    expect(wide(again.output().stdout)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 40, path: dir, mode: '755' }),
        expect.objectContaining({ level: 40, path: join(dir, 'callfilter.db'), mode: '644' }),
      ]),
    );
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('refuses a bad setting with one line naming it, exit code 78', async () => {
    const proc = startProcess({ CALLFILTER_DATA_DIR: tempDir(), CALLFILTER_AGI_PORT: 'http' });
    await expect(proc.listening).rejects.toThrow('exited 78');
    expect(proc.output().stderr).toBe('callfilter: CALLFILTER_AGI_PORT: "http" is not a port number\n');
  });

  it('refuses a short CALLFILTER_ADMIN_TOKEN without echoing it', async () => {
    const proc = startProcess({ CALLFILTER_DATA_DIR: tempDir(), CALLFILTER_ADMIN_TOKEN: 'secret12' });
    await expect(proc.listening).rejects.toThrow('exited 78');
    expect(proc.output().stderr).toBe(
      'callfilter: CALLFILTER_ADMIN_TOKEN: is too short (at least 16 characters; unset it to have one generated)\n',
    );
  });

  it('names the admin API port when it is taken, and exits 1', async () => {
    const first = startProcess({ CALLFILTER_DATA_DIR: tempDir(), CALLFILTER_AGI_PORT: '0', CALLFILTER_HTTP_PORT: '0' });
    const port = new URL((await first.listening).http).port;
    const second = startProcess({
      CALLFILTER_DATA_DIR: tempDir(),
      CALLFILTER_AGI_PORT: '0',
      CALLFILTER_HTTP_PORT: port,
    });
    await expect(second.listening).rejects.toThrow('exited 1');
    expect(second.output().stderr).toBe(
      `callfilter: could not start: admin API port 127.0.0.1:${port} is already in use; set CALLFILTER_HTTP_PORT\n`,
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });
});
