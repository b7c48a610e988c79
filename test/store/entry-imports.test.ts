import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { isOwnerGone } from '../../src/store/import-owner.js';
import { type EntryImportItem, type NewEntry, openStore, type Pace } from '../../src/store/index.js';
import { createPostgresEntryImports } from '../../src/store/pg/entry-imports.js';
import { postgresPool } from '../../src/store/pg/pool.js';
import { ROOT, startScript } from '../reliability/processes.js';
import { usePostgresDatabase } from './engines.js';
import { postgresSide, type Side, sqliteSide } from './entry-imports-sides.js';
import { tempStore } from './helpers.js';

const postgres = usePostgresDatabase('entry_imports');

/** Many small transactions, no rest: the batching shows in a few thousand rows, and the tests stay quick. */
const SMALL: Pace = { budgetMs: 1, restFactor: 0 };
const number = (i: number) => `+4989${String(10_000_000 + i)}`;
const row = (i: number, label = 'new'): NewEntry => ({ number: number(i), kind: 'block', label, source: 'csv' });

/** A gate the items wait at, so a test can look at the store halfway through an import. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let reached!: () => void;
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  // A test that fails halfway lets its import go on, so that it ends and frees the database for the next test.
  onTestFinished(() => open());
  return { open, arrived, wait: () => (reached(), opened) };
}

interface Engine {
  store: Side;
  /**
   * The same database opened again, as by another process (SQLite: another connection; PostgreSQL: another pool,
   * another node); its open removes what dead imports left, as the store's open does.
   */
  reopen(): Promise<Side>;
}

const engines: [string, () => Promise<Engine>][] = [
  [
    'SQLite',
    async () => {
      const t = tempStore();
      return { store: sqliteSide(t.store), reopen: async () => sqliteSide(t.reopen()) };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const pool = await postgres.fresh();
      return {
        store: postgresSide(pool, createPostgresEntryImports(pool)),
        reopen: async () => {
          const other = postgresPool(pool.options.connectionString as string);
          onTestFinished(() => other.end());
          const imports = createPostgresEntryImports(other);
          await imports.cleanupOrphans();
          return postgresSide(other, imports);
        },
      };
    },
  ],
];

const visible = (store: Side, n: string) => store.match(n);
const allRows = (store: Side) => store.scalar('SELECT count(*) FROM entries');
const unfinished = (store: Side) => store.scalar("SELECT count(*) FROM imports WHERE state <> 'done'");

