/**
 * Crash safety with real processes and kill -9 (SIGKILL: no handler runs, nothing is flushed by us):
 * - during a burst of calls, every call whose decision reached the fake Asterisk is in the log after a restart;
 * - during a large list import, the list is afterwards the old version or the new one in full, never a mix;
 * - during a large import into the entries, the old entries stay in force and no imported row is seen;
 * and in each the file passes `PRAGMA integrity_check`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FakeCallResult, fakeCall } from 'asterisk-agi/testing';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { VISIBLE } from '../../src/store/import-visibility.js';
import { openStore, type SqliteStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/service.js';
import { sleep } from './clients.js';
import { ROOT, startChild, startScript, startServer } from './processes.js';

const TOKEN = 'reliability-test-token-0123456789';

function openReadonly(file: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(file, { readonly: true });
  onTestFinished(() => void db.close());
  return db;
}

describe('kill -9 during a burst of calls', () => {
  it('loses no call whose decision reached Asterisk', async () => {
    const dir = tempDir();
    const env = { CALLFILTER_DATA_DIR: dir, CALLFILTER_ADMIN_TOKEN: TOKEN };
    const server = await startServer(env);
    const results: FakeCallResult[] = [];
    let refused = 0;
    let n = 0;
    // 16 callers in a loop until the service is gone; SIGKILL once 400 calls were decided.
    const workers = Array.from({ length: 16 }, async () => {
      for (;;) {
        const i = n++;
        const r = await fakeCall(
          { port: server.agiPort },
          {
            script: 'screen',
            args: ['+4930999000'],
            env: { callerid: `+4930${5_000_000 + i}`, uniqueid: `crash.${i}` },
            timeoutMs: 5_000,
          },
        );
        if (r.agiStatus === 'FAILURE') {
          refused++;
          return;
        }
        results.push(r);
      }
    });
    while (results.filter((r) => r.variables.CALLFILTER_ACTION).length < 400) await sleep(5);
    server.child.kill('SIGKILL');
    await Promise.all(workers);
    expect((await server.exited).signal).toBe('SIGKILL');

    const decided = results.filter((r) => r.variables.CALLFILTER_ACTION !== undefined);
    const cut = results.length - decided.length;
    // A restart recovers the WAL, cleans up, and screens again.
    const again = await startServer(env);
    const after = await fakeCall(
      { port: again.agiPort },
      { script: 'screen', args: ['+4930999000'], env: { callerid: '+4930123456' } },
    );
    expect(after.variables.CALLFILTER_ACTION).toBe('voicemail');
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);

    const db = openReadonly(join(dir, 'callfilter.db'));
    const byId = db.prepare('SELECT action, reason, unique_id AS uniqueId FROM calls WHERE id = ?');
    const lost = decided.filter((r) => {
      const row = byId.get(Number(r.variables.CALLFILTER_CALL_ID)) as { action: string; reason: string } | undefined;
      return !row || row.action !== r.variables.CALLFILTER_ACTION || row.reason !== r.variables.CALLFILTER_REASON;
    });
    console.log(
      `[reliability] kill -9 during calls: ${decided.length} decisions had reached Asterisk, ${cut} calls were cut mid-session, ${refused} callers refused after the kill; lost from the log: ${lost.length}`,
    );
    expect(lost).toEqual([]);
    expect(decided.length).toBeGreaterThanOrEqual(400);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

const OLD_ROWS = 30_000;
const NEW_ROWS = 100_000;

/** Imports NEW_ROWS into list 1 with the store's versioned replace, printing progress; run as a child to kill. */
const IMPORTER = `
import { openStore } from './dist/src/store/index.js';
const store = openStore(process.argv[1]);
const total = Number(process.argv[2]);
function* rows() {
  for (let i = 0; i < total; i++) {
    if (i % 10000 === 0) process.stdout.write('read ' + i + '\\n');
    yield { number: '+4989' + String(10000000 + i), score: 5, label: 'new' };
  }
  process.stdout.write('read all\\n');
}
await store.lists.replaceEntries(1, rows());
process.stdout.write('done\\n');
store.db.close();
`;

