import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fakeCall } from 'asterisk-agi/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tempDir } from './helpers/service.js';

const ROOT = join(import.meta.dirname, '..');
const ENTRY = join(ROOT, 'dist/src/server.js');

/** The compiled process entry, as `npm start` runs it (npm test builds first). */
function startProcess(env: Record<string, string>) {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build first`);
  const child = spawn(process.execPath, [ENTRY], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /agi:\/\/127\.0\.0\.1:(\d+)\/screen/.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
  return { child, listening, exited, output: () => ({ stdout, stderr }) };
}

describe('the process entry (npm start)', () => {
  it('starts with defaults, screens a call, and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    const proc = startProcess({ CALLFILTER_DATA_DIR: dir, CALLFILTER_AGI_PORT: '0' });
    const port = await proc.listening;
    const call = await fakeCall({ port }, { script: 'screen', args: ['+4930999000'], env: { callerid: '+4930123456' } });
    expect(call.variables).toMatchObject({ CALLFILTER_ACTION: 'voicemail', CALLFILTER_REASON: 'unknown' });
    expect(existsSync(join(dir, 'callfilter.db'))).toBe(true);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    const logs = proc.output().stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string });
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['callfilter is screening calls', 'shutting down']));
  });

  it('refuses a bad setting with one line naming it, exit code 78', async () => {
    const proc = startProcess({ CALLFILTER_DATA_DIR: tempDir(), CALLFILTER_AGI_PORT: 'http' });
    await expect(proc.listening).rejects.toThrow('exited 78');
    expect(proc.output().stderr).toBe('callfilter: CALLFILTER_AGI_PORT: "http" is not a port number\n');
  });
});
