/** Spam lists, the same cases against both engines: SQLite in a data folder and a real PostgreSQL. */
import { existsSync } from 'node:fs';
import type pg from 'pg';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type ListEntryInput, type ListsRepository, openStore } from '../../src/store/index.js';
import { matchSql } from '../../src/store/lists-repository.js';
import { createPostgresListsRepository } from '../../src/store/pg/lists-repository.js';
import { postgresPool } from '../../src/store/pg/pool.js';
import { ROOT, startScript } from '../reliability/processes.js';
import { usePostgresDatabase } from './engines.js';
import { leadingParts, queryPlan, tempStore } from './helpers.js';

const postgres = usePostgresDatabase('lists');

const T0 = Date.UTC(2025, 0, 15, 9, 0);
const clock = () => T0;
const CALLER = '+49301234567';

function* numbers(from: number, count: number, label?: string): Generator<ListEntryInput> {
  for (let i = 0; i < count; i++) yield { number: `+4940${from + i}`, score: 10, ...(label && { label }) };
}

/** One engine's lists, and what a test needs to look under them. */
interface Engine {
  lists: ListsRepository;
  /** Rows of the list in list_entries, of any version. */
  rowsOf(listId: number): Promise<number>;
  /** Rows written behind the repository's back (what a crashed import leaves). */
  insertRaw(listId: number, version: number, numbers: readonly string[]): Promise<void>;
  /** Another connection (SQLite) or another node's pool (PostgreSQL) on the same database. */
  other(): Promise<ListsRepository>;
  /** Kills the connection an import is writing through, mid-import, as a crash of its process would. */
  crash(): Promise<void>;
  /** What a restart after the crash gives: a new connection, after the store's open ran cleanupOrphans. */
  restart(): Promise<Engine>;
}

function sqlite(options: { clock?: () => number } = {}): Engine {
  const t = tempStore(options);
  const on = (store: typeof t.store): Engine => ({
    lists: store.lists,
    rowsOf: async (listId) =>
      store.db.handle.prepare('SELECT count(*) FROM list_entries WHERE list_id = ?').pluck().get(listId) as number,
    insertRaw: async (listId, version, numbers) => {
      const insert = store.db.handle.prepare('INSERT INTO list_entries (list_id, version, number) VALUES (?, ?, ?)');
      for (const number of numbers) insert.run(listId, version, number);
    },
    other: async () => t.reopen().lists,
    crash: async () => {
      store.db.handle.close();
    },
    restart: async () => on(t.reopen()), // openStore runs cleanupOrphans
  });
  return on(t.store);
}

async function postgresEngine(options: { clock?: () => number } = {}): Promise<Engine> {
  // fresh() empties the database; the engine's own pools can be ended by crash() without ending fresh()'s twice.
  const url = (await postgres.fresh()).options.connectionString as string;
  const on = (p: pg.Pool): Engine => ({
    lists: createPostgresListsRepository(p, options),
    rowsOf: async (listId) =>
      (await p.query<{ n: number }>('SELECT count(*) AS n FROM list_entries WHERE list_id = $1', [listId])).rows[0]
        ?.n ?? 0,
    insertRaw: async (listId, version, numbers) => {
      await p.query('INSERT INTO list_entries (list_id, version, number) SELECT $1, $2, unnest($3::text[])', [
        listId,
        version,
        numbers,
      ]);
    },
    other: async () => createPostgresListsRepository(another(), options),
    crash: async () => {
      // The importer's session is the one holding a version's advisory lock; the pool goes too (no cleanup after).
      await p.query(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()",
      );
      void p.end();
    },
    restart: async () => {
      const engine = on(another());
      await engine.lists.cleanupOrphans(); // what the store's open does on SQLite
      return engine;
    },
  });
  const another = () => {
    const p = postgresPool(url);
    onTestFinished(() => (p.ending ? undefined : p.end())); // a crash() ended it already
    return p;
  };
  return on(another());
}

const engines: [string, (options?: { clock?: () => number }) => Promise<Engine>][] = [
  ['SQLite', async (options) => sqlite(options)],
  ['PostgreSQL', postgresEngine],
];