/** List 1's active version, read through a connection of its own (as another process would). */
function activeVersion(file: string): number {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.prepare('SELECT active_version FROM lists WHERE id = 1').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** What list 1 holds now: the active version's rows, and rows of any other version. */
async function listState(store: SqliteStore) {
  const list = await store.lists.get(1);
  const h = store.db.handle;
  const active = h
    .prepare(
      'SELECT count(*) AS n, min(label) AS lo, max(label) AS hi FROM list_entries WHERE list_id = 1 AND version = ?',
    )
    .get(list?.activeVersion) as { n: number; lo: string; hi: string };
  const others = h
    .prepare('SELECT count(*) FROM list_entries WHERE list_id = 1 AND version != ?')
    .pluck()
    .get(list?.activeVersion) as number;
  return { entryCount: list?.entryCount, active, others };
}

describe('kill -9 during a large list import', () => {
  it('leaves the old list or the new one in full, never a part', async () => {
    const file = join(tempDir(), 'callfilter.db');
    const seed = openStore(file);
    const list = await seed.lists.create({ name: 'PhoneBlock', threshold: 4 });
    expect(list.id).toBe(1);
    await seed.lists.replaceEntries(
      1,
      Array.from({ length: OLD_ROWS }, (_, i) => ({ number: `+4930${10_000_000 + i}`, score: 5, label: 'old' })),
    );
    seed.db.close();

    const outcomes: string[] = [];
    // Kill points: early, halfway, after the last row was read, right after the switch to the new version (while
    // the old version's rows are being deleted), and not at all.
    for (const killAt of [/read 10000\n/, /read 60000\n/, /read all\n/, 'switched', undefined] as const) {
      const before = activeVersion(file);
      const importer = startScript(IMPORTER, [file, String(NEW_ROWS)]);
      if (killAt === 'switched') {
        await importer.waitFor(/read all\n/, 60_000);
        while (activeVersion(file) === before && importer.child.exitCode === null) await sleep(1);
        importer.child.kill('SIGKILL');
        const { signal } = await importer.exited;
        expect(signal, 'killed before it finished cleaning up').toBe('SIGKILL');
      } else if (killAt) {
        await importer.waitFor(killAt, 60_000);
        importer.child.kill('SIGKILL');
        expect((await importer.exited).signal).toBe('SIGKILL');
      } else {
        await importer.waitFor(/done\n/, 60_000);
        expect((await importer.exited).code).toBe(0);
      }
      // The next open (the service's, after a restart) cleans up what the import left.
      const store = openStore(file);
      const state = await listState(store);
      expect(store.db.handle.pragma('integrity_check', { simple: true })).toBe('ok');
      store.db.close();
      expect(state.others).toBe(0);
      const whole =
        (state.active.n === OLD_ROWS && state.active.hi === 'old') ||
        (state.active.n === NEW_ROWS && state.active.lo === 'new' && state.active.hi === 'new');
      expect(whole, JSON.stringify(state)).toBe(true);
      expect(state.entryCount).toBe(state.active.n);
      const when =
        killAt === undefined
          ? 'not killed'
          : killAt === 'switched'
            ? 'killed right after the switch'
            : `killed at ${killAt.source.replace('\\n', '')}`;
      outcomes.push(`${when} → ${state.active.hi === 'old' ? 'old list' : 'new list'} (${state.active.n} rows)`);
      if (killAt === 'switched') expect(state.active.hi).toBe('new');
    }
    console.log(`[reliability] kill -9 during a ${NEW_ROWS}-row list import: ${outcomes.join('; ')}`);
    expect(outcomes.at(-1)).toContain('new list');
  });
});

const OLD_ENTRIES = 2_000;
const CSV_ROWS = 100_000;
const csvNumber = (i: number) => `+4989${String(10_000_000 + i)}`;

/** The entries every reader sees (the rows of unfinished imports hidden), through a connection that cleans nothing up. */
function visibleEntries(file: string): { n: number; labels: string[] } {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const n = db.prepare(`SELECT count(*) FROM entries WHERE ${VISIBLE}`).pluck().get() as number;
    const labels = db
      .prepare(`SELECT DISTINCT label FROM entries WHERE ${VISIBLE} ORDER BY label`)
      .pluck()
      .all() as string[];
    return { n, labels };
  } finally {
    db.close();
  }
}

