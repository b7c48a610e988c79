/**
 * Entry imports on a PostgreSQL shared by several nodes (each node a pool of its own here): what SQLite never meets —
 * the switch announced to every node's screening replica, whose import is dead when the owner runs on another
 * machine, and two nodes importing at once.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isOwnerGone } from '../../../src/store/import-owner.js';
import type { EntryImportItem, NewEntry } from '../../../src/store/index.js';
import { createPostgresEntryImports } from '../../../src/store/pg/entry-imports.js';
import { postgresPool } from '../../../src/store/pg/pool.js';
import { changePayload, SCREENING_CHANNEL } from '../../../src/store/pg/screening-replica.js';
import { usePostgresDatabase } from '../engines.js';

const postgres = usePostgresDatabase('entry_imports_nodes');
const number = (i: number) => `+4989${String(10_000_000 + i)}`;
const row = (i: number, label = 'new'): NewEntry => ({ number: number(i), kind: 'block', label, source: 'csv' });

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let reached!: () => void;
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  // A test that fails halfway lets its import go on, so that it ends and frees the database for the next test.
  onTestFinished(() => open());
  return { open, arrived, wait: () => (reached(), opened) };
}

/** A second node on the same database. */
function node(pool: pg.Pool): pg.Pool {
  const other = postgresPool(pool.options.connectionString as string);
  // A session ended by the server (a node "dying" below) must not take the test down.
  other.on('error', () => undefined);
  onTestFinished(() => other.end());
  return other;
}

const count = async (pool: pg.Pool, sql: string, params: unknown[] = []) =>
  Number(Object.values((await pool.query(sql, params)).rows[0])[0]);

async function listen(pool: pg.Pool) {
  const client = new pg.Client({ connectionString: pool.options.connectionString as string });
  await client.connect();
  onTestFinished(() => client.end());
  const payloads: string[] = [];
  client.on('notification', (n) => {
    if (n.channel === SCREENING_CHANNEL) payloads.push(n.payload ?? '');
  });
  await client.query(`LISTEN ${SCREENING_CHANNEL}`);
  return {
    payloads,
    /** A round trip: whatever was committed before it has been delivered after it. */
    sync: async () => void (await client.query('SELECT 1')),
  };
}

