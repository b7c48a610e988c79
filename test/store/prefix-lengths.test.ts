import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from 'asterisk-agi/testing';
import { describe, expect, it } from 'vitest';
import { Database, type EntryPatch, isStoreError, migrate, type Store } from '../../src/store/index.js';
import { defaultMigrationsDir } from '../../src/store/migrate.js';
import { longestPart, probeKeysSql } from '../../src/store/prefix-lengths.js';
import { leadingParts, tempDir, tempStore } from './helpers.js';

type Counts = Record<string, number>;

/** prefix_lengths as `{ 'entries:5': 2, … }`. */
function counts(db: Database): Counts {
  const rows = db.handle.prepare('SELECT tbl, len, prefix_rows FROM prefix_lengths ORDER BY tbl, len').all() as {
    tbl: string;
    len: number;
    prefix_rows: number;
  }[];
  return Object.fromEntries(rows.map((r) => [`${r.tbl}:${r.len}`, r.prefix_rows]));
}

/** What the counts should be, from the rows themselves. */
function truth(db: Database): Counts {
  const sql = `SELECT tbl, len, count(*) AS n FROM (
      SELECT 'entries' AS tbl, length(number) AS len FROM entries WHERE is_prefix = 1
      UNION ALL SELECT 'list_entries', length(number) FROM list_entries WHERE is_prefix = 1)
    GROUP BY tbl, len ORDER BY tbl, len`;
  const rows = db.handle.prepare(sql).all() as { tbl: string; len: number; n: number }[];
  return Object.fromEntries(rows.map((r) => [`${r.tbl}:${r.len}`, r.n]));
}

const block = (number: string, prefix = true) => ({ number, prefix, kind: 'block' as const });

function exactRows(count: number) {
  return Array.from({ length: count }, (_, i) => block(`+49151${String(i).padStart(8, '0')}`, false));
}

/** An update that would duplicate another entry throws `unique`; the random mix just moves on. */
async function updateUnlessTaken(store: Store, id: number, patch: EntryPatch): Promise<void> {
  try {
    await store.entries.update(id, patch);
  } catch (err) {
    if (!isStoreError(err, 'unique')) throw err;
  }
}

describe('prefix_lengths triggers', () => {
  it('count prefix rows per table and length, and ignore exact rows', async () => {
    const { store } = tempStore();
    await store.entries.bulkInsert([block('+4930'), block('+4930123'), block('+4940123'), ...exactRows(1000)]);
    await store.entries.create(block('+49301234567', false));
    const list = await store.lists.create({ name: 'spam' });
    await store.lists.replaceEntries(list.id, [block('+4989'), block('+49891'), { number: '+4989123456', score: 5 }]);
    expect(counts(store.db)).toEqual({ 'entries:5': 1, 'entries:8': 2, 'list_entries:5': 1, 'list_entries:6': 1 });
  });

  it('do not count a row ON CONFLICT DO NOTHING skipped', async () => {
    const { store } = tempStore();
    await store.entries.create(block('+4930'));
    expect(await store.entries.bulkInsert([block('+4930'), block('+4931')])).toEqual({ added: 1, skipped: 1 });
    const list = await store.lists.create({ name: 'spam' });
    await store.lists.replaceEntries(list.id, [block('+4989'), block('+4989'), block('+4989')]);
    expect(counts(store.db)).toEqual({ 'entries:5': 2, 'list_entries:5': 1 });
  });

  it('follow updates of number and prefix flag, and removals, down to no row at all', async () => {
    const { store } = tempStore();
    const a = await store.entries.create(block('+4930'));
    const b = await store.entries.create(block('+4930123'));
    await store.entries.update(a.id, { number: '+493012' });
    expect(counts(store.db)).toEqual({ 'entries:7': 1, 'entries:8': 1 });
    await store.entries.update(b.id, { prefix: false });
    await store.entries.update(a.id, { label: 'unchanged number' });
    expect(counts(store.db)).toEqual({ 'entries:7': 1 });
    await store.entries.update(b.id, { prefix: true, number: '+49301' });
    await store.entries.remove(a.id);
    expect(counts(store.db)).toEqual({ 'entries:6': 1 });
    await store.entries.remove(b.id);
    expect(counts(store.db)).toEqual({});
  });

  it('follow ON DELETE CASCADE from contacts and lists', async () => {
    const { store } = tempStore();
    const { contact } = await store.contacts.createWithNumbers({ name: 'Office' }, [{ number: '+4930555' }]);
    store.db.handle.prepare('UPDATE entries SET is_prefix = 1 WHERE contact_id = ?').run(contact.id);
    const list = await store.lists.create({ name: 'spam' });
    await store.lists.replaceEntries(list.id, [block('+4989'), block('+49891')]);
    expect(counts(store.db)).toEqual({ 'entries:8': 1, 'list_entries:5': 1, 'list_entries:6': 1 });
    await store.contacts.remove(contact.id);
    store.db.handle.prepare('DELETE FROM lists WHERE id = ?').run(list.id); // one cascade, not lists.remove's batches
    expect(counts(store.db)).toEqual({});
  });

  it('follow a list version replacement: the old version is counted out as its rows are deleted', async () => {
    const { store } = tempStore();
    const list = await store.lists.create({ name: 'spam' });
    await store.lists.replaceEntries(list.id, [block('+4989'), block('+498912')]);
    await store.lists.replaceEntries(list.id, [block('+4989'), block('+49891234')]);
    expect(counts(store.db)).toEqual({ 'list_entries:5': 1, 'list_entries:9': 1 });
    await store.lists.remove(list.id);
    expect(counts(store.db)).toEqual({});
  });

  it('stay equal to the rows through a random mix of writes', async () => {
    const { store } = tempStore();
    const rng = seededRandom(7);
    const pick = (n: number) => Math.floor(rng() * n);
    const number = () => `+49${'3012345678'.slice(0, 1 + pick(9))}`;
    const list = await store.lists.create({ name: 'spam' });
    for (let step = 0; step < 400; step++) {
      const ids = store.db.handle.prepare('SELECT id FROM entries').pluck().all() as number[];
      const id = ids[pick(ids.length)];
      const r = rng();
      if (r < 0.4 || id === undefined)
        await store.entries.bulkInsert([
          { number: number(), prefix: rng() < 0.6, kind: rng() < 0.5 ? 'allow' : 'block' },
        ]);
      else if (r < 0.7) await updateUnlessTaken(store, id, { number: number(), prefix: rng() < 0.5 });
      else if (r < 0.85) await store.entries.remove(id);
      else if (r < 0.95)
        await store.lists.applyChanges(list.id, {
          upsert: [{ number: number(), prefix: rng() < 0.5 }],
          remove: [{ number: number(), prefix: true }],
        });
      else
        await store.lists.replaceEntries(
          list.id,
          Array.from({ length: pick(5) }, () => ({ number: number(), prefix: rng() < 0.5 })),
        );
    }
    expect(Object.keys(truth(store.db)).length).toBeGreaterThan(4);
    expect(counts(store.db)).toEqual(truth(store.db));
  });
});

