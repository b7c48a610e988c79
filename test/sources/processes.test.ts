/**
 * Syncs in real processes (the compiled `callfilter sync`): one killed in the middle of writing leaves the previous
 * list in force, and two never run at once — two command lines, or the command line and the service.
 */
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/service.js';
import { callfilter, runCallfilter } from './cli-process.js';
import { subscription } from './helpers.js';
import { startFakePhoneblock } from './phoneblock-server.js';

function envFor(dataDir: string, pb: { token: string; url: string }): Record<string, string> {
  return { CALLFILTER_DATA_DIR: dataDir, CALLFILTER_PHONEBLOCK_TOKEN: pb.token, CALLFILTER_PHONEBLOCK_URL: pb.url };
}

describe('a sync in another process', () => {
  it('killed while writing the new list leaves the previous one in force', async () => {
    const dir = tempDir();
    const pb = await startFakePhoneblock({ numbers: 2_000 });
    const env = envFor(dir, pb);
    const first = await runCallfilter(['sync'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('phoneblock: synced — whole list loaded: 2,000 numbers, version 1');

    // A much bigger whole list (accept forces a full download), killed once its first rows are in the database.
    for (let i = 0; i < 80_000; i++) pb.set(`+${4989_0000_0000 + i}`, 10);
    const sync = callfilter(['sync', 'phoneblock', '--accept'], env);
    const file = join(dir, 'callfilter.db');
    const peek = new BetterSqlite3(file, { readonly: true });
    try {
      const staged = peek
        .prepare(
          'SELECT count(*) FROM list_entries le JOIN lists l ON l.id = le.list_id WHERE le.version > l.active_version',
        )
        .pluck();
      await expect.poll(() => staged.get() as number, { timeout: 30_000, interval: 20 }).toBeGreaterThan(0);
    } finally {
      peek.close();
    }
    sync.child.kill('SIGKILL');
    expect((await sync.exited).signal).toBe('SIGKILL');

    const store = openStore(file);
    try {
      const list = (await store.lists.getByName('PhoneBlock'))!;
      expect(list).toMatchObject({ activeVersion: 1, entryCount: 2_000 });
      expect((await store.lists.entries(list.id, { limit: 1000 })).items[0]?.number).toBe('+493010000000');
      expect(store.db.handle.prepare('SELECT count(*) FROM list_entries').pluck().get()).toBe(2_000);
      const source = (await store.sources.getByName('phoneblock'))!;
      expect(source.cursor).toBe('1');
      expect(source.lastAttemptAt).toBeGreaterThan(source.lastSuccessAt!);
      // The killed process's lease is still there until it expires; then the next sync runs.
      expect((await store.leases.holder(`source:${source.id}`))?.owner).toMatch(/\/\d+\//);
      store.db.handle.prepare('UPDATE leases SET expires_at = 0').run();
    } finally {
      store.db.close();
    }
    const after = await runCallfilter(['sync'], env);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toMatch(/80,000 numbers new or changed/);
  }, 90_000);

  it('never runs twice at once: a second command line and the service find it busy', async () => {
    const sub = await subscription({ numbers: 50 });
    const env = envFor(sub.svc.dataDir, sub.pb);
    let release!: () => void;
    sub.pb.fail({ waitFor: new Promise((resolve) => (release = () => resolve(undefined))) });
    const first = callfilter(['sync', 'phoneblock'], env);
    // The first holds the lease while PhoneBlock keeps it waiting.
    await expect.poll(() => sub.pb.blocklistRequests().length, { timeout: 15_000 }).toBe(1);

    const second = await runCallfilter(['sync', 'phoneblock'], env);
    expect(second.code).toBe(1);
    expect(second.stdout).toMatch(
      /^phoneblock: skipped — another process is syncing it right now \(.+\/\d+\/[0-9a-f]+\)$/m,
    );
    expect(second.stderr).toContain('callfilter sync: 1 of 1 sync did not succeed: phoneblock');
    expect(await sub.sync()).toMatchObject({ outcome: 'busy' });
    expect(sub.pb.blocklistRequests()).toHaveLength(1);

    release();
    const { code } = await first.exited;
    expect(code, first.stderr()).toBe(0);
    expect(first.stdout()).toContain('phoneblock: synced');
    // Once it is done, the service's next sync runs (and finds nothing new).
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', rows: 50 });
    expect(sub.pb.blocklistRequests()).toHaveLength(2);
  }, 60_000);
});
