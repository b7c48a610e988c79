/** `migrate-store`'s copy: a SQLite database with every kind of row, into a real PostgreSQL, verified. */
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { SqliteStore } from '../../../src/store/index.js';
import { copyToPostgres } from '../../../src/store/pg/copy.js';
import { usePostgres } from '../../helpers/postgres.js';
import { benchStore } from '../helpers.js';

const SIZE = { exact: 3_000, prefixes: 40, contacts: 60, spam: 500, callLog: 800 };

async function sqliteWithEverything(): Promise<SqliteStore> {
  const store = await benchStore(SIZE);
  await store.sources.create(
    {
      name: 'k-tipp',
      kind: 'url',
      settings: { url: 'https://example.org/list.csv', format: 'csv' },
      credentials: { bearer: 'secret' },
      schedule: { intervalMs: 86_400_000, jitterMs: 60_000, offsetMs: 1_234 },
    },
    { list: { name: 'K-Tipp', threshold: 1 } },
  );
  await store.outbox.enqueue('webhook', { callId: 1 }, { at: 1_800_000_000_000, dedupeKey: 'call-1' });
  await store.settings.set({ CALLFILTER_COUNTRY: 'DE', CALLFILTER_AREA_CODE: '30' });
  // Deleted rows: AUTOINCREMENT remembers their ids, and so must PostgreSQL's sequence.
  store.db.exec('DELETE FROM entries WHERE id IN (SELECT id FROM entries ORDER BY id DESC LIMIT 5)');
  return store;
}

function pool(url: string): pg.Pool {
  const p = new pg.Pool({ connectionString: url, max: 2 });
  onTestFinished(() => p.end());
  return p;
}

describe('copyToPostgres', () => {
  const postgres = usePostgres();

  it('copies every table with its ids, counts prefix lengths as SQLite did, and continues the ids after the highest', async () => {
    const store = await sqliteWithEverything();
    const target = pool(postgres.cluster.url(await postgres.cluster.createDatabase('copy')));
    const seen: string[] = [];
    const result = await copyToPostgres(store.db, target, { onTable: (t) => seen.push(t.table) });

    const tables = store.db
      .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all()
      .filter((t) => t !== 'prefix_lengths');
    expect(result.tables.map((t) => t.table).sort()).toEqual([...tables].sort());
    expect(seen).toEqual(result.tables.map((t) => t.table));
    // Parents before children: contacts before entries, lists before list_entries and sources.
    expect(seen.indexOf('contacts')).toBeLessThan(seen.indexOf('entries'));
    expect(seen.indexOf('lists')).toBeLessThan(seen.indexOf('list_entries'));
    for (const table of tables) {
      const sqlite = store.db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get();
      const there = await target.query(`SELECT count(*)::int AS n FROM "${table}"`);
      expect({ table, rows: there.rows[0].n }).toEqual({ table, rows: sqlite });
    }
    expect(result.tables.find((t) => t.table === 'entries')?.rows).toBeGreaterThan(3_000);
    expect(result.tables.find((t) => t.table === 'calls')?.rows).toBe(800);

    const sample = store.db.prepare('SELECT * FROM calls ORDER BY id LIMIT 1').get() as Record<string, unknown>;
    const copied = await target.query('SELECT * FROM calls WHERE id = $1', [sample.id]);
    expect(copied.rows[0].caller).toBe(sample.caller);
    expect(Number(copied.rows[0].at)).toBe(sample.at);

    const highest = store.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'entries'").pluck().get() as number;
    const next = await target.query(
      "INSERT INTO entries (number, is_prefix, kind, action, source, created_at, updated_at) VALUES ('+4940999', 0, 'block', 'hangup', 'manual', 1, 1) RETURNING id",
    );
    expect(Number(next.rows[0].id)).toBe(highest + 1);
  }, 120_000);

  it('refuses a PostgreSQL database that already holds rows, and adds nothing to it', async () => {
    const store = await sqliteWithEverything();
    const target = pool(postgres.cluster.url(await postgres.cluster.createDatabase('busy')));
    await copyToPostgres(store.db, target);
    const before = await target.query('SELECT count(*)::int AS n FROM entries');
    await expect(copyToPostgres(store.db, target)).rejects.toThrow(
      /already holds data \(\d+ rows in \w+\): migrate-store copies into an empty database only/,
    );
    const after = await target.query('SELECT count(*)::int AS n FROM entries');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  }, 120_000);

  it('leaves PostgreSQL empty when a row cannot be copied', async () => {
    const store = await sqliteWithEverything();
    // A call-log row PostgreSQL refuses (SQLite keeps text in an integer column; PostgreSQL's bigint does not): the
    // whole copy is rolled back.
    store.db.exec("UPDATE calls SET latency_us = 'soon' WHERE id = (SELECT max(id) FROM calls)");
    const target = pool(postgres.cluster.url(await postgres.cluster.createDatabase('broken')));
    await expect(copyToPostgres(store.db, target)).rejects.toThrow(/invalid input syntax for type integer: "soon"/);
    for (const table of ['entries', 'contacts', 'lists', 'calls']) {
      const n = await target.query(`SELECT count(*)::int AS n FROM "${table}"`);
      expect({ table, rows: n.rows[0].n }).toEqual({ table, rows: 0 });
    }
  }, 120_000);
});
