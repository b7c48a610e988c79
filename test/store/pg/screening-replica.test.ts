/**
 * A node's screening replica against a real PostgreSQL: loaded, it answers what SQLite answers for the same data;
 * a change announced by another node screens here within a second; after a lost connection it loads again and
 * catches up with what it missed.
 */
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { allPrefixes } from '../../../src/numbers/prefixes.js';
import { copyToPostgres } from '../../../src/store/pg/copy.js';
import { changePayload, SCREENING_CHANNEL, ScreeningReplica } from '../../../src/store/pg/screening-replica.js';
import { usePostgres } from '../../helpers/postgres.js';
import { benchStore } from '../helpers.js';

// More entries than the load fetches at once (LOAD_BATCH): it reads them in several batches.
const SIZE = { exact: 12_000, prefixes: 40, contacts: 40, spam: 800, callLog: 10 };
const FAST = { backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 }, healthCheckMs: 1_000 };
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe('the screening replica', () => {
  const postgres = usePostgres();

  async function sharedDatabase() {
    const sqlite = await benchStore(SIZE);
    const url = postgres.cluster.url(await postgres.cluster.createDatabase('replica'));
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    await copyToPostgres(sqlite.db, pool);
    const replica = new ScreeningReplica({ connectionString: url, logger: quiet, ...FAST });
    replica.start();
    onTestFinished(async () => {
      await replica.close();
      await pool.end();
    });
    await replica.ready;
    /** What another node's write does: the row, then its announcement. */
    const announce = (change: Parameters<typeof changePayload>[0]) =>
      pool.query('SELECT pg_notify($1, $2)', [SCREENING_CHANNEL, changePayload(change)]);
    return { sqlite, pool, replica, announce };
  }

  it('loads what SQLite holds and answers as SQLite does', async () => {
    const { sqlite, replica } = await sharedDatabase();
    expect(replica.entryCount).toBe(sqlite.db.prepare('SELECT count(*) FROM entries').pluck().get());
    const sample = sqlite.db
      .prepare<[], string>(
        'SELECT number FROM (SELECT number FROM entries WHERE is_prefix = 0 UNION ALL SELECT number FROM list_entries WHERE is_prefix = 0) ORDER BY random() LIMIT 300',
      )
      .pluck()
      .all();
    const prefixed = sqlite.db
      .prepare<[], string>("SELECT number || '4711' FROM entries WHERE is_prefix = 1 LIMIT 40")
      .pluck()
      .all();
    for (const e164 of [...sample, ...prefixed, '+4930999999']) {
      const prefixes = allPrefixes(e164);
      expect({ e164, ...replica.lookup(e164, prefixes) }).toEqual({
        e164,
        ...(await sqlite.screening.lookup(e164, prefixes)),
      });
    }
  }, 120_000);

  it('screens a change announced by another node within a second: an entry added, changed, removed; a list switched', async () => {
    const { pool, replica, announce } = await sharedDatabase();
    const number = '+4940777111';
    const waitFor = async (check: () => boolean) => {
      const started = Date.now();
      await expect.poll(check, { timeout: 1_000, interval: 10 }).toBe(true);
      return Date.now() - started;
    };
    const entries = () => replica.lookup(number, allPrefixes(number)).entries;

    const added = await pool.query<{ id: string }>(
      "INSERT INTO entries (number, is_prefix, kind, label, source, created_at, updated_at) VALUES ($1, 0, 'block', 'Umfrage', 'api', 1, 1) RETURNING id",
      [number],
    );
    const id = Number(added.rows[0]?.id);
    await announce({ entry: id });
    const tookMs = await waitFor(() => entries().some((e) => e.id === id && e.label === 'Umfrage'));
    expect(tookMs).toBeLessThan(1_000);

    await pool.query("UPDATE entries SET kind = 'allow', label = 'Anna' WHERE id = $1", [id]);
    await announce({ entry: id });
    await waitFor(() => entries()[0]?.kind === 'allow');

    await pool.query('DELETE FROM entries WHERE id = $1', [id]);
    await announce({ entry: id });
    await waitFor(() => entries().length === 0);

    const list = await pool.query<{ id: string; active_version: number }>(
      'SELECT id, active_version FROM lists ORDER BY id LIMIT 1',
    );
    const listId = Number(list.rows[0]?.id);
    const next = (list.rows[0]?.active_version ?? 0) + 1;
    await pool.query(
      'INSERT INTO list_entries (list_id, version, number, is_prefix, score) VALUES ($1, $2, $3, 0, 9)',
      [listId, next, number],
    );
    await pool.query('UPDATE lists SET active_version = $2 WHERE id = $1', [listId, next]);
    await announce({ list: listId });
    await waitFor(() => replica.lookup(number, allPrefixes(number)).lists[0]?.score === 9);
  }, 120_000);

  it('after a lost connection, loads again and has what it missed', async () => {
    const { pool, replica } = await sharedDatabase();
    const number = '+4940777222';
    await postgres.cluster.psql(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'callfilter-screening-feed'",
      new URL(pool.options.connectionString as string).pathname.slice(1),
    );
    // Written while the feed was down, and never announced.
    await pool.query(
      "INSERT INTO entries (number, is_prefix, kind, source, created_at, updated_at) VALUES ($1, 0, 'block', 'api', 1, 1)",
      [number],
    );
    await expect
      .poll(() => replica.lookup(number, allPrefixes(number)).entries.length, { timeout: 10_000, interval: 20 })
      .toBe(1);
  }, 120_000);

  it('reads a burst of announcements back in batches: 5,000 new entries in a few statements, not 5,000', async () => {
    const { pool, replica } = await sharedDatabase();
    const database = new URL(pool.options.connectionString as string).pathname.slice(1);
    // Every statement the replica runs is a transaction of its own (autocommit): count the database's commits.
    const commits = async () =>
      Number(
        (
          await pool.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1', [
            database,
          ])
        ).rows[0]?.n,
      );
    const before = replica.entryCount;
    const committedBefore = await commits();
    // One transaction writes them and announces each, as a bulk import does.
    await pool.query(`
      WITH added AS (
        INSERT INTO entries (number, is_prefix, kind, source, created_at, updated_at)
        SELECT '+4941' || lpad(n::text, 8, '0'), 0, 'block', 'import', 1, 1 FROM generate_series(1, 5000) AS n
        RETURNING id)
      SELECT count(pg_notify('${SCREENING_CHANNEL}', json_build_object('entry', id)::text)) FROM added`);
    await expect.poll(() => replica.entryCount, { timeout: 5_000, interval: 20 }).toBe(before + 5_000);
    // Stats reach pg_stat_database when a backend reports them (at most every second, or at its exit).
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const commitsMade = (await commits()) - committedBefore;
    expect(commitsMade).toBeLessThan(100);
    const number = '+494100004711';
    expect(replica.lookup(number, allPrefixes(number)).entries).toMatchObject([{ number, kind: 'block' }]);
  }, 120_000);
});
