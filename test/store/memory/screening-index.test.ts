/**
 * The in-memory screening index answers what the SQLite engine's screening lookup answers, in the same order: on the
 * benchmark's data, on the cases that hide rows (an import still running, a disabled list, a list's old version),
 * and after the changes a node applies as they are announced.
 */
import { describe, expect, it } from 'vitest';
import { allPrefixes } from '../../../src/numbers/prefixes.js';
import type { SqliteStore } from '../../../src/store/index.js';
import { listHitsInForce, loadScreeningIndex, type ScreeningIndex } from '../../../src/store/memory/screening-index.js';
import { benchStore } from '../helpers.js';

const SIZE = { exact: 4_000, prefixes: 60, contacts: 80, spam: 1_500, callLog: 10 };
const NOW = 1_800_000_000_000;

/** Deterministic pseudo-random digits (a fixed LCG): the same callers every run. */
function digits(seed: number): () => string {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return String(x % 10);
  };
}

/** Callers that hit every kind of row and some that hit nothing: numbers in the data, under its prefixes, random. */
function callers(store: SqliteStore): string[] {
  const next = digits(7);
  const pick = (sql: string) => store.db.prepare<[], string>(sql).pluck().all();
  const exact = pick('SELECT number FROM entries WHERE is_prefix = 0 ORDER BY random() LIMIT 400');
  const listed = pick('SELECT number FROM list_entries WHERE is_prefix = 0 ORDER BY random() LIMIT 400');
  const underPrefixes = pick(
    'SELECT number FROM entries WHERE is_prefix = 1 UNION SELECT number FROM list_entries WHERE is_prefix = 1',
  ).map((p) => `${p}${next()}${next()}${next()}${next()}`);
  const random = Array.from({ length: 400 }, () => `+49${Array.from({ length: 9 }, next).join('')}`);
  return [...exact, ...listed, ...underPrefixes, ...random];
}

async function expectSameAnswers(store: SqliteStore, index: ScreeningIndex, numbers: readonly string[]): Promise<void> {
  for (const e164 of numbers) {
    const prefixes = allPrefixes(e164);
    expect({ e164, ...index.lookup(e164, prefixes) }).toEqual({
      e164,
      ...(await store.screening.lookup(e164, prefixes)),
    });
  }
}

describe('the in-memory screening index', () => {
  it('answers as SQLite does for the benchmark data and what hides rows', async () => {
    const store = await benchStore(SIZE);
    // An expired entry (screening still sees it: the policy says it was ignored), an allow and a block entry and a
    // prefix on one number, a pending import's row (hidden), a disabled list, a list's old version (hidden).
    await store.entries.create({ number: '+4930111222', kind: 'block', expiresAt: NOW - 1 });
    await store.entries.create({ number: '+4930111333', kind: 'allow', label: 'Anna' });
    await store.entries.create({ number: '+4930111333', kind: 'block' });
    await store.entries.create({ number: '+4930111333', prefix: true, kind: 'block' });
    store.db.exec(
      "INSERT INTO imports (source, state, owner, heartbeat_at, started_at) VALUES ('csv', 'pending', 'test:1', 1, 1)",
    );
    store.db.exec(
      "INSERT INTO entries (number, is_prefix, kind, source, import_id, created_at, updated_at) VALUES ('+4930111444', 0, 'block', 'csv', last_insert_rowid(), 1, 1)",
    );
    const off = await store.lists.create({ name: 'off', enabled: false });
    await store.lists.replaceEntries(off.id, [{ number: '+4930111555', score: 9 }]);
    const k = await store.lists.create({ name: 'k-tipp', threshold: 2 });
    await store.lists.replaceEntries(k.id, [{ number: '+4930111666', score: 3 }]);
    await store.lists.replaceEntries(k.id, [{ number: '+4930111777', score: 5, label: 'Umfrage' }]);
    // The same number on a later list with a higher score: the higher score comes first, not the older list.
    const zwei = await store.lists.create({ name: 'zwei' });
    await store.lists.replaceEntries(zwei.id, [{ number: '+4930111777', score: 8 }]);

    const index = loadScreeningIndex(store.db);
    expect(index.entryCount).toBe(
      store.db.prepare("SELECT count(*) FROM entries WHERE number <> '+4930111444'").pluck().get(),
    );
    const special = [
      '+4930111222',
      '+4930111333',
      '+49301113339',
      '+4930111444',
      '+4930111555',
      '+4930111666',
      '+4930111777',
    ];
    await expectSameAnswers(store, index, [...special, ...callers(store)]);
    expect(index.lookup('+4930111333', allPrefixes('+4930111333')).entries.map((e) => [e.kind, e.prefix])).toEqual([
      ['allow', false],
      ['block', false],
      ['block', true],
    ]);
    expect(index.lookup('+4930111444', allPrefixes('+4930111444')).entries).toEqual([]);
    expect(index.lookup('+4930111777', allPrefixes('+4930111777')).lists.map((h) => h.score)).toEqual([8, 5]);
  }, 120_000);

  it('stays equal to SQLite through the changes a node applies: entries added, changed and removed, a list replaced', async () => {
    const store = await benchStore(SIZE);
    const index = loadScreeningIndex(store.db);
    const numbers = ['+4940555111', '+4940555222', '+40555', '+4940555333'];

    const added = await store.entries.create({ number: '+4940555111', kind: 'block', label: 'Umfrage' });
    index.putEntry(added);
    const prefix = await store.entries.create({ number: '+49405552', prefix: true, kind: 'block' });
    index.putEntry(prefix);
    await expectSameAnswers(store, index, numbers);

    const changed = await store.entries.update(added.id, { number: '+4940555333', label: 'Nord' });
    if (!changed) throw new Error('the entry is gone');
    index.putEntry(changed);
    await expectSameAnswers(store, index, numbers);

    await store.entries.remove(prefix.id);
    index.removeEntry(prefix.id);
    await expectSameAnswers(store, index, numbers);
    // A prefix of a length no other prefix has any more, and one that takes that length again.
    const again = await store.entries.create({ number: '+49405553', prefix: true, kind: 'block' });
    index.putEntry(again);
    await expectSameAnswers(store, index, [...numbers, '+49405553']);
    expect(index.lookup('+4940555333', allPrefixes('+4940555333')).entries.map((e) => e.number)).toContain('+49405553');

    const list = store.db.prepare<[], number>('SELECT id FROM lists ORDER BY id LIMIT 1').pluck().get() as number;
    const before = store.db
      .prepare<[], string>(`SELECT number FROM list_entries WHERE list_id = ${list} LIMIT 50`)
      .pluck()
      .all();
    await store.lists.replaceEntries(list, [{ number: '+4940555222', score: 7 }]);
    index.setList(list, listHitsInForce(store.db, list));
    await expectSameAnswers(store, index, [...numbers, ...before]);
    expect(index.hitCount).toBe(1);

    await store.lists.update(list, { enabled: false });
    index.setList(list, listHitsInForce(store.db, list));
    await expectSameAnswers(store, index, numbers);
    expect(index.hitCount).toBe(0);
  }, 120_000);
});
