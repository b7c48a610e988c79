/**
 * Lists and sources where PostgreSQL differs from SQLite: several nodes write at once (no single writer lock orders
 * them), and every change of a list's hits in force is announced to the nodes' screening replicas.
 */
import pg from 'pg';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { allPrefixes } from '../../../src/numbers/prefixes.js';
import type { ListEntryInput } from '../../../src/store/index.js';
import { createPostgresListsRepository } from '../../../src/store/pg/lists-repository.js';
import { postgresPool } from '../../../src/store/pg/pool.js';
import { SCREENING_CHANNEL, ScreeningReplica } from '../../../src/store/pg/screening-replica.js';
import { createPostgresSourcesRepository } from '../../../src/store/pg/sources-repository.js';
import { usePostgresDatabase } from '../engines.js';

const postgres = usePostgresDatabase('lists_nodes');
const CALLER = '+49301234567';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const schedule = { intervalMs: 86_400_000, jitterMs: 0, offsetMs: 0 };

function* numbers(from: number, count: number): Generator<ListEntryInput> {
  for (let i = 0; i < count; i++) yield { number: `+4940${from + i}`, score: 10 };
}

/** Two nodes on one database: each its own pool and repositories. */
async function twoNodes() {
  const url = (await postgres.fresh()).options.connectionString as string;
  const pool = () => {
    const p = postgresPool(url);
    onTestFinished(() => (p.ending ? undefined : p.end())); // a test may end one, as a node that dies
    return p;
  };
  const node = (p: pg.Pool) => {
    const lists = createPostgresListsRepository(p);
    return { pool: p, lists, sources: createPostgresSourcesRepository(p, { lists }) };
  };
  return { url, a: node(pool()), b: node(pool()) };
}

/** A gate an import's rows wait at: the test opens it when it has done what it wants meanwhile. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let reached!: () => void;
  const waiting = new Promise<void>((resolve) => {
    reached = resolve;
  });
  /** Rows `before`, then waits for `open()`, then rows `after`. */
  async function* rows(before: Iterable<ListEntryInput>, after: Iterable<ListEntryInput>) {
    yield* before;
    reached();
    await opened;
    yield* after;
  }
  return { rows, waiting, open };
}

/** Every payload on the screening channel, from a session of its own. */
async function listen(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  onTestFinished(() => client.end());
  const payloads: string[] = [];
  client.on('notification', (n) => payloads.push(n.payload ?? ''));
  await client.query(`LISTEN ${SCREENING_CHANNEL}`);
  return {
    /** What came, up to a marker sent now from `pool`: NOTIFYs of committed transactions arrive in commit order. */
    async drain(pool: pg.Pool): Promise<unknown[]> {
      await pool.query('SELECT pg_notify($1, $2)', [SCREENING_CHANNEL, 'marker']);
      await vi.waitFor(() => expect(payloads).toContain('marker'), { timeout: 5_000 });
      const got = payloads.splice(0).filter((p) => p !== 'marker');
      return got.map((p) => JSON.parse(p) as unknown);
    },
  };
}