describe('probe keys', () => {
  it('are the number and its leading parts as long as some prefix row of that table, up to the longest asked for', async () => {
    const { store } = tempStore();
    const keys = (table: 'entries' | 'list_entries', e164: string, parts: string[]) =>
      (store.db.handle.prepare(probeKeysSql(table)).pluck().all(e164, longestPart(parts), e164) as string[]).sort();
    const parts = leadingParts('+49301234567');
    await store.entries.bulkInsert([block('+4940'), block('+4969123'), block('+49301234567'), ...exactRows(10)]);
    expect(keys('entries', '+49301234567', parts)).toEqual(['+4930', '+4930123', '+49301234567', '+49301234567']);
    expect(keys('entries', '+49301234567', parts.slice(0, 7))).toEqual(['+4930', '+4930123', '+49301234567']);
    expect(keys('entries', '+49301234567', parts.slice(0, 6))).toEqual(['+4930', '+49301234567']);
    expect(keys('entries', '+49301234567', [])).toEqual(['+49301234567']);
    expect(keys('list_entries', '+49301234567', parts)).toEqual(['+49301234567']);
    await store.lists.replaceEntries((await store.lists.create({ name: 'spam' })).id, [block('+4989123456')]);
    expect(keys('list_entries', '+49301234567', parts)).toEqual(['+4930123456', '+49301234567']);
    expect(keys('list_entries', '+4930', leadingParts('+4930'))).toEqual(['+4930']);
  });

  it('longestPart is the length of the longest part passed, 0 for none', () => {
    expect(longestPart(leadingParts('+49301234567'))).toBe(12);
    expect(longestPart([])).toBe(0);
  });
});

describe('migration 003', () => {
  it('fills the counts from the rows a database already holds', () => {
    const { dir, track } = tempDir();
    const before = join(dir, 'migrations-002');
    mkdirSync(before);
    for (const file of ['001-initial.sql', '002-lean-call-log.sql'])
      copyFileSync(join(defaultMigrationsDir(), file), join(before, file));
    const db = Database.open(join(dir, 'old.db'));
    track(() => db.close());
    migrate(db, { dir: before });
    const insertEntry = db.handle.prepare(
      "INSERT INTO entries (number, is_prefix, kind, created_at, updated_at) VALUES (?, ?, 'block', 0, 0)",
    );
    for (const [number, prefix] of [
      ['+4930', 1],
      ['+4931', 1],
      ['+4930123', 1],
      ['+4930123', 0],
      ['+49301234567', 0],
    ] as const)
      insertEntry.run(number, prefix);
    db.handle
      .prepare("INSERT INTO lists (id, name, active_version, updated_at, created_at) VALUES (1, 'spam', 1, 0, 0)")
      .run();
    const insertListEntry = db.handle.prepare(
      'INSERT INTO list_entries (list_id, version, number, is_prefix) VALUES (1, ?, ?, ?)',
    );
    for (const [version, number, prefix] of [
      [1, '+4989', 1],
      [2, '+4989', 1],
      [1, '+498912', 1],
      [1, '+4989123', 0],
    ] as const)
      insertListEntry.run(version, number, prefix);

    expect(migrate(db).map((m) => m.version)).toContain(3);
    expect(counts(db)).toEqual({ 'entries:5': 2, 'entries:8': 1, 'list_entries:5': 2, 'list_entries:7': 1 });
    insertEntry.run('+4932', 1);
    expect(counts(db)).toEqual({ ...truth(db), 'entries:5': 3 });
  });
});
