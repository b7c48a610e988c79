/** The data folder and its files are private whatever the umask: they hold the call log and the contacts. */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { startService, tempDir } from '../helpers/service.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** A permissive umask for this test (the process-wide one is put back when it ends). */
function permissiveUmask(): void {
  const previous = process.umask(0o000);
  onTestFinished(() => void process.umask(previous));
}

describe('file modes of the data folder', () => {
  it('creates the folder 0700 and the database with its -wal and -shm 0600, and a recreated database too', async () => {
    permissiveUmask();
    const dataDir = join(tempDir(), 'nested', 'data');
    const svc = await startService({ dataDir, overrides: { dbFileCheckMs: 100 } });
    await svc.call('+4930123456');
    const { dbFile } = svc.config;
    expect(mode(dataDir)).toBe('700');
    for (const suffix of ['', '-wal', '-shm']) expect(mode(`${dbFile}${suffix}`), suffix).toBe('600');

    // Deleted while open: the copy the service puts back in its place is private too.
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbFile}${suffix}`, { force: true });
    await vi.waitFor(() => expect(svc.ctx.faults.get('dbFile', { event: 'recreated' })).toBe(1), { timeout: 5_000 });
    await svc.call('+4930123456');
    for (const suffix of ['', '-wal', '-shm']) expect(mode(`${dbFile}${suffix}`), suffix).toBe('600');
  });
});