describe.each(engines)('lists on %s', (_, open) => {
  it('create, get, list, update; a duplicate name is a "unique" StoreError', async () => {
    const { lists } = await open({ clock });
    const list = await lists.create({
      name: 'phoneblock',
      threshold: 4,
      action: 'announce',
      label: 'SPAM',
      sourceUrl: 'https://phoneblock.net/phoneblock/api/blocklist',
    });
    expect(list).toEqual({
      id: list.id,
      name: 'phoneblock',
      kind: 'spam',
      threshold: 4,
      action: 'announce',
      label: 'SPAM',
      sourceUrl: 'https://phoneblock.net/phoneblock/api/blocklist',
      enabled: true,
      activeVersion: 0,
      entryCount: 0,
      updatedAt: T0,
      createdAt: T0,
    });
    await expect(lists.create({ name: 'phoneblock' })).rejects.toThrow(
      expect.objectContaining({ code: 'unique', message: expect.stringContaining('"phoneblock" already exists') }),
    );
    const other = await lists.create({ name: 'k-tipp' });
    expect((await lists.list()).map((l) => l.name)).toEqual(['k-tipp', 'phoneblock']);
    expect(await lists.update(list.id, { threshold: 10, label: null, syncCursor: '4718', syncedAt: T0 })).toMatchObject(
      { threshold: 10, syncCursor: '4718', syncedAt: T0 },
    );
    expect(await lists.get(list.id)).not.toHaveProperty('label');
    await expect(lists.update(other.id, { name: 'phoneblock' })).rejects.toThrow(
      expect.objectContaining({ code: 'unique' }),
    );
    expect((await lists.getByName('k-tipp'))?.id).toBe(other.id);
  });

  it('replaceEntries writes a new version in batches, flips to it, and deletes the old one', async () => {
    const engine = await open({ clock });
    const { lists } = engine;
    const list = await lists.create({
      name: 'calls',
      threshold: 2,
      action: 'hangup',
      cause: 17,
      label: 'SPAM: call centre',
    });
    const first = await lists.replaceEntries(
      list.id,
      [
        { number: CALLER, score: 5, label: 'Gewinnspiel' },
        { number: '+4930123', prefix: true },
        { number: CALLER, score: 1 },
      ],
      { batchSize: 2 },
    );
    expect(first).toEqual({ listId: list.id, version: 1, added: 2, duplicates: 1, removed: 0 });
    expect(await lists.get(list.id)).toMatchObject({ activeVersion: 1, entryCount: 2 });

    const hits = await lists.match(CALLER, leadingParts(CALLER));
    expect(hits).toEqual([
      {
        listId: list.id,
        listName: 'calls',
        entryId: expect.any(Number),
        number: CALLER,
        prefix: false,
        score: 5,
        threshold: 2,
        action: 'hangup',
        cause: 17,
        label: 'Gewinnspiel',
      },
      {
        listId: list.id,
        listName: 'calls',
        entryId: expect.any(Number),
        number: '+4930123',
        prefix: true,
        score: 1,
        threshold: 2,
        action: 'hangup',
        cause: 17,
        label: 'SPAM: call centre',
      },
    ]);

    const second = await lists.replaceEntries(list.id, numbers(0, 12_345), { batchSize: 1000 });
    expect(second).toEqual({ listId: list.id, version: 2, added: 12_345, duplicates: 0, removed: 2 });
    expect(await lists.match(CALLER, leadingParts(CALLER))).toEqual([]);
    expect(await lists.match('+49407', leadingParts('+49407'))).toHaveLength(1);
    expect(await engine.rowsOf(list.id)).toBe(12_345);
    expect((await lists.entries(list.id, { limit: 5 })).items.map((e) => e.number)).toEqual([
      '+49400',
      '+49401',
      '+49402',
      '+49403',
      '+49404',
    ]);
  });

  it('accepts an async iterable', async () => {
    const { lists } = await open();
    const list = await lists.create({ name: 'async' });
    async function* rows() {
      for (const row of numbers(0, 50)) yield row;
    }
    expect(await lists.replaceEntries(list.id, rows(), { batchSize: 7 })).toMatchObject({
      added: 50,
      version: 1,
    });
  });

  it('a replace whose input fails halfway leaves the old version active, matchable and alone', async () => {
    const engine = await open();
    const { lists } = engine;
    const list = await lists.create({ name: 'calls' });
    await lists.replaceEntries(list.id, [{ number: CALLER, score: 3 }]);
    function* failing() {
      yield* numbers(0, 2500);
      throw new Error('download interrupted');
    }
    await expect(lists.replaceEntries(list.id, failing(), { batchSize: 1000 })).rejects.toThrow('download interrupted');
    expect(await lists.get(list.id)).toMatchObject({ activeVersion: 1, entryCount: 1 });
    expect((await lists.match(CALLER, leadingParts(CALLER))).map((h) => h.score)).toEqual([3]);
    expect(await lists.match('+49401', leadingParts('+49401'))).toEqual([]);
    expect(await engine.rowsOf(list.id)).toBe(1); // the failed version's rows were removed again

    // and the next import works normally
    expect(await lists.replaceEntries(list.id, numbers(0, 10))).toMatchObject({
      version: 3,
      added: 10,
      removed: 1,
    });
  });

  it('after a crash mid-import the old list is intact and the next open removes the orphans', async () => {
    const engine = await open();
    const { lists } = engine;
    const list = await lists.create({ name: 'calls' });
    await lists.replaceEntries(list.id, [{ number: CALLER, score: 3 }]);
    // "Crash": the process dies after 3 committed batches — simulated by killing its connection under the import.
    async function* crashing() {
      yield* numbers(0, 3000);
      await engine.crash();
      yield* numbers(3000, 1000);
    }
    await expect(lists.replaceEntries(list.id, crashing(), { batchSize: 1000 })).rejects.toThrow();

    const raw = await engine.restart();
    expect(await raw.lists.get(list.id)).toMatchObject({ activeVersion: 1, entryCount: 1 });
    expect(await raw.lists.match(CALLER, leadingParts(CALLER))).toHaveLength(1);
    expect(await raw.rowsOf(list.id)).toBe(1); // the open's cleanupOrphans ran
  });

  it('cleanupOrphans removes rows of a half-written version and keeps the active one', async () => {
    const engine = await open();
    const { lists } = engine;
    const list = await lists.create({ name: 'calls' });
    await lists.replaceEntries(list.id, numbers(0, 10));
    await engine.insertRaw(
      list.id,
      2,
      Array.from({ length: 7000 }, (_, i) => `+4950${i}`),
    );
    await engine.insertRaw(list.id, 0, ['+4960']);
    expect(await lists.match('+49501', leadingParts('+49501'))).toEqual([]);
    expect(await lists.cleanupOrphans()).toBe(7001);
    expect(await engine.rowsOf(list.id)).toBe(10);
    expect(await lists.cleanupOrphans()).toBe(0);
  });

  it('applyChanges updates the active version incrementally', async () => {
    const { lists } = await open();
    const list = await lists.create({ name: 'phoneblock' });
    expect(await lists.applyChanges(list.id, { upsert: [{ number: '+493012345670', score: 2 }] })).toEqual({
      added: 1,
      updated: 0,
      removed: 0,
    });
    expect(await lists.get(list.id)).toMatchObject({ activeVersion: 1, entryCount: 1 });
    const result = await lists.applyChanges(list.id, {
      upsert: [
        { number: '+493012345670', score: 50, label: 'G_FRAUD' },
        { number: '+442079460958', score: 100 },
      ],
      remove: [{ number: '+493012345675' }],
    });
    expect(result).toEqual({ added: 1, updated: 1, removed: 0 });
    expect(await lists.applyChanges(list.id, { remove: [{ number: '+442079460958' }] })).toEqual({
      added: 0,
      updated: 0,
      removed: 1,
    });
    expect((await lists.get(list.id))?.entryCount).toBe(1);
    expect(await lists.match('+493012345670', [])).toMatchObject([{ score: 50, label: 'G_FRAUD' }]);
  });

  it('match only sees enabled lists; remove deletes the list and its rows', async () => {
    const engine = await open();
    const { lists } = engine;
    const a = await lists.create({ name: 'a' });
    const b = await lists.create({ name: 'b', threshold: 3 });
    await lists.replaceEntries(a.id, [{ number: CALLER }]);
    await lists.replaceEntries(b.id, [{ number: '+4930', prefix: true, score: 1 }]);
    expect((await lists.match(CALLER, leadingParts(CALLER))).map((h) => h.listName)).toEqual(['a', 'b']);
    await lists.update(a.id, { enabled: false });
    expect((await lists.match(CALLER, leadingParts(CALLER))).map((h) => h.listName)).toEqual(['b']);
    expect(await lists.remove(b.id)).toBe(true);
    expect(await lists.remove(b.id)).toBe(false);
    expect(await lists.get(b.id)).toBeUndefined();
    expect(await engine.rowsOf(b.id)).toBe(0);
    await expect(lists.replaceEntries(b.id, [])).rejects.toMatchObject({ code: 'not-found' });
  });

  it("match finds prefixes of every length; a replaced version and another connection's changes count on the next lookup", async () => {
    const engine = await open();
    const { lists } = engine;
    const other = { lists: await engine.other() };
    const list = await lists.create({ name: 'calls' });
    const numbers = async () =>
      (await lists.match(CALLER, leadingParts(CALLER))).map((h) => `${h.number}${h.prefix ? '*' : ''}`);
    await lists.replaceEntries(list.id, [
      { number: '+49', prefix: true },
      { number: '+493012', prefix: true },
      { number: CALLER },
    ]);
    expect(await numbers()).toEqual([CALLER, '+493012*', '+49*']);
    await other.lists.replaceEntries(list.id, [{ number: '+4930123', prefix: true }]);
    expect(await numbers()).toEqual(['+4930123*']);
    await other.lists.applyChanges(list.id, { upsert: [{ number: '+4930', prefix: true }] });
    expect(await numbers()).toEqual(['+4930123*', '+4930*']);
    await other.lists.applyChanges(list.id, { remove: [{ number: '+4930123', prefix: true }] });
    expect(await numbers()).toEqual(['+4930*']);
  });
});