describe.each(engines)('entry imports (%s)', (_, open) => {
  it('write in short transactions that no read sees, then switch all rows in at once', async () => {
    const { store, reopen } = await open();
    const other = await reopen();
    const halfway = gate();
    let batches = 0;
    async function* items(): AsyncGenerator<EntryImportItem> {
      for (let i = 0; i < 3000; i++) yield row(i);
      await halfway.wait();
      for (let i = 3000; i < 6000; i++) yield row(i);
    }
    const running = store.imports.run('csv', items(), { pace: SMALL, onWritten: () => batches++ });
    await halfway.arrived;
    // The first 3,000 rows are committed, in more than one transaction, and hidden from every read on any connection.
    expect(batches).toBeGreaterThan(1);
    expect(await allRows(other)).toBeGreaterThanOrEqual(1000);
    for (const s of [store, other]) {
      expect(await visible(s, number(1))).toEqual([]);
      expect(await s.count()).toBe(0);
      expect((await s.list()).items).toEqual([]);
      expect(await s.findByNumber(number(1), false)).toEqual([]);
    }
    halfway.open();
    expect(await running).toMatchObject({ added: 6000, skipped: 0, contacts: 0 });
    for (const s of [store, other]) {
      expect(await visible(s, number(1))).toMatchObject([{ number: number(1), label: 'new' }]);
      expect(await visible(s, number(5999))).toHaveLength(1);
      expect(await s.count()).toBe(6000);
    }
  });

  it('list pages around an unfinished import: the rows others add meanwhile show, its own do not', async () => {
    const { store } = await open();
    await store.bulkInsert(
      Array.from({ length: 5 }, (_, i) => ({ number: `+4930${1000 + i}`, kind: 'block' as const, label: `old ${i}` })),
    );
    const [first, second] = [gate(), gate()];
    async function* items(): AsyncGenerator<EntryImportItem> {
      for (let i = 0; i < 2000; i++) yield row(i);
      await first.wait();
      for (let i = 2000; i < 4000; i++) yield row(i);
      await second.wait();
    }
    const running = store.imports.run('csv', items(), { pace: SMALL });
    await first.arrived;
    // Added by hand while the import runs: one among its rows (more of them follow), one after them.
    await store.create({ number: '+4940111', kind: 'allow', label: 'inside' });
    first.open();
    await second.arrived;
    await store.create({ number: '+4940222', kind: 'allow', label: 'after' });
    const labels = (page: { items: { label?: string }[] }) => page.items.map((e) => e.label);
    const p1 = await store.list({ limit: 3 });
    expect(labels(p1)).toEqual(['after', 'inside', 'old 4']);
    const p2 = await store.list({ limit: 3, cursor: p1.nextCursor as number });
    expect(labels(p2)).toEqual(['old 3', 'old 2', 'old 1']);
    expect(labels(await store.list({ limit: 3, cursor: p2.nextCursor as number }))).toEqual(['old 0']);
    expect(labels(await store.list({ kind: 'allow' }))).toEqual(['after', 'inside']);
    expect(labels(await store.list({ search: 'old 2' }))).toEqual(['old 2']);
    second.open();
    await running;
    // Finished: its rows show beside the two added meanwhile (the last batch may be written after "after", so the
    // order among them is the writer's; what counts is that nothing is lost or doubled).
    expect(labels(await store.list({ kind: 'allow' }))).toEqual(['after', 'inside']);
    expect(await store.count('block')).toBe(4005);
    expect(await store.count()).toBe(4007);
  });

  it('a failure late in the rows leaves the old entries exactly as they were, and no row of the import behind', async () => {
    const { store, reopen } = await open();
    await store.bulkInsert([
      row(1, 'old'),
      row(2, 'old'),
      { number: '+4930123', prefix: true, kind: 'block', label: 'old range' },
    ]);
    const before = (await store.list()).items;
    const halfway = gate();
    async function* items(): AsyncGenerator<EntryImportItem> {
      for (let i = 0; i < 5000; i++) yield row(i);
      await halfway.wait();
      yield row(5000);
      throw new Error('line 5002: not a phone number');
    }
    const running = store.imports.run('csv', items(), { pace: SMALL });
    await halfway.arrived;
    expect(await allRows(await reopen())).toBeGreaterThan(3);
    halfway.open();
    await expect(running).rejects.toThrow('line 5002: not a phone number');
    expect((await store.list()).items).toEqual(before);
    expect(await allRows(store)).toBe(3);
    expect(await unfinished(store)).toBe(0);
    expect(await visible(store, number(1))).toMatchObject([{ label: 'old' }]);
    expect(await visible(store, number(3))).toEqual([]);
  });

  it('counts duplicates as one transaction did: existing entries, and rows repeated in other batches', async () => {
    const { store } = await open();
    await store.bulkInsert([row(10, 'old'), row(4000, 'old')]);
    // 0..4999, then 0..999 again (each in a later batch than the first time), then an allow row for 10 (a new entry).
    const items = [
      ...Array.from({ length: 5000 }, (_, i) => row(i)),
      ...Array.from({ length: 1000 }, (_, i) => row(i)),
      { ...row(10), kind: 'allow' as const },
    ];
    expect(await store.imports.run('csv', items, { pace: SMALL })).toMatchObject({ added: 4999, skipped: 1002 });
    expect((await visible(store, number(10))).map((e) => [e.kind, e.label])).toEqual([
      ['allow', 'new'],
      ['block', 'old'],
    ]);
    expect(await store.count()).toBe(5001);
  });

  it('hides the contacts of a card import until the switch, and reuses a card seen earlier in the same import', async () => {
    const { store } = await open();
    const halfway = gate();
    const card = (name: string, uid: string, ...numbers: number[]): EntryImportItem => ({
      contact: { name, externalId: uid },
      numbers: numbers.map((i) => ({ number: number(i), kind: 'allow', source: 'vcard' })),
    });
    async function* items(): AsyncGenerator<EntryImportItem> {
      for (let i = 0; i < 2000; i++) yield card(`Person ${i}`, `uid-${i}`, 2 * i, 2 * i + 1);
      await halfway.wait();
      yield card('Person 0', 'uid-0', 9_000_000);
      yield card('Nobody new', 'uid-x', 0);
    }
    const running = store.imports.run('vcard', items(), { pace: SMALL });
    await halfway.arrived;
    expect(await store.contacts()).toEqual([]);
    expect(await store.contactsByExternalId('vcard', 'uid-1')).toEqual([]);
    halfway.open();
    expect(await running).toMatchObject({ added: 4001, skipped: 1, contacts: 2000 });
    const anna = await store.contactsByExternalId('vcard', 'uid-0');
    expect(anna).toHaveLength(1);
    expect((await store.list({ contactId: anna[0]?.id })).items.map((e) => e.number).sort()).toEqual([
      number(0),
      number(1),
      number(9_000_000),
    ]);
    expect(await visible(store, number(9_000_000))).toMatchObject([{ label: 'Person 0', kind: 'allow' }]);
  });

  it('run one at a time on one database, so that a failing import never takes rows from another', async () => {
    const { store } = await open();
    const halfway = gate();
    async function* failing(): AsyncGenerator<EntryImportItem> {
      for (let i = 0; i < 3000; i++) yield row(i, 'first');
      await halfway.wait();
      throw new Error('a bad row');
    }
    const first = store.imports.run('csv', failing(), { pace: SMALL });
    await halfway.arrived;
    // Run beside the first, it would skip these as duplicates of its pending rows, which then go with it.
    const second = store.imports.run(
      'csv',
      Array.from({ length: 10 }, (_, i) => row(i, 'second')),
      { pace: SMALL },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    halfway.open();
    await expect(first).rejects.toThrow('a bad row');
    expect(await second).toMatchObject({ added: 10, skipped: 0 });
    expect(await visible(store, number(0))).toMatchObject([{ label: 'second' }]);
  });

  it('are cleaned up at open when their writer is gone, and left alone while it writes', async () => {
    const { store, reopen } = await open();
    const halfway = gate();
    async function* items(): AsyncGenerator<EntryImportItem> {
      for (let i = 0; i < 2000; i++) yield row(i);
      await halfway.wait();
    }
    const running = store.imports.run('csv', items(), { pace: SMALL });
    await halfway.arrived;
    const during = await reopen();
    // Committed so far (the rows of a batch not yet full wait for more): not taken for a crashed import's.
    const written = await allRows(during);
    expect(written).toBeGreaterThan(0);
    // A pending import of a process that exited: the next open removes it.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    await during.run(
      "INSERT INTO imports (source, state, owner, heartbeat_at, started_at) VALUES ('csv', 'pending', ?, ?, ?)",
      [`${hostname()}:${dead}`, Date.now(), Date.now()],
    );
    const deadId = await during.scalar('SELECT max(id) FROM imports');
    await during.run(
      "INSERT INTO entries (number, kind, source, created_at, updated_at, import_id) VALUES ('+4940111', 'block', 'csv', 0, 0, ?)",
      [deadId],
    );
    const after = await reopen();
    expect(await after.scalar('SELECT count(*) FROM entries WHERE import_id = ?', [deadId])).toBe(0);
    expect(await allRows(after)).toBe(written);
    halfway.open();
    expect(await running).toMatchObject({ added: 2000 });
    expect(await after.count()).toBe(2000);
  });
});

