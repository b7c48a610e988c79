/** Sources, the same cases against both engines: SQLite in a data folder and a real PostgreSQL. */
import { statSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ListsRepository, NewSource, SourcesRepository } from '../../src/store/index.js';
import { createPostgresListsRepository } from '../../src/store/pg/lists-repository.js';
import { createPostgresSourcesRepository } from '../../src/store/pg/sources-repository.js';
import { usePostgresDatabase } from './engines.js';
import { tempStore } from './helpers.js';

const postgres = usePostgresDatabase('sources');

const DAY = 86_400_000;
const schedule = { intervalMs: DAY, jitterMs: 1_800_000, offsetMs: 12_345 };
const phoneblock = (over: Partial<NewSource> = {}): NewSource => ({
  name: 'phoneblock',
  kind: 'phoneblock',
  settings: { url: 'https://example.test/api' },
  credentials: { token: 'secret-key' },
  schedule,
  ...over,
});

interface Repositories {
  sources: SourcesRepository;
  lists: ListsRepository;
}

const engines: [string, (options?: { clock?: () => number }) => Promise<Repositories>][] = [
  ['SQLite', async (options) => tempStore(options).store],
  [
    'PostgreSQL',
    async (options = {}) => {
      const pool = await postgres.fresh();
      const lists = createPostgresListsRepository(pool, options);
      return { lists, sources: createPostgresSourcesRepository(pool, { ...options, lists }) };
    },
  ],
];

describe.each(engines)('sources repository on %s', (_, open) => {
  it('creates a source with its list in one go and never returns its credentials', async () => {
    const store = await open({ clock: () => 1_000 });
    const source = await store.sources.create(phoneblock(), { list: { name: 'PhoneBlock', threshold: 4 } });
    expect(source).toMatchObject({
      name: 'phoneblock',
      kind: 'phoneblock',
      hasCredentials: true,
      schedule,
      enabled: true,
      nextRunAt: 1_000,
      failures: 0,
      failuresTotal: 0,
    });
    expect(JSON.stringify(source)).not.toContain('secret-key');
    expect(JSON.stringify(await store.sources.list())).not.toContain('secret-key');
    expect(await store.lists.get(source.listId as number)).toMatchObject({ name: 'PhoneBlock', threshold: 4 });
    expect(await store.sources.credentials(source.id)).toEqual({ token: 'secret-key' });
    expect(await store.sources.find(String(source.id))).toMatchObject({ name: 'phoneblock' });
    expect(await store.sources.find('phoneblock')).toMatchObject({ id: source.id });
  });

  it('refuses a second source with the same name or the same list, in words', async () => {
    const store = await open();
    const first = await store.sources.create(phoneblock(), { list: { name: 'PhoneBlock' } });
    await expect(store.sources.create(phoneblock(), { list: { name: 'Other' } })).rejects.toMatchObject({
      code: 'unique',
      message: 'a source named "phoneblock" already exists (id 1)',
    });
    await expect(
      store.sources.create(phoneblock({ name: 'second' }), { list: { name: 'PhoneBlock' } }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: `list ${first.listId} is fed by the source "phoneblock" already; a list has one source`,
    });
    expect((await store.lists.list()).map((l) => l.name)).toEqual(['PhoneBlock']);
  });

  it('records attempts, successes, held-back answers and failures', async () => {
    const store = await open();
    const { id } = await store.sources.create(phoneblock(), { list: { name: 'PhoneBlock' } });
    await store.sources.recordAttempt(id, 10);
    await store.sources.recordResult(id, { outcome: 'failure', at: 11, nextRunAt: 500, error: 'offline' });
    await store.sources.recordResult(id, { outcome: 'failure', at: 12, nextRunAt: 600, error: 'still offline' });
    expect(await store.sources.get(id)).toMatchObject({
      lastAttemptAt: 10,
      lastError: 'still offline',
      failures: 2,
      failuresTotal: 2,
      nextRunAt: 600,
    });
    expect((await store.sources.get(id))?.lastSuccessAt).toBeUndefined();

    await store.sources.recordResult(id, {
      outcome: 'success',
      at: 20,
      nextRunAt: 700,
      cursor: '42',
      rows: 3,
      state: { lastFullAt: 20 },
    });
    const ok = await store.sources.get(id);
    expect(ok).toMatchObject({
      lastSuccessAt: 20,
      cursor: '42',
      rows: 3,
      state: { lastFullAt: 20 },
      failures: 0,
      failuresTotal: 2,
      nextRunAt: 700,
    });
    expect(ok?.lastError).toBeUndefined();

    await store.sources.recordResult(id, { outcome: 'held', at: 30, nextRunAt: 800, heldBack: 'shrank by 95 %' });
    expect(await store.sources.get(id)).toMatchObject({ heldBack: 'shrank by 95 %', lastSuccessAt: 20, cursor: '42' });
    await store.sources.recordResult(id, { outcome: 'success', at: 40, nextRunAt: 900, rows: 3 });
    const after = await store.sources.get(id);
    expect(after?.heldBack).toBeUndefined();
    expect(after?.cursor).toBe('42');
    await store.sources.recordResult(id, { outcome: 'success', at: 50, nextRunAt: 900, cursor: null });
    expect((await store.sources.get(id))?.cursor).toBeUndefined();
  });

  it('answers which sources are due and when the next one is', async () => {
    const store = await open();
    await store.sources.create(phoneblock({ nextRunAt: 300 }), { list: { name: 'PhoneBlock' } });
    await store.sources.create(
      { name: 'later', kind: 'url', settings: { url: 'https://example.test/l.csv' }, schedule, nextRunAt: 200 },
      { list: { name: 'later' } },
    );
    const off = await store.sources.create(
      {
        name: 'off',
        kind: 'url',
        settings: { url: 'https://example.test/o.csv' },
        schedule,
        nextRunAt: 100,
        enabled: false,
      },
      { list: { name: 'off' } },
    );
    expect(await store.sources.nextRunAt()).toBe(200);
    expect((await store.sources.due(250)).map((s) => s.name)).toEqual(['later']);
    expect((await store.sources.due(1000)).map((s) => s.name)).toEqual(['later', 'phoneblock']);
    await store.sources.update(off.id, { enabled: true });
    expect(await store.sources.nextRunAt()).toBe(100);
  });

  it('updates settings and credentials, and removes a source without its list', async () => {
    const store = await open();
    const source = await store.sources.create(phoneblock(), { list: { name: 'PhoneBlock' } });
    await store.sources.update(source.id, {
      credentials: { token: 'new-key' },
      settings: { url: 'https://other.test/api' },
    });
    expect(await store.sources.credentials(source.id)).toEqual({ token: 'new-key' });
    expect((await store.sources.get(source.id))?.settings).toEqual({ url: 'https://other.test/api' });
    await store.sources.update(source.id, { credentials: null });
    expect((await store.sources.get(source.id))?.hasCredentials).toBe(false);
    expect(await store.sources.remove(source.id)).toBe(true);
    expect(await store.sources.remove(source.id)).toBe(false);
    expect(await store.lists.getByName('PhoneBlock')).toBeDefined();
  });

  it('keeps the source when its list is deleted, without a target', async () => {
    const store = await open();
    const source = await store.sources.create(phoneblock(), { list: { name: 'PhoneBlock' } });
    await store.lists.remove(source.listId as number);
    expect((await store.sources.get(source.id))?.listId).toBeUndefined();
  });
  it('creates nothing when the source cannot be written, not even its new list; the error holds no credentials', async () => {
    const store = await open();
    const err = await store.sources
      .create(phoneblock({ schedule: { ...schedule, intervalMs: 0 } }), { list: { name: 'PhoneBlock' } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'StoreError', code: 'invalid' });
    expect(inspect(err, { depth: 10 })).not.toContain('secret-key');
    expect(await store.lists.list()).toEqual([]);
    expect(await store.sources.list()).toEqual([]);
  });

  it('finds a source by a name of digits when no id is that number', async () => {
    const store = await open();
    await store.sources.create(phoneblock({ name: '99999999999999999999' }));
    expect(await store.sources.find('99999999999999999999')).toMatchObject({ name: '99999999999999999999' });
  });
});

