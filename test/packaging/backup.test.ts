import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { backupDatabase } from '../../src/store/backup.js';
import { latestVersion } from '../../src/store/index.js';
import { homeEnv, runCli } from '../helpers/cli.js';
import { startService, tempDir } from '../helpers/service.js';
import { sqliteOf } from '../store/helpers.js';

const cli = (dataDir: string, ...argv: string[]) => runCli(argv, homeEnv(dataDir));

/** Opens a backup on its own connection, as a restore would, and reports what it holds. */
function inspect(file: string) {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      journalMode: db.pragma('journal_mode', { simple: true }),
      version: db.pragma('user_version', { simple: true }),
      callIds: new Set((db.prepare('SELECT id FROM calls').all() as { id: number }[]).map((r) => r.id)),
      entries: db.prepare('SELECT count(*) AS n FROM entries').pluck().get() as number,
    };
  } finally {
    db.close();
  }
}

const callId = (variables: Record<string, string>) => Number(variables.CALLFILTER_CALL_ID);

describe('callfilter backup', () => {
  it('takes a consistent backup from another process connection during a burst of calls', async () => {
    const svc = await startService({ env: { CALLFILTER_HOME_AREA_CODE: '30' } });
    expect((await cli(svc.dataDir, 'block', '030 12345670', '--note', 'energy sales')).code).toBe(0);

    // Calls that finished before the backup started: they must all be in it.
    const before = await Promise.all(
      Array.from({ length: 40 }, (_, i) => svc.call(`0170 55${String(i).padStart(5, '0')}`)),
    );
    const beforeIds = before.map((c) => callId(c.variables));
    expect(beforeIds.every((id) => Number.isInteger(id) && id > 0)).toBe(true);

    // A burst that keeps the service writing while the backup runs.
    let stop = false;
    const burst = (async () => {
      const made: number[] = [];
      for (let round = 0; !stop && round < 200; round++) {
        const calls = await Promise.all(Array.from({ length: 8 }, (_, i) => svc.call(`0171 ${round}${i}12345`)));
        made.push(...calls.map((c) => callId(c.variables)));
      }
      return made;
    })();

    // Start the backup once the burst is well under way.
    await vi.waitFor(() => expect(svc.outcomes.length).toBeGreaterThanOrEqual(before.length + 16), {
      timeout: 10_000,
      interval: 5,
    });
    const target = join(tempDir(), 'callfilter-backup.db');
    const result = await cli(svc.dataDir, 'backup', target);
    stop = true;
    const during = await burst;

    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(
      /^backed up .*callfilter\.db to .*callfilter-backup\.db \(.*, \d+ pages, schema version \d+, integrity ok\)$/,
    );
    expect(during.length).toBeGreaterThan(16);

    const copy = inspect(target);
    expect(copy.integrity).toBe('ok');
    // A single self-contained file: no -wal beside it to forget when moving it.
    expect(copy.journalMode).toBe('delete');
    expect(readdirSync(join(target, '..'))).toEqual(['callfilter-backup.db']);
    expect(copy.version).toBe(latestVersion());
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(copy.entries).toBe(1);
    for (const id of beforeIds) expect(copy.callIds.has(id), `call ${id}`).toBe(true);
    // The service kept answering throughout, and logged every call.
    expect(svc.outcomes.length).toBe(before.length + during.length);
    expect(svc.outcomes.every((o) => o.error === undefined)).toBe(true);
  });

  it('refuses to overwrite an existing file unless --force, and leaves no partial file behind', async () => {
    const dataDir = tempDir();
    expect((await cli(dataDir, 'allow', '0170 1234567', '--name', 'Anna')).code).toBe(0);
    const dir = tempDir();
    const target = join(dir, 'backup.db');
    writeFileSync(target, 'precious');

    const refused = await cli(dataDir, 'backup', target);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(`callfilter backup: ${target} already exists (add --force to overwrite it)`);
    expect(readdirSync(dir)).toEqual(['backup.db']);

    const forced = await cli(dataDir, 'backup', target, '--force');
    expect(forced.code).toBe(0);
    expect(inspect(target).entries).toBe(1);
    expect(readdirSync(dir)).toEqual(['backup.db']);
  });

  it.each([
    [[], 'one backup file name is required'],
    [['a.db', 'b.db'], 'one backup file name is required'],
    [['a.db', '--overwrite'], "Unknown option '--overwrite'"],
  ])('%j is a usage error', async (argv, message) => {
    const r = await cli(tempDir(), 'backup', ...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`callfilter backup: ${message}`);
    expect(r.err).toContain('usage: callfilter backup <file> [--force]');
  });

  it('says so when the target folder does not exist, and never backs up onto the live database', async () => {
    const svc = await startService();
    const missing = await cli(svc.dataDir, 'backup', join(svc.dataDir, 'no', 'such', 'dir', 'x.db'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no such directory/);
    await expect(backupDatabase(sqliteOf(svc.ctx.store).db, svc.config.dbFile, { force: true })).rejects.toThrow(
      /is the live database itself/,
    );
    expect(existsSync(svc.config.dbFile)).toBe(true);
  });

  it('can copy in small steps inside the service, without blocking it', async () => {
    const svc = await startService();
    await Promise.all(Array.from({ length: 20 }, (_, i) => svc.call(`0170 77${String(i).padStart(5, '0')}`)));
    const target = join(tempDir(), 'stepped.db');
    const [result] = await Promise.all([
      backupDatabase(sqliteOf(svc.ctx.store).db, target, { pagesPerStep: 1 }),
      svc.call('0170 8888888'),
    ]);
    expect(result.pages).toBeGreaterThan(1);
    expect(inspect(target).integrity).toBe('ok');
    expect(inspect(target).callIds.size).toBeGreaterThanOrEqual(20);
  });
});