describe('lists on PostgreSQL, several nodes', () => {
  it('announces every change of a list’s hits in force, in its transaction, and nothing else', async () => {
    const { url, a } = await twoNodes();
    const feed = await listen(url);
    const list = await a.lists.create({ name: 'calls', threshold: 2 });
    const L = { list: list.id };
    expect(await feed.drain(a.pool)).toEqual([]); // a new list has no hits

    await a.lists.replaceEntries(list.id, [{ number: CALLER }]);
    expect(await feed.drain(a.pool)).toEqual([L]);
    await a.lists.update(list.id, { syncCursor: '42', syncedAt: 1, sourceUrl: 'https://example.test' });
    expect(await feed.drain(a.pool)).toEqual([]); // nothing screening reads
    await a.lists.update(list.id, { threshold: 5 });
    await a.lists.update(list.id, { action: 'hangup', cause: 21 });
    await a.lists.update(list.id, { enabled: false });
    expect(await feed.drain(a.pool)).toEqual([L, L, L]);
    await a.lists.update(list.id, { label: 'quiet' });
    expect(await feed.drain(a.pool)).toEqual([]); // disabled before and after: no hits either way
    await a.lists.update(list.id, { enabled: true });
    await a.lists.applyChanges(list.id, { upsert: [{ number: '+4930999' }] });
    expect(await feed.drain(a.pool)).toEqual([L, L]);

    // Rolled back: nothing announced, nothing changed.
    await expect(
      a.lists.applyChanges(list.id, { upsert: [{ number: '+4930998' }, { number: 'not a number' }] }),
    ).rejects.toMatchObject({ code: 'invalid' });
    await expect(
      a.lists.replaceEntries(list.id, [{ number: '+4930997' }, { number: 'not a number' }]),
    ).rejects.toMatchObject({ code: 'invalid' });
    expect(await feed.drain(a.pool)).toEqual([]);
    expect(await a.lists.get(list.id)).toMatchObject({ activeVersion: 1, entryCount: 2 });

    await a.sources.create(
      { name: 'k-tipp', kind: 'url', settings: { url: 'https://example.test/k.csv' }, schedule },
      { list: { name: 'k-tipp' } },
    );
    expect(await feed.drain(a.pool)).toEqual([]);
    expect(await a.lists.remove(list.id)).toBe(true);
    expect(await feed.drain(a.pool)).toEqual([L]);
  });

  it('a node’s screening replica follows another node’s list changes', async () => {
    const { url, a } = await twoNodes();
    const replica = new ScreeningReplica({
      connectionString: url,
      logger: quiet,
      backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 },
    });
    replica.start();
    onTestFinished(() => replica.close());
    await replica.ready;
    const hits = () => replica.lookup(CALLER, allPrefixes(CALLER)).lists;
    const list = await a.lists.create({ name: 'calls', label: 'SPAM' });
    await a.lists.replaceEntries(list.id, [
      { number: CALLER, score: 3 },
      { number: '+4930', prefix: true },
    ]);
    const expected = await a.lists.match(CALLER, allPrefixes(CALLER));
    expect(expected).toHaveLength(2);
    await vi.waitFor(() => expect(hits()).toEqual(expected), { timeout: 5_000 });
    await a.lists.update(list.id, { threshold: 7 });
    await vi.waitFor(() => expect(hits().map((h) => h.threshold)).toEqual([7, 7]), { timeout: 5_000 });
    await a.lists.update(list.id, { enabled: false });
    await vi.waitFor(() => expect(hits()).toEqual([]), { timeout: 5_000 });
  });

  it('of two imports of one list at once, the later version wins; the earlier one is discarded, rows and all', async () => {
    const { a, b } = await twoNodes();
    const list = await a.lists.create({ name: 'calls' });
    const slow = gate();
    const first = a.lists.replaceEntries(list.id, slow.rows(numbers(0, 300), numbers(300, 300)), { batchSize: 100 });
    await slow.waiting;
    expect(await b.lists.replaceEntries(list.id, numbers(1000, 50))).toMatchObject({ version: 2, added: 50 });
    slow.open();
    await expect(first).rejects.toMatchObject({
      code: 'conflict',
      message: `list ${list.id}: a newer import (version 2) finished first; this one was discarded`,
    });
    expect(await a.lists.get(list.id)).toMatchObject({ activeVersion: 2, entryCount: 50 });
    const rows = await a.pool.query('SELECT DISTINCT version FROM list_entries WHERE list_id = $1', [list.id]);
    expect(rows.rows).toEqual([{ version: 2 }]);
  });

  it('cleanupOrphans on another node leaves an import that is still running alone', async () => {
    const { a, b } = await twoNodes();
    const list = await a.lists.create({ name: 'calls' });
    await a.lists.replaceEntries(list.id, [{ number: CALLER }]);
    const slow = gate();
    const running = a.lists.replaceEntries(list.id, slow.rows(numbers(0, 300), numbers(300, 200)), { batchSize: 100 });
    await slow.waiting;
    expect(await b.lists.cleanupOrphans()).toBe(0);
    slow.open();
    expect(await running).toMatchObject({ version: 2, added: 500, removed: 1 });
    expect(await a.lists.get(list.id)).toMatchObject({ activeVersion: 2, entryCount: 500 });
  });

  it('a crashed import’s rows stay until cleanupOrphans, which any node may run', async () => {
    const { a, b } = await twoNodes();
    const list = await a.lists.create({ name: 'calls' });
    await a.lists.replaceEntries(list.id, [{ number: CALLER }]);
    const slow = gate();
    const crashed = a.lists.replaceEntries(list.id, slow.rows(numbers(0, 300), []), { batchSize: 100 });
    await slow.waiting;
    // The importer's session dies, and its pool cannot clean up after it (the process is gone).
    await b.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()",
    );
    const ended = a.pool.end();
    slow.open();
    await expect(crashed).rejects.toThrow();
    await ended;
    const count = async () =>
      (await b.pool.query<{ n: number }>('SELECT count(*) AS n FROM list_entries WHERE list_id = $1', [list.id]))
        .rows[0]?.n;
    expect(await count()).toBe(301);
    expect(await b.lists.match('+49401', allPrefixes('+49401'))).toEqual([]);
    expect(await b.lists.cleanupOrphans()).toBe(300);
    expect(await count()).toBe(1);
  });

  it('a name taken by a transaction that commits after the check is refused in the same words', async () => {
    const { a, b } = await twoNodes();
    const other = await b.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query("INSERT INTO lists (name, updated_at, created_at) VALUES ('calls', 0, 0)");
      await other.query(
        "INSERT INTO sources (name, kind, interval_ms, created_at, updated_at) VALUES ('feed', 'url', 1, 0, 0)",
      );
      // Both wait on the uncommitted names; settled together, so neither rejection goes unheard meanwhile.
      const both = Promise.allSettled([
        a.lists.create({ name: 'calls' }),
        a.sources.create({ name: 'feed', kind: 'url', schedule }),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await other.query('COMMIT');
      expect(await both).toMatchObject([
        { status: 'rejected', reason: { code: 'unique', message: 'a list named "calls" already exists (id 1)' } },
        { status: 'rejected', reason: { code: 'unique', message: 'a source named "feed" already exists (id 1)' } },
      ]);
    } finally {
      other.release();
    }
  });

  it('a source whose new list another node creates meanwhile takes that list, as SQLite would', async () => {
    const { a, b } = await twoNodes();
    const other = await b.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query("INSERT INTO lists (name, threshold, updated_at, created_at) VALUES ('PhoneBlock', 9, 0, 0)");
      const source = a.sources.create(
        { name: 'phoneblock', kind: 'phoneblock', schedule },
        { list: { name: 'PhoneBlock', threshold: 4 } },
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      await other.query('COMMIT');
      expect(await source).toMatchObject({ name: 'phoneblock', listId: 1 });
      expect(await a.lists.list()).toMatchObject([{ id: 1, name: 'PhoneBlock', threshold: 9 }]);
    } finally {
      other.release();
    }
  });

  it('imports, fails, cleans up and removes on a pool of one connection', async () => {
    const url = (await postgres.fresh()).options.connectionString as string;
    const pool = postgresPool(url, { max: 1 });
    onTestFinished(() => pool.end());
    const lists = createPostgresListsRepository(pool);
    const list = await lists.create({ name: 'calls' });
    expect(await lists.replaceEntries(list.id, numbers(0, 250), { batchSize: 100 })).toMatchObject({ added: 250 });
    function* failing() {
      yield* numbers(0, 150);
      throw new Error('download interrupted');
    }
    await expect(lists.replaceEntries(list.id, failing(), { batchSize: 100 })).rejects.toThrow('download interrupted');
    await pool.query('INSERT INTO list_entries (list_id, version, number) VALUES ($1, 7, $2)', [list.id, CALLER]);
    expect(await lists.cleanupOrphans()).toBe(1);
    expect(await lists.get(list.id)).toMatchObject({ activeVersion: 1, entryCount: 250 });
    expect(await lists.remove(list.id)).toBe(true);
  });
});
