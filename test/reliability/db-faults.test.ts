/**
 * Faults of the real SQLite file while calls flow. In each: every call still gets an answer well within the
 * decision deadline — `connect` / `fail-open` when its decision cannot be logged, the right decision where the
 * database still works — the service stays up, the error is logged once per burst and counted, and the service
 * recovers by itself when the fault goes away.
 *
 * How the faults are made (we run as root, so chmod stops nothing):
 * - read-only: `PRAGMA query_only = ON` on the service's own connection. SQLite then refuses every write with
 *   SQLITE_READONLY — the same error a read-only file, directory or mount gives — while reads go on, and switching
 *   it off is the fault going away. (A read-only bind mount would need privileges a test cannot assume.)
 * - locked: another process holds `BEGIN EXCLUSIVE` on the same file (as a sqlite3 shell or a second importer
 *   would); in WAL mode readers go on, writers get SQLITE_BUSY after busy_timeout.
 * - disk full: `PRAGMA max_page_count` at the current size on the service's connection: SQLITE_FULL, like ENOSPC.
 * - disappears: the file is unlinked, moved away or replaced under the running service.
 */
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { startService, type TestService, tempDir } from '../helpers/service.js';
import { sqliteOf } from '../store/helpers.js';
import { percentile, pool, sleep } from './clients.js';
import { holdWriteLock } from './processes.js';

const BLOCKED = '+493012345670';
const FAILING = 'screening failed; failing open';

async function service(extra: Parameters<typeof startService>[0] = {}): Promise<TestService> {
  const svc = await startService({ env: { CALLFILTER_HOME_AREA_CODE: '30' }, ...extra });
  await svc.ctx.store.entries.create({ number: BLOCKED, kind: 'block', label: 'Gewinnspiel' });
  return svc;
}

/** `n` calls from the blocked number, `concurrency` at a time; their variables and durations. */
async function calls(svc: TestService, n: number, concurrency = 5) {
  const results = await pool(n, concurrency, () => svc.call(BLOCKED, { timeoutMs: 15_000 }));
  return { results, durations: results.map((r) => r.durationMs), variables: results.map((r) => r.variables) };
}

function errorLines(svc: TestService, msg = FAILING) {
  return svc.logs.filter((l) => l.msg === msg);
}

/** After the fault: the next call is decided normally and lands in the log, and the recovery is logged. */
async function expectRecovered(svc: TestService) {
  const after = await svc.call(BLOCKED);
  expect(after.variables).toMatchObject({ CALLFILTER_ACTION: 'hangup', CALLFILTER_REASON: 'blocklist' });
  expect(await svc.ctx.store.calls.get(Number(after.variables.CALLFILTER_CALL_ID))).toMatchObject({
    action: 'hangup',
    reason: 'blocklist',
  });
  expect(svc.logs.some((l) => l.msg === 'screening recovered')).toBe(true);
}

const failOpen = { CALLFILTER_ACTION: 'connect', CALLFILTER_REASON: 'fail-open' };

