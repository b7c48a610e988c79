import { describe, expect, it } from 'vitest';
import type { ListEntryInput } from '../../src/store/index.js';
import { matchSql } from '../../src/store/lists-repository.js';
import { leadingParts, queryPlan, tempStore } from './helpers.js';

const T0 = Date.UTC(2025, 0, 15, 9, 0);
const clock = () => T0;
const CALLER = '+49301234567';

function* numbers(from: number, count: number, label?: string): Generator<ListEntryInput> {
  for (let i = 0; i < count; i++) yield { number: `+4940${from + i}`, score: 10, ...(label && { label }) };
}

function rowsOf(store: ReturnType<typeof tempStore>['store'], listId: number): number {
  return store.db.handle.prepare('SELECT count(*) FROM list_entries WHERE list_id = ?').pluck().get(listId) as number;
}

describe('lists', () => {
  it('create, get, list, update; a duplicate name is a "unique" StoreError', async () => {
    const { store } = tempStore({ clock });
    const list = await store.lists.create({
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
    await expect(store.lists.create({ name: 'phoneblock' })).rejects.toThrow(
      expect.objectContaining({ code: 'unique', message: expect.stringContaining('"phoneblock" already exists') }),
    );
    const other = await store.lists.create({ name: 'k-tipp' });
    expect((await store.lists.list()).map((l) => l.name)).toEqual(['k-tipp', 'phoneblock']);
    expect(
      await store.lists.update(list.id, { threshold: 10, label: null, syncCursor: '4718', syncedAt: T0 }),
    ).toMatchObject({ threshold: 10, syncCursor: '4718', syncedAt: T0 });
    expect(await store.lists.get(list.id)).not.toHaveProperty('label');
    await expect(store.lists.update(other.id, { name: 'phoneblock' })).rejects.toThrow(
      expect.objectContaining({ code: 'unique' }),
    );
    expect((await store.lists.getByName('k-tipp'))?.id).toBe(other.id);
  });

  it('replaceEntries writes a new version in batches, flips to it, and deletes the old one', async () => {
    const { store } = tempStore({ clock });
    const list = await store.lists.create({
      name: 'calls',
      threshold: 2,
      action: 'hangup',
      cause: 17,
      label: 'SPAM: call centre',
    });
    const first = await store.lists.replaceEntries(
      list.id,
      [
        { number: CALLER, score: 5, label: 'Gewinnspiel' },
        { number: '+4930123', prefix: true },
        { number: CALLER, score: 1 },
      ],
      { batchSize: 2 },
    );
    expect(first).toEqual({ listId: list.id, version: 1, added: 2, duplicates: 1, removed: 0 });
    expect(await store.lists.get(list.id)).toMatchObject({ activeVersion: 1, entryCount: 2 });

    const hits = await store.lists.match(CALLER, leadingParts(CALLER));
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

    const second = await store.lists.replaceEntries(list.id, numbers(0, 12_345), { batchSize: 1000 });
    expect(second).toEqual({ listId: list.id, version: 2, added: 12_345, duplicates: 0, removed: 2 });
    expect(await store.lists.match(CALLER, leadingParts(CALLER))).toEqual([]);
    expect(await store.lists.match('+49407', leadingParts('+49407'))).toHaveLength(1);
    expect(rowsOf(store, list.id)).toBe(12_345);
    expect((await store.lists.entries(list.id, { limit: 5 })).items.map((e) => e.number)).toEqual([
      '+49400',
      '+49401',
      '+49402',
      '+49403',
      '+49404',
    ]);
  });

  it('accepts an async iterable', async () => {
    const { store } = tempStore();
    const list = await store.lists.create({ name: 'async' });
    async function* rows() {
      for (const row of numbers(0, 50)) yield row;
    }
    expect(await store.lists.replaceEntries(list.id, rows(), { batchSize: 7 })).toMatchObject({
      added: 50,
      version: 1,
    });
  });

  it('a replace whose input fails halfway leaves the old version active, matchable and alone', async () => {
    const { store } = tempStore();
    const list = await store.lists.create({ name: 'calls' });
    await store.lists.replaceEntries(list.id, [{ number: CALLER, score: 3 }]);
    function* failing() {
      yield* numbers(0, 2500);
      throw new Error('download interrupted');
    }
    await expect(store.lists.replaceEntries(list.id, failing(), { batchSize: 1000 })).rejects.toThrow(
      'download interrupted',
    );
    expect(await store.lists.get(list.id)).toMatchObject({ activeVersion: 1, entryCount: 1 });
    expect((await store.lists.match(CALLER, leadingParts(CALLER))).map((h) => h.score)).toEqual([3]);
    expect(await store.lists.match('+49401', leadingParts('+49401'))).toEqual([]);
    expect(rowsOf(store, list.id)).toBe(1); // the failed version's rows were removed again

    // and the next import works normally
    expect(await store.lists.replaceEntries(list.id, numbers(0, 10))).toMatchObject({
      version: 3,
      added: 10,
      removed: 1,
    });
  });

  it('after a crash mid-import the old list is intact and the next open removes the orphans', async () => {
    const { store, reopen } = tempStore();
    const list = await store.lists.create({ name: 'calls' });
    await store.lists.replaceEntries(list.id, [{ number: CALLER, score: 3 }]);
    // "Crash": the process dies after 3 committed batches — simulated by closing the handle under the import.
    function* crashing() {
      yield* numbers(0, 3000);
      store.db.handle.close();
      yield* numbers(3000, 1000);
    }
    await expect(store.lists.replaceEntries(list.id, crashing(), { batchSize: 1000 })).rejects.toThrow();

    const raw = reopen();
    expect(await raw.lists.get(list.id)).toMatchObject({ activeVersion: 1, entryCount: 1 });
    expect(await raw.lists.match(CALLER, leadingParts(CALLER))).toHaveLength(1);
    expect(rowsOf(raw, list.id)).toBe(1); // openStore ran cleanupOrphans
  });

  it('cleanupOrphans removes rows of a half-written version and keeps the active one', async () => {
    const { store } = tempStore();
    const list = await store.lists.create({ name: 'calls' });
    await store.lists.replaceEntries(list.id, numbers(0, 10));
    const insert = store.db.handle.prepare('INSERT INTO list_entries (list_id, version, number) VALUES (?, ?, ?)');
    for (let i = 0; i < 7000; i++) insert.run(list.id, 2, `+4950${i}`);
    insert.run(list.id, 0, '+4960');
    expect(await store.lists.match('+49501', leadingParts('+49501'))).toEqual([]);
    expect(await store.lists.cleanupOrphans()).toBe(7001);
    expect(rowsOf(store, list.id)).toBe(10);
    expect(await store.lists.cleanupOrphans()).toBe(0);
  });

  it('applyChanges updates the active version incrementally', async () => {
    const { store } = tempStore();
    const list = await store.lists.create({ name: 'phoneblock' });
    expect(await store.lists.applyChanges(list.id, { upsert: [{ number: '+493012345670', score: 2 }] })).toEqual({
      added: 1,
      updated: 0,
      removed: 0,
    });
    expect(await store.lists.get(list.id)).toMatchObject({ activeVersion: 1, entryCount: 1 });
    const result = await store.lists.applyChanges(list.id, {
      upsert: [
        { number: '+493012345670', score: 50, label: 'G_FRAUD' },
        { number: '+442079460958', score: 100 },
      ],
      remove: [{ number: '+493012345675' }],
    });
    expect(result).toEqual({ added: 1, updated: 1, removed: 0 });
    expect(await store.lists.applyChanges(list.id, { remove: [{ number: '+442079460958' }] })).toEqual({
      added: 0,
      updated: 0,
      removed: 1,
    });
    expect((await store.lists.get(list.id))?.entryCount).toBe(1);
    expect(await store.lists.match('+493012345670', [])).toMatchObject([{ score: 50, label: 'G_FRAUD' }]);
  });

  it('match only sees enabled lists; remove deletes the list and its rows', async () => {
    const { store } = tempStore();
    const a = await store.lists.create({ name: 'a' });
    const b = await store.lists.create({ name: 'b', threshold: 3 });
    await store.lists.replaceEntries(a.id, [{ number: CALLER }]);
    await store.lists.replaceEntries(b.id, [{ number: '+4930', prefix: true, score: 1 }]);
    expect((await store.lists.match(CALLER, leadingParts(CALLER))).map((h) => h.listName)).toEqual(['a', 'b']);
    await store.lists.update(a.id, { enabled: false });
    expect((await store.lists.match(CALLER, leadingParts(CALLER))).map((h) => h.listName)).toEqual(['b']);
    expect(await store.lists.remove(b.id)).toBe(true);
    expect(await store.lists.remove(b.id)).toBe(false);
    expect(await store.lists.get(b.id)).toBeUndefined();
    expect(rowsOf(store, b.id)).toBe(0);
    await expect(store.lists.replaceEntries(b.id, [])).rejects.toMatchObject({ code: 'not-found' });
  });

  it("match finds prefixes of every length; a replaced version and another connection's changes count on the next lookup", async () => {
    const { store, reopen } = tempStore();
    const other = reopen();
    const list = await store.lists.create({ name: 'calls' });
    const numbers = async () =>
      (await store.lists.match(CALLER, leadingParts(CALLER))).map((h) => `${h.number}${h.prefix ? '*' : ''}`);
    await store.lists.replaceEntries(list.id, [
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

  it('match uses the list_entries_number index, never a scan of list_entries', () => {
    const { store } = tempStore();
    const plan = queryPlan(store, matchSql(), [CALLER, CALLER.length, CALLER, CALLER]).join('\n');
    expect(plan).toMatch(/SEARCH le USING (COVERING )?INDEX list_entries_number \(number=\?/);
    expect(plan).toMatch(/SEARCH prefix_lengths USING PRIMARY KEY \(tbl=\? AND len<\?\)/);
    expect(plan).not.toMatch(/SCAN (le|prefix_lengths)/);
  });
});
