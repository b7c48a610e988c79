import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createEntriesOperations } from '../../src/store/entries-repository.js';
import {
  Database,
  isBusy,
  latestVersion,
  migrate,
  openStore,
  StoreError,
  schemaVersion,
} from '../../src/store/index.js';
import { defaultMigrationsDir, loadMigrations } from '../../src/store/migrate.js';
import { newCall, tempDir, tempStore } from './helpers.js';

const isRoot = process.getuid?.() === 0;

describe('Database', () => {
  it('creates the parent directory and opens in WAL mode with the pragmas set', () => {
    const { store, file } = tempStore();
    expect(existsSync(file)).toBe(true);
    const db = store.db;
    expect(db.pragma('journal_mode')).toBe('wal');
    expect(db.pragma('synchronous')).toBe(1); // NORMAL
    expect(db.pragma('foreign_keys')).toBe(1);
    expect(db.pragma('busy_timeout')).toBe(250);
    expect(db.pragma('temp_store')).toBe(2); // MEMORY
    expect(db.pragma('cache_size')).toBe(-16384);
  });

  it('read() runs its queries on one snapshot: a commit from another connection meanwhile is not seen', async () => {
    const { store, file } = tempStore();
    await store.calls.insert(newCall(1));
    const other = new BetterSqlite3(file);
    // A plain statement: read()'s function runs synchronously.
    const count = store.db.prepare<[], number>('SELECT count(*) FROM calls').pluck();
    try {
      const seen = store.db.read(() => {
        const before = count.get();
        other
          .prepare(
            "INSERT INTO calls (at, caller_raw, caller_kind, action, reason, profile) VALUES (1, 'x', 'number', 'connect', 'unknown', 'default')",
          )
          .run();
        return [before, count.get()];
      });
      expect(seen).toEqual([1, 1]);
      expect(await store.calls.count()).toBe(2);
    } finally {
      other.close();
    }
  });

  it('takes the busy timeout from the options', () => {
    const { store } = tempStore({ busyTimeoutMs: 40 });
    expect(store.db.pragma('busy_timeout')).toBe(40);
  });

  it('close() is idempotent and later use is a "closed" StoreError', async () => {
    const { store } = tempStore();
    store.db.close();
    store.db.close();
    expect(store.db.isOpen).toBe(false);
    await expect(store.entries.count()).rejects.toThrow(
      expect.objectContaining({ name: 'StoreError', code: 'closed' }),
    );
  });

  it('transaction() rolls back everything when the function throws', async () => {
    const { store } = tempStore();
    // The store's own operations: a transaction's body runs synchronously.
    const entries = createEntriesOperations(store.db);
    expect(() =>
      store.db.transaction(() => {
        entries.create({ number: '+4930111', kind: 'block' });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(await store.entries.count()).toBe(0);
  });

  it('a write while another connection holds the write lock is a retryable "busy" error', async () => {
    const { store, reopen } = tempStore({ busyTimeoutMs: 20 });
    const other = reopen({ busyTimeoutMs: 20 });
    other.db.handle.exec('BEGIN IMMEDIATE');
    try {
      let caught: unknown;
      try {
        await store.entries.create({ number: '+4930111', kind: 'block' });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(StoreError);
      expect(caught).toMatchObject({ code: 'busy', retryable: true });
      expect(isBusy(caught)).toBe(true);
      // retry() waits without blocking and succeeds once the lock is gone
      setTimeout(() => other.db.handle.exec('COMMIT'), 30);
      const entries = createEntriesOperations(store.db);
      const id = await store.db.retry(() => entries.create({ number: '+4930111', kind: 'block' }).id);
      expect((await store.entries.get(id))?.number).toBe('+4930111');
    } finally {
      if (other.db.handle.inTransaction) other.db.handle.exec('ROLLBACK');
    }
  });

  it('a database opened read-only refuses writes with a "readonly" StoreError', async () => {
    const { store, reopen } = tempStore();
    await store.entries.create({ number: '+4930111', kind: 'block' });
    const ro = reopen({ readonly: true });
    expect(await ro.entries.count()).toBe(1);
    await expect(ro.entries.create({ number: '+4930222', kind: 'block' })).rejects.toThrow(
      expect.objectContaining({ code: 'readonly', message: expect.stringContaining('read-only') }),
    );
  });

  it.skipIf(isRoot)(
    'a database file without write permission refuses writes with a "readonly" StoreError',
    async () => {
      const { store, file, reopen } = tempStore();
      store.db.close();
      chmodSync(file, 0o444);
      // Opening already writes (WAL mode, migrations), so the error comes at open — or at the first write.
      await expect(reopen().entries.create({ number: '+4930222', kind: 'block' })).rejects.toThrow(
        expect.objectContaining({ code: 'readonly' }),
      );
    },
  );

  it('a file that is not a database is a "corrupt" StoreError', () => {
    const { dir } = tempDir();
    const file = join(dir, 'callfilter.db');
    writeFileSync(
      file,
      'this is not an SQLite database, just some text that is long enough to have a header\n'.repeat(20),
    );
    expect(() => Database.open(file)).toThrow(expect.objectContaining({ code: 'corrupt' }));
  });

  it('a missing file opened read-only is a "cantopen" StoreError naming the file', () => {
    const { dir } = tempDir();
    const file = join(dir, 'nope.db');
    expect(() => Database.open(file, { readonly: true })).toThrow(
      expect.objectContaining({ code: 'cantopen', message: expect.stringContaining(file) }),
    );
  });

  it('data survives close and reopen', async () => {
    const { store, reopen } = tempStore();
    const entry = await store.entries.create({ number: '+4930123456', kind: 'block', label: 'Gewinnspiel' });
    const callId = await store.calls.insert({
      at: 1,
      callerRaw: '030123456',
      callerKind: 'number',
      caller: '+4930123456',
      action: 'hangup',
      reason: 'blocklist',
    });
    store.db.close();
    const again = reopen();
    expect(await again.entries.get(entry.id)).toEqual(entry);
    expect((await again.calls.get(callId))?.reason).toBe('blocklist');
  });
});

describe('migrations', () => {
  it('finds the migrations folder from the module and numbers them from 001', () => {
    const migrations = loadMigrations(defaultMigrationsDir());
    expect(migrations[0]).toMatchObject({ version: 1, name: 'initial' });
    expect(latestVersion()).toBe(migrations.at(-1)?.version);
  });

  it('apply once, are recorded in user_version, and are a no-op the second time', () => {
    const { dir, track } = tempDir();
    const db = Database.open(join(dir, 'x.db'));
    track(() => db.close());
    expect(schemaVersion(db)).toBe(0);
    const applied = migrate(db);
    expect(applied.map((m) => m.version)).toEqual(loadMigrations().map((m) => m.version));
    expect(schemaVersion(db)).toBe(latestVersion());
    expect(migrate(db)).toEqual([]);
    const tables = db.handle.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(
      expect.arrayContaining(['calls', 'contacts', 'entries', 'list_entries', 'lists', 'profiles']),
    );
  });

  it('a failing migration is rolled back completely', () => {
    const { dir, track } = tempDir();
    writeFileSync(join(dir, '001-ok.sql'), 'CREATE TABLE a (x);');
    writeFileSync(join(dir, '002-broken.sql'), 'CREATE TABLE b (x); INSERT INTO nowhere VALUES (1);');
    const db = Database.open(join(dir, 'x.db'));
    track(() => db.close());
    expect(() => migrate(db, { dir })).toThrow(/no such table: nowhere/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.handle.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'b'").pluck().get()).toBe(0);
  });

  it('refuses a database newer than this build', () => {
    const { store, file } = tempStore();
    store.db.pragma('user_version = 999');
    store.db.close();
    expect(() => openStore(file)).toThrow(
      expect.objectContaining({ code: 'schema', message: expect.stringContaining('newer') }),
    );
  });

  it('a read-only open of an unmigrated database says to migrate', () => {
    const { dir } = tempDir();
    const file = join(dir, 'empty.db');
    Database.open(file).close();
    expect(() => openStore(file, { readonly: true })).toThrow(
      expect.objectContaining({ code: 'schema', message: expect.stringContaining('migrate') }),
    );
  });
});
