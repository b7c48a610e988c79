/**
 * A cluster node's call log against a real PostgreSQL: rows to PostgreSQL, to the spool when it is away or too slow,
 * and from the spool to PostgreSQL when it is back — every row once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CallLogSpool } from '../../../src/cluster/spool.js';
import { migratePostgres } from '../../../src/store/pg/migrate.js';
import { postgresPool } from '../../../src/store/pg/pool.js';
import { RecentCalls } from '../../../src/store/pg/recent-calls.js';
import { INSERTS_IN_FLIGHT, SpooledCallLog } from '../../../src/store/pg/spooled-calls.js';
import type { NewCall } from '../../../src/store/types.js';
import { startPostgres } from '../../helpers/postgres.js';
import { usePostgresDatabase } from '../engines.js';
import { newCall } from '../helpers.js';

const postgres = usePostgresDatabase('spooled');
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

function spoolFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'callfilter-spool-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'call-log.spool');
}

function callLog(
  pool: pg.Pool,
  file: string,
  options: { waitMs?: number; retryMs?: number; maxBytes?: number; onWritten?: (ids: number[]) => void } = {},
) {
  const spool = new CallLogSpool<NewCall>({
    file,
    logger: quiet,
    ...(options.maxBytes !== undefined && { maxBytes: options.maxBytes }),
  });
  const recent = new RecentCalls({ pool, logger: quiet });
  const log = new SpooledCallLog({ pool, spool, recent, logger: quiet, retryMs: options.retryMs ?? 100, ...options });
  onTestFinished(() => log.close());
  return { log, recent, spool };
}

const logged = async (pool: pg.Pool) =>
  (await pool.query<{ caller: string; log_key: string }>('SELECT caller, log_key FROM calls ORDER BY id')).rows;

describe("a cluster node's call log", () => {
  it('writes to PostgreSQL with a key of its own, and counts the row for the repeat-caller rule at once', async () => {
    const pool = await postgres.fresh();
    const { log, recent } = callLog(pool, spoolFile());
    const call = newCall(1);
    const id = await log.log(call).committed();
    expect(id).toBeTypeOf('number');
    // The key begins with this process's tag, which the recent-calls poll leaves out of what it reads back.
    expect(await logged(pool)).toEqual([{ caller: call.caller, log_key: expect.stringMatching(/^[0-9a-f-]{36}\.1$/) }]);
    expect(recent.recent(call.caller as string, call.at - 1)).toHaveLength(1);
    expect(log.state()).toEqual({ pending: 0, dropped: 0 });
  });

  it('writes the rows of calls decided together in a few INSERTs, each call learning its own row id', async () => {
    const pool = await postgres.fresh();
    const { log } = callLog(pool, spoolFile());
    const statements: string[] = [];
    const query = pool.query.bind(pool);
    pool.query = ((config: { text?: string }, ...rest: unknown[]) => {
      if (config?.text?.startsWith('INSERT INTO calls')) statements.push(config.text);
      return (query as (...args: unknown[]) => unknown)(config, ...rest);
    }) as typeof pool.query;

    const calls = Array.from({ length: 40 }, (_, i) => newCall(i + 1));
    const ids = await Promise.all(calls.map((call) => log.log(call).committed()));
    // INSERTS_IN_FLIGHT rows go out alone at once; the others wait for them and go together.
    expect(statements.length).toBe(INSERTS_IN_FLIGHT + 1);
    const written = await pool.query<{ id: number; caller: string }>('SELECT id, caller FROM calls');
    const callerOf = new Map(written.rows.map((r) => [r.id, r.caller]));
    expect(ids.map((id) => callerOf.get(id as number))).toEqual(calls.map((c) => c.caller));
  });

  it('keeps deciding while PostgreSQL is down: rows to the spool at once, written when it is back, each once', async () => {
    const cluster = await startPostgres();
    const pool = postgresPool(cluster.url(), { max: 4 });
    pool.on('error', () => {});
    onTestFinished(() => pool.end());
    await migratePostgres(pool);
    const written: number[] = [];
    const { log, recent } = callLog(pool, spoolFile(), { onWritten: (ids) => written.push(...ids) });
    expect(await log.log(newCall(1)).committed()).toBeTypeOf('number');

    await cluster.stop();
    const down: (number | undefined)[] = [];
    const started = performance.now();
    for (let i = 2; i <= 21; i++) down.push(await log.log(newCall(i)).committed());
    // Refused connections fail at once, and once spooling, rows do not even try.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(down).toEqual(Array(20).fill(undefined));
    expect(log.state()).toMatchObject({ pending: 20, spoolingSince: expect.any(Number) });
    expect(recent.recent('+49302', 0)).toHaveLength(1); // the node's own count has the spooled call

    await cluster.start();
    await expect.poll(() => log.state().pending, { timeout: 15_000, interval: 50 }).toBe(0);
    expect(log.state().spoolingSince).toBeUndefined();
    const rows = await logged(pool);
    expect(rows.map((r) => r.caller).sort()).toEqual(Array.from({ length: 21 }, (_, i) => `+4930${i + 1}`).sort());
    expect(new Set(rows.map((r) => r.log_key)).size).toBe(21);
    // The spooled rows' ids are told once they are written (the household and the live view wait for them).
    const spooled = await pool.query<{ id: number }>("SELECT id FROM calls WHERE caller <> '+49301' ORDER BY id");
    expect(written.sort((a, b) => a - b)).toEqual(spooled.rows.map((r) => r.id));
    expect(await log.log(newCall(22)).committed()).toBeTypeOf('number'); // and straight to PostgreSQL again
  }, 60_000);

  it('does not hold a call for a slow PostgreSQL: the row goes to the spool, and the late INSERT does not make two', async () => {
    const pool = await postgres.fresh();
    const locker = await pool.connect();
    onTestFinished(() => locker.release());
    const written: number[] = [];
    const { log } = callLog(pool, spoolFile(), { waitMs: 200, onWritten: (ids) => written.push(...ids) });
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE calls IN EXCLUSIVE MODE'); // INSERTs wait; reads go on
    const started = performance.now();
    expect(await log.log(newCall(1)).committed()).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(log.state().pending).toBe(1);
    await locker.query('COMMIT'); // the waiting INSERT commits now, and the spool is written after it
    await expect.poll(() => log.state().pending, { timeout: 5_000 }).toBe(0);
    const rows = await logged(pool);
    expect(rows).toHaveLength(1);
    // Nobody was told that row's id when its call ended: the spool's write tells it, though the late INSERT won.
    expect(written).toEqual([(await pool.query('SELECT id FROM calls')).rows[0].id]);
  });

  it('writes what a previous run left in the spool', async () => {
    const pool = await postgres.fresh();
    const file = spoolFile();
    const left = new CallLogSpool<NewCall>({ file, logger: quiet });
    left.append(newCall(7), 'left-behind');
    left.close();
    const { log } = callLog(pool, file);
    expect(log.state()).toMatchObject({ pending: 1, spoolingSince: expect.any(Number) });
    await expect.poll(() => log.state().pending, { timeout: 5_000 }).toBe(0);
    expect(await logged(pool)).toEqual([{ caller: '+49307', log_key: 'left-behind' }]);
  });

  it('counts a row a full spool refuses, and says the row is lost', async () => {
    const cluster = await startPostgres();
    const pool = postgresPool(cluster.url(), { max: 2 });
    pool.on('error', () => {});
    onTestFinished(() => pool.end());
    await migratePostgres(pool);
    const { log } = callLog(pool, spoolFile(), { maxBytes: 300 });
    await cluster.stop();
    expect(await log.log(newCall(1)).committed()).toBeUndefined();
    await expect(log.log(newCall(2)).committed()).rejects.toThrow(/spool is full/);
    expect(log.state()).toMatchObject({ pending: 1, dropped: 1 });
  }, 60_000);
});