describe('PostgreSQL entry imports on several nodes', () => {
  it('announce each added entry to screening at the switch, none before it, none for a failed import', async () => {
    const pool = await postgres.fresh();
    const imports = createPostgresEntryImports(pool);
    const listener = await listen(pool);
    // An existing entry: the import skips it, and it is not announced again.
    await pool.query(
      "INSERT INTO entries (number, kind, label, source, created_at, updated_at) VALUES ($1, 'block', 'old', 'manual', 0, 0)",
      [number(7)],
    );
    const halfway = gate();
    async function* items(): AsyncGenerator<EntryImportItem> {
      for (let i = 0; i < 2500; i++) yield row(i);
      await halfway.wait();
      yield { contact: { name: 'Anna', externalId: 'uid-a' }, numbers: [{ number: '+4930555', kind: 'allow' }] };
    }
    const running = imports.run('csv', items());
    await halfway.arrived;
    await listener.sync();
    expect(await count(pool, 'SELECT count(*) FROM entries WHERE import_id IS NOT NULL')).toBe(1999);
    expect(listener.payloads).toEqual([]);
    halfway.open();
    const result = await running;
    expect(result).toMatchObject({ added: 2500, skipped: 1, contacts: 1 });
    const ids = (
      await pool.query<{ id: number }>('SELECT id FROM entries WHERE import_id = $1 ORDER BY id', [result.importId])
    ).rows.map((r) => r.id);
    expect(ids).toHaveLength(2500);
    await listener.sync();
    expect(listener.payloads).toEqual(ids.map((id) => changePayload({ entry: id })));

    listener.payloads.length = 0;
    async function* failing(): AsyncGenerator<EntryImportItem> {
      for (let i = 3000; i < 4500; i++) yield row(i);
      throw new Error('a bad row');
    }
    await expect(imports.run('csv', failing())).rejects.toThrow('a bad row');
    await listener.sync();
    expect(listener.payloads).toEqual([]);
  });

  it('gives each new contact of a batch its own numbers (ids drawn in input order)', async () => {
    const pool = await postgres.fresh();
    const cards: EntryImportItem[] = Array.from({ length: 2500 }, (_, i) => ({
      contact: i % 3 === 0 ? { name: `Person ${i}` } : { name: `Person ${i}`, externalId: `uid-${i}` },
      numbers: [
        { number: number(2 * i), kind: 'allow' },
        { number: number(2 * i + 1), kind: 'allow' },
      ],
    }));
    expect(await createPostgresEntryImports(pool).run('vcard', cards)).toMatchObject({ added: 5000, contacts: 2500 });
    const wrong = await pool.query(
      `SELECT e.number, c.name, c.external_id FROM entries e JOIN contacts c ON c.id = e.contact_id
       WHERE e.label <> c.name OR c.name <> 'Person ' || ((substr(e.number, 6)::bigint - 10000000) / 2)
          OR c.external_id <> 'uid-' || ((substr(e.number, 6)::bigint - 10000000) / 2)`,
    );
    expect(wrong.rows).toEqual([]);
    expect(await count(pool, 'SELECT count(*) FROM entries WHERE contact_id IS NULL')).toBe(0);
  });

  it("never removes a live import of another node, even when its owner and heartbeat look dead by SQLite's rule", async () => {
    const pool = await postgres.fresh();
    const halfway = gate();
    async function* items(): AsyncGenerator<EntryImportItem> {
      for (let i = 0; i < 2000; i++) yield row(i);
      await halfway.wait();
      yield row(2000);
    }
    const running = createPostgresEntryImports(pool).run('csv', items());
    await halfway.arrived;
    // As another host sees it when that host's pids collide with its own, or the source has kept it waiting long.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const owner = `${hostname()}:${dead}`;
    await pool.query("UPDATE imports SET owner = $1, heartbeat_at = 0 WHERE state = 'pending'", [owner]);
    expect(isOwnerGone(owner, 0, Date.now())).toBe(true);

    expect(await createPostgresEntryImports(node(pool)).cleanupOrphans()).toBe(0);
    expect(await count(pool, 'SELECT count(*) FROM entries')).toBe(2000);
    halfway.open();
    expect(await running).toMatchObject({ added: 2001 });
    expect(await count(pool, "SELECT count(*) FROM imports WHERE state = 'done'")).toBe(1);
  });

  it('removes the import of a node whose session ended at once, whatever its heartbeat says', async () => {
    const pool = await postgres.fresh();
    const dying = node(pool);
    const halfway = gate();
    async function* items(): AsyncGenerator<EntryImportItem> {
      for (let i = 0; i < 2000; i++) yield row(i);
      await halfway.wait();
      yield row(2000);
    }
    const running = createPostgresEntryImports(dying).run('csv', items());
    await halfway.arrived;
    const importId = await count(pool, "SELECT id FROM imports WHERE state = 'pending'");
    // The node's machine goes away: the server ends its session (here at once; for a vanished peer, keepalives).
    const ended = await pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND objsubid = 2 AND granted",
      [importId],
    );
    expect(ended.rowCount).toBeGreaterThan(0);
    // The heartbeat is fresh: only the lock tells that its owner is gone.
    for (let i = 0; i < 50; i++) {
      if ((await createPostgresEntryImports(pool).cleanupOrphans()) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await count(pool, 'SELECT count(*) FROM entries')).toBe(0);
    expect(await count(pool, 'SELECT count(*) FROM imports')).toBe(0);
    halfway.open();
    await expect(running).rejects.toMatchObject({ name: 'StoreError', code: 'io' });
    // The next import, on a live node, goes through.
    expect(await createPostgresEntryImports(pool).run('csv', [row(1)])).toMatchObject({ added: 1 });
  });

  it('run one at a time across nodes, so that a failing import on one never takes rows from another', async () => {
    const pool = await postgres.fresh();
    const halfway = gate();
    async function* failing(): AsyncGenerator<EntryImportItem> {
      for (let i = 0; i < 3000; i++) yield row(i, 'first');
      await halfway.wait();
      throw new Error('a bad row');
    }
    const first = createPostgresEntryImports(pool).run('csv', failing());
    await halfway.arrived;
    let secondDone = false;
    const second = createPostgresEntryImports(node(pool))
      .run(
        'csv',
        Array.from({ length: 10 }, (_, i) => row(i, 'second')),
      )
      .finally(() => {
        secondDone = true;
      });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The second node waits for the first before it starts: no import row of its own yet.
    expect(secondDone).toBe(false);
    expect(await count(pool, 'SELECT count(*) FROM imports')).toBe(1);
    halfway.open();
    await expect(first).rejects.toThrow('a bad row');
    expect(await second).toMatchObject({ added: 10, skipped: 0 });
    const labels = await pool.query("SELECT DISTINCT label FROM entries WHERE number LIKE '+4989%'");
    expect(labels.rows).toEqual([{ label: 'second' }]);
  });
});