/**
 * Another process (the compiled store, as the service runs it) importing 4,000 entries: it stops after the first
 * 2,000, prints `halfway`, and goes on at a line on stdin; then prints `done <added>` or `failed <message>`.
 */
const ENTRY_IMPORTER = `
import { createInterface } from 'node:readline';
import { openStore } from './dist/src/store/index.js';
const store = openStore(process.argv[1]);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function* items() {
  for (let i = 0; i < 4000; i++) {
    if (i === 2000) {
      process.stdout.write('halfway\\n');
      await lines.next();
    }
    yield { number: '+4989' + (10000000 + i), kind: 'block', source: 'csv' };
  }
}
try {
  const result = await store.entryImports.run('csv', items(), { pace: { budgetMs: 1, restFactor: 0 } });
  process.stdout.write('done ' + result.added + '\\n');
} catch (err) {
  process.stdout.write('failed ' + err.message + '\\n');
}
store.db.close();
process.exit(0);
`;

describe('entry imports on SQLite only', () => {
  beforeAll(() => {
    if (!existsSync(`${ROOT}/dist/src/store/index.js`)) throw new Error('dist/ is missing: run npm run build first');
  });

  it('an import of a live process on this host is left alone by an open in another process, even when its source has stalled past the heartbeat limit', async () => {
    const t = tempStore();
    const importer = startScript(ENTRY_IMPORTER, [t.file]);
    await importer.waitFor(/halfway\n/);
    const rows = () => t.store.db.handle.prepare('SELECT count(*) FROM entries').pluck().get() as number;
    const written = rows();
    expect(written).toBeGreaterThan(0);
    // The open happens 11 minutes on: the importer has not written (nor beaten) since, waiting for its source.
    const later = openStore(t.file, { clock: () => Date.now() + 11 * 60_000 });
    later.db.close();
    expect(rows()).toBe(written);
    importer.child.stdin.write('go on\n');
    expect((await importer.waitFor(/(done|failed) .*\n/))[0]).toBe('done 4000\n');
    expect(await t.store.entries.count()).toBe(4000);
  });

  it('an open never removes the rows of an import that finished after the open read it as unfinished', async () => {
    const t = tempStore();
    // An import of a process on this host, with its rows; the process finishes it, then exits.
    const writer = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const handle = t.store.db.handle;
    const id = handle
      .prepare(
        "INSERT INTO imports (source, state, owner, heartbeat_at, started_at) VALUES ('csv', 'pending', ?, ?, ?) RETURNING id",
      )
      .pluck()
      .get(`${hostname()}:${writer}`, Date.now(), Date.now()) as number;
    handle
      .prepare(
        "INSERT INTO entries (number, kind, source, created_at, updated_at, import_id) VALUES ('+4940111', 'block', 'csv', 0, 0, ?)",
      )
      .run(id);
    // The open reads the import as pending; by the time it asks whether the writer lives, the writer has switched
    // its import in (on another connection) and exited.
    const kill = process.kill.bind(process);
    const spy = vi.spyOn(process, 'kill').mockImplementation((pid, signal) => {
      if (pid !== writer) return kill(pid, signal);
      handle.prepare("UPDATE imports SET state = 'done', finished_at = ?, added = 1 WHERE id = ?").run(Date.now(), id);
      throw Object.assign(new Error(`kill ESRCH`), { code: 'ESRCH' });
    });
    onTestFinished(() => spy.mockRestore());
    t.reopen();
    expect(spy).toHaveBeenCalledWith(writer, 0);
    expect(handle.prepare('SELECT state FROM imports WHERE id = ?').pluck().get(id)).toBe('done');
    expect(await t.store.entries.findByNumber('+4940111', false)).toMatchObject([{ number: '+4940111' }]);
  });
});