describe('sources on SQLite only', () => {
  it('makes the database file readable by its owner only once it holds credentials', async () => {
    const { store, file } = tempStore();
    await store.sources.create(phoneblock(), { list: { name: 'PhoneBlock' } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('leases', () => {
  it('are taken when free or expired, renewed and released only by their owner', async () => {
    const { store } = tempStore();
    expect(await store.leases.acquire('job:x', 'a', 100, 0)).toBe(true);
    expect(await store.leases.acquire('job:x', 'b', 150, 50)).toBe(false);
    expect(await store.leases.holder('job:x')).toMatchObject({ owner: 'a', expiresAt: 100 });
    expect(await store.leases.renew('job:x', 'b', 200)).toBe(false);
    expect(await store.leases.renew('job:x', 'a', 200)).toBe(true);
    expect(await store.leases.acquire('job:x', 'b', 300, 150)).toBe(false);
    // a's lease expires at 200: b takes it, and a's renewal now fails.
    expect(await store.leases.acquire('job:x', 'b', 300, 200)).toBe(true);
    expect(await store.leases.renew('job:x', 'a', 400)).toBe(false);
    await store.leases.release('job:x', 'a');
    expect((await store.leases.holder('job:x'))?.owner).toBe('b');
    await store.leases.release('job:x', 'b');
    expect(await store.leases.holder('job:x')).toBeUndefined();
  });

  it('exclude each other across connections to the same file', async () => {
    const t = tempStore();
    const other = t.reopen();
    expect(await t.store.leases.acquire('source:1', 'service', 1_000, 0)).toBe(true);
    expect(await other.leases.acquire('source:1', 'cli', 1_000, 10)).toBe(false);
  });
});