describe('database faults while calls flow', () => {
  it('read-only: every call fails open (its decision cannot be logged), one error line, counted, recovers', async () => {
    const svc = await service();
    sqliteOf(svc.ctx.store).db.pragma('query_only = ON');
    const { variables, durations } = await calls(svc, 40);
    expect(variables.every((v) => v.CALLFILTER_ACTION === 'connect' && v.CALLFILTER_REASON === 'fail-open')).toBe(true);
    expect(Math.max(...durations)).toBeLessThan(svc.config.decisionMs);
    expect(errorLines(svc)).toHaveLength(1);
    expect(errorLines(svc)[0]).toMatchObject({ err: { code: 'readonly' } });
    expect(svc.ctx.faults.get('failOpens', { why: 'readonly' })).toBe(40);
    expect(svc.ctx.faults.get('errors', { source: 'screen', kind: 'readonly' })).toBe(40);

    sqliteOf(svc.ctx.store).db.pragma('query_only = OFF');
    await expectRecovered(svc);
    expect(svc.logs.find((l) => String(l.msg).includes('more calls failed the same way (recovered)'))).toMatchObject({
      suppressed: 39,
    });
  });

  it('locked by another process: calls fail open fast — no call waits busy_timeout after another — and recover', async () => {
    const svc = await service();
    const lock = await holdWriteLock(svc.config.dbFile);
    // 30 calls at once: each would block the event loop for busy_timeout (250 ms) twice, one after the other.
    const { variables, durations } = await calls(svc, 30, 30);
    await lock.release();
    console.log(
      `[reliability] locked database: 30 concurrent calls, p50 ${percentile(durations, 50).toFixed(0)} ms, max ${Math.max(...durations).toFixed(0)} ms`,
    );
    expect(variables.every((v) => v.CALLFILTER_ACTION === 'connect' && v.CALLFILTER_REASON === 'fail-open')).toBe(true);
    expect(Math.max(...durations)).toBeLessThan(svc.config.decisionMs);
    expect(errorLines(svc)).toHaveLength(1);
    expect(errorLines(svc)[0]).toMatchObject({ err: { code: 'busy' } });
    expect(svc.ctx.faults.get('failOpens', { why: 'busy' })).toBe(30);
    await expectRecovered(svc);
  });

  it('disk full: calls fail open once the file cannot grow, one error line, counted, recover', async () => {
    const svc = await service();
    const pages = Number(sqliteOf(svc.ctx.store).db.pragma('page_count'));
    sqliteOf(svc.ctx.store).db.pragma(`max_page_count = ${pages}`);
    const { variables } = await calls(svc, 60, 1);
    // Rows still fit into the last page for a while; after that, every call fails open.
    const firstFail = variables.findIndex((v) => v.CALLFILTER_REASON === 'fail-open');
    expect(firstFail).toBeGreaterThanOrEqual(0);
    expect(firstFail).toBeLessThan(40);
    expect(variables.slice(0, firstFail).every((v) => v.CALLFILTER_ACTION === 'hangup')).toBe(true);
    expect(
      variables.slice(firstFail).every((v) => v.CALLFILTER_ACTION === 'connect' && v.CALLFILTER_REASON === 'fail-open'),
    ).toBe(true);
    expect(errorLines(svc)).toHaveLength(1);
    expect(errorLines(svc)[0]).toMatchObject({ err: { code: 'full' } });
    expect(svc.ctx.faults.get('failOpens', { why: 'full' })).toBe(60 - firstFail);

    sqliteOf(svc.ctx.store).db.pragma('max_page_count = 1073741823');
    await expectRecovered(svc);
  });

  it('deleted while open: calls go on, the file is recreated from the open connection, nothing is lost', async () => {
    const svc = await service({ overrides: { dbFileCheckMs: 100 } });
    const before = await calls(svc, 5);
    const { dbFile } = svc.config;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbFile}${suffix}`, { force: true });
    // Calls go on meanwhile: SQLite still has the deleted file open and answers from it.
    const during = await calls(svc, 10, 1);
    await vi.waitFor(() => expect(svc.ctx.faults.get('dbFile', { event: 'recreated' })).toBe(1), { timeout: 5_000 });
    const after = await calls(svc, 5);
    const all = [...before.variables, ...during.variables, ...after.variables];
    expect(all.every((v) => v.CALLFILTER_ACTION === 'hangup' && v.CALLFILTER_REASON === 'blocklist')).toBe(true);

    // A separate connection to the path sees every call, the entries, and a sound file.
    const check = new BetterSqlite3(dbFile, { readonly: true });
    onTestFinishedClose(check);
    const ids = new Set((check.prepare('SELECT id FROM calls').pluck().all() as number[]).map(String));
    expect(all.map((v) => v.CALLFILTER_CALL_ID).filter((id) => !ids.has(id as string))).toEqual([]);
    expect(check.prepare('SELECT count(*) FROM entries WHERE number = ?').pluck().get(BLOCKED)).toBe(1);
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(svc.logs.filter((l) => String(l.msg).startsWith('the database file disappeared'))).toHaveLength(1);
    expect(svc.ctx.faults.get('dbFile', { event: 'missing' })).toBe(1);
    expect(svc.outcomes.every((o) => o.error === undefined)).toBe(true);
  });

  it('moved away while open: recreated at its path, the moved file stays intact', async () => {
    const svc = await service({ overrides: { dbFileCheckMs: 100 } });
    await calls(svc, 3);
    const moved = join(tempDir(), 'moved.db');
    renameSync(svc.config.dbFile, moved);
    await vi.waitFor(() => expect(svc.ctx.faults.get('dbFile', { event: 'recreated' })).toBe(1), { timeout: 5_000 });
    const next = await svc.call(BLOCKED);
    expect(next.variables).toMatchObject({ CALLFILTER_ACTION: 'hangup', CALLFILTER_REASON: 'blocklist' });
    const check = new BetterSqlite3(svc.config.dbFile, { readonly: true });
    onTestFinishedClose(check);
    expect(check.prepare('SELECT count(*) FROM calls').pluck().get()).toBe(4);
    const old = new BetterSqlite3(moved, { readonly: true });
    onTestFinishedClose(old);
    expect(old.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('replaced while open: switches to the new file; a broken replacement fails open until a good one appears', async () => {
    const svc = await service({ overrides: { dbFileCheckMs: 100 } });
    const { dbFile } = svc.config;
    // Taken before the swap, as the admin API's routes do when they are built.
    const { entries } = svc.ctx.store;
    // Another database, in which the blocked number is allowed instead.
    const otherFile = join(tempDir(), 'other.db');
    const other = openStore(otherFile);
    await other.entries.create({ number: BLOCKED, kind: 'allow', label: 'Now a friend' });
    other.db.close();

    renameSync(otherFile, dbFile);
    await vi.waitFor(() => expect(svc.ctx.faults.get('dbFile', { event: 'reopened' })).toBe(1), { timeout: 5_000 });
    expect((await svc.call(BLOCKED)).variables).toMatchObject({
      CALLFILTER_ACTION: 'connect',
      CALLFILTER_REASON: 'allowlist',
    });
    expect((await entries.list()).items.map((e) => e.label)).toEqual(['Now a friend']);

    // Now something that is not a database at all.
    const junk = join(tempDir(), 'junk.db');
    writeFileSync(junk, 'this is not a database'.repeat(100));
    renameSync(junk, dbFile);
    await vi.waitFor(
      () => expect(svc.ctx.faults.get('dbFile', { event: 'recovery-failed' })).toBeGreaterThanOrEqual(2),
      { timeout: 5_000 },
    );
    const { variables } = await calls(svc, 10);
    expect(variables.every((v) => v.CALLFILTER_ACTION === 'connect' && v.CALLFILTER_REASON === 'fail-open')).toBe(true);
    expect(svc.logs.filter((l) => String(l.msg).startsWith('could not recover the database file'))).toHaveLength(1);
    expect(errorLines(svc)).toHaveLength(1);

    // The operator removes it: no empty database appears in its place (that would send contacts to voicemail).
    rmSync(dbFile);
    await sleep(300);
    expect(existsSync(dbFile)).toBe(false);
    expect((await svc.call(BLOCKED)).variables).toMatchObject(failOpen);
    // And puts a good file back: picked up at the next check, no restart.
    const good = openStore(otherFile);
    await good.entries.create({ number: BLOCKED, kind: 'block', label: 'Back on the list' });
    good.db.close();
    renameSync(otherFile, dbFile);
    await sleep(300);
    await expectRecovered(svc);
    expect(svc.ctx.faults.get('dbFile', { event: 'reopened' })).toBeGreaterThanOrEqual(2);
  });
});

function onTestFinishedClose(db: BetterSqlite3.Database): void {
  onTestFinished(() => void db.close());
}