function importedRows(file: string): number {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM entries WHERE import_id IS NOT NULL').pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('kill -9 during a large import into the entries', () => {
  it('leaves the old entries in force and no imported row visible, before and after the next open cleans up', {
    timeout: 300_000,
  }, async () => {
    const dir = tempDir();
    const file = join(dir, 'callfilter.db');
    const seed = openStore(file);
    // Half of the old entries are numbers of the file too (skipped as duplicates by an import that finishes).
    await seed.entries.bulkInsert(
      Array.from({ length: OLD_ENTRIES }, (_, i) => ({
        number: csvNumber(i * 50 - OLD_ENTRIES * 25),
        kind: 'block' as const,
        label: 'old',
      })),
    );
    seed.db.close();
    const csv = join(tempDir(), 'block.csv');
    writeFileSync(csv, `${Array.from({ length: CSV_ROWS }, (_, i) => `${csvNumber(i)};new`).join('\n')}\n`);
    const env = { CALLFILTER_DATA_DIR: dir, CALLFILTER_HOME_AREA_CODE: '30' };

    const outcomes: string[] = [];
    for (const killAt of [5_000, 50_000, undefined]) {
      // The command line's import (a worker thread parses, the main thread writes), as a user would run it.
      const importer = startChild([join(ROOT, 'bin/callfilter.js'), 'import', csv, '--kind', 'block'], env);
      if (killAt !== undefined) {
        // Rows are committed, in many transactions, while the import runs: kill it once this many are.
        while (importedRows(file) < killAt) {
          if (importer.child.exitCode !== null)
            throw new Error(`the import ended before ${killAt} rows: ${importer.stdout()} ${importer.stderr()}`);
          await sleep(5);
        }
        importer.child.kill('SIGKILL');
        expect((await importer.exited).signal).toBe('SIGKILL');
        // Before anyone cleans up: the killed import's rows are there, and nobody sees them.
        expect(importedRows(file)).toBeGreaterThanOrEqual(killAt);
        expect(visibleEntries(file)).toEqual({ n: OLD_ENTRIES, labels: ['old'] });
      } else {
        expect((await importer.exited).code).toBe(0);
        expect(importer.stdout()).toContain(
          `${(CSV_ROWS - OLD_ENTRIES / 2).toLocaleString('en')} added, ${(OLD_ENTRIES / 2).toLocaleString('en')} duplicates skipped`,
        );
      }
      // The next open (the service's, after a restart) removes what a crashed import left.
      const store = openStore(file);
      const all = store.db.handle.prepare('SELECT count(*) FROM entries').pluck().get() as number;
      const unfinished = store.db.handle
        .prepare("SELECT count(*) FROM imports WHERE state <> 'done'")
        .pluck()
        .get() as number;
      const integrity = store.db.handle.pragma('integrity_check', { simple: true });
      const lookup = async (n: string) => (await store.entries.match(n, [n])).map((e) => e.label);
      const [fileOnly, both] = [await lookup(csvNumber(CSV_ROWS - 1)), await lookup(csvNumber(0))];
      store.db.close();
      expect(integrity).toBe('ok');
      expect(unfinished).toBe(0);
      expect(both).toEqual(['old']);
      if (killAt !== undefined) {
        expect(all).toBe(OLD_ENTRIES);
        expect(fileOnly).toEqual([]);
        outcomes.push(`killed after ${killAt} rows → old entries (${all})`);
      } else {
        expect(all).toBe(OLD_ENTRIES + CSV_ROWS - OLD_ENTRIES / 2);
        expect(fileOnly).toEqual(['new']);
        outcomes.push(`not killed → all (${all})`);
      }
    }
    console.log(`[reliability] kill -9 during a ${CSV_ROWS}-row entry import: ${outcomes.join('; ')}`);
  });
});