/**
 * Another process (the compiled store, as the service runs it) importing 6,000 rows into list 1: it stops after the
 * first 3,000, prints `halfway`, and goes on at a line on stdin; then prints `done <added>` or `failed <message>`.
 */
const LIST_IMPORTER = `
import { createInterface } from 'node:readline';
import { openStore } from './dist/src/store/index.js';
const store = openStore(process.argv[1]);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function* rows() {
  for (let i = 0; i < 6000; i++) {
    if (i === 3000) {
      process.stdout.write('halfway\\n');
      await lines.next();
    }
    yield { number: '+4940' + (100000 + i), score: 5 };
  }
}
try {
  const result = await store.lists.replaceEntries(1, rows(), { batchSize: 1000 });
  process.stdout.write('done ' + result.added + '\\n');
} catch (err) {
  process.stdout.write('failed ' + err.message + '\\n');
}
store.db.close();
process.exit(0);
`;

describe('lists on SQLite only', () => {
  beforeAll(() => {
    if (!existsSync(`${ROOT}/dist/src/store/index.js`)) throw new Error('dist/ is missing: run npm run build first');
  });

  it("an open in another process (a short CLI command) leaves a running import's version alone, and a killed one's goes at the next open", async () => {
    const t = tempStore();
    const list = await t.store.lists.create({ name: 'calls' });
    expect(list.id).toBe(1);
    await t.store.lists.replaceEntries(list.id, [{ number: CALLER, score: 3 }]);
    const versionRows = (version: number) =>
      t.store.db.handle
        .prepare('SELECT count(*) FROM list_entries WHERE list_id = 1 AND version = ?')
        .pluck()
        .get(version) as number;
    const leases = () =>
      t.store.db.handle.prepare("SELECT name FROM leases WHERE name GLOB 'list-import:*'").pluck().all();

    const importer = startScript(LIST_IMPORTER, [t.file]);
    await importer.waitFor(/halfway\n/);
    const written = versionRows(2);
    expect(written).toBeGreaterThan(0);
    // What `callfilter block …` does while the service imports: open the store (and with it, its cleanup).
    const cli = openStore(t.file);
    cli.db.close();
    expect(versionRows(2)).toBe(written);
    importer.child.stdin.write('go on\n');
    expect((await importer.waitFor(/(done|failed) .*\n/))[0]).toBe('done 6000\n');
    expect(await t.store.lists.get(list.id)).toMatchObject({ activeVersion: 2, entryCount: 6000 });
    expect(leases()).toEqual([]);

    // Killed halfway: nothing runs its cleanup, so the next open removes what it wrote.
    const killed = startScript(LIST_IMPORTER, [t.file]);
    await killed.waitFor(/halfway\n/);
    expect(versionRows(3)).toBeGreaterThan(0);
    expect(leases()).toEqual(['list-import:1:3']);
    killed.child.kill('SIGKILL');
    await killed.exited;
    const next = t.reopen();
    expect(versionRows(3)).toBe(0);
    expect(await next.lists.get(list.id)).toMatchObject({ activeVersion: 2, entryCount: 6000 });
    expect(versionRows(2)).toBe(6000);
    expect(leases()).toEqual([]);
  });

  it("an open in this process leaves an import on another connection alone (its lease names this process's pid)", async () => {
    const t = tempStore();
    const list = await t.store.lists.create({ name: 'calls' });
    let resume!: () => void;
    let reached!: () => void;
    const halfway = new Promise<void>((resolve) => (reached = resolve));
    async function* rows() {
      yield* numbers(0, 3000);
      reached();
      await new Promise<void>((resolve) => (resume = resolve));
      yield* numbers(3000, 1000);
    }
    const running = t.store.lists.replaceEntries(list.id, rows(), { batchSize: 1000 });
    await halfway;
    const count = () => t.store.db.handle.prepare('SELECT count(*) FROM list_entries').pluck().get() as number;
    const written = count();
    expect(written).toBeGreaterThan(0);
    t.reopen();
    expect(count()).toBe(written);
    resume();
    expect(await running).toMatchObject({ version: 1, added: 4000 });
  });

  it('match uses the list_entries_number index, never a scan of list_entries', () => {
    const { store } = tempStore();
    const plan = queryPlan(store, matchSql(), [CALLER, CALLER.length, CALLER, CALLER]).join('\n');
    expect(plan).toMatch(/SEARCH le USING (COVERING )?INDEX list_entries_number \(number=\?/);
    expect(plan).toMatch(/SEARCH prefix_lengths USING PRIMARY KEY \(tbl=\? AND len<\?\)/);
    expect(plan).not.toMatch(/SCAN (le|prefix_lengths)/);
  });
});