describe('isOwnerGone', () => {
  const now = 1_800_000_000_000;
  it('is true for a dead process on this host, or this pid (an earlier process), or a stale heartbeat elsewhere', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    expect(isOwnerGone(`${hostname()}:${dead}`, now, now)).toBe(true);
    expect(isOwnerGone(`${hostname()}:${process.pid}`, now, now)).toBe(true);
    expect(isOwnerGone(`${hostname()}:${process.ppid}`, now, now)).toBe(false);
    expect(isOwnerGone('another-host:1', now, now)).toBe(false);
    expect(isOwnerGone('another-host:1', now - 11 * 60_000, now)).toBe(true);
  });

  it('takes a live process on this host for the writer however old its heartbeat, unless it started after that heartbeat (its pid was reused)', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    onTestFinished(() => void child.kill('SIGKILL'));
    await new Promise((resolve) => child.once('spawn', resolve));
    const owner = `${hostname()}:${child.pid}`;
    const beat = Date.now();
    expect(isOwnerGone(owner, beat, beat + 11 * 60_000)).toBe(false);
    expect(isOwnerGone(owner, beat, beat + 24 * 60 * 60_000)).toBe(false);
    // A heartbeat from before the process began is another process's, whose pid this one got.
    expect(isOwnerGone(owner, beat - 11 * 60_000, beat)).toBe(true);
  });
});
