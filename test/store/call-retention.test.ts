import { describe, expect, it } from 'vitest';
import type { CallsRepository } from '../../src/store/calls-repository.js';
import type { NewCall, Pace } from '../../src/store/index.js';
import { createPostgresCallsRepository } from '../../src/store/pg/calls-repository.js';
import { postgresPool } from '../../src/store/pg/pool.js';
import { type CallsEngine, callsEngines } from './calls-engines.js';
import { usePostgresDatabase } from './engines.js';

const postgres = usePostgresDatabase('call_retention');

const DAY = 86_400_000;
/** Wednesday 15 Jan 2025, 12:00 in Berlin (UTC+1). */
const NOW = Date.UTC(2025, 0, 15, 11, 0);
const ZONE = 'Europe/Berlin';
/** Tiny transactions, no rest: the batching shows in a few hundred calls (SQLite's pacer). */
const SMALL: Pace = { budgetMs: 0.01, restFactor: 0 };
/** The same on PostgreSQL, which has no pacer: batches of this many calls. */
const BATCH = 50;

/** 30 days of calls, a few each hour with a mix of outcomes, oldest first; one just after local midnight of each day. */
async function seed(repository: CallsRepository): Promise<NewCall[]> {
  const calls: NewCall[] = [];
  const outcomes = [
    ['voicemail', 'unknown'],
    ['hangup', 'blocklist'],
    ['connect', 'contact'],
    ['announce', 'spam-list'],
  ] as const;
  for (let t = NOW - 30 * DAY, i = 0; t <= NOW; t += 37 * 60_000, i++) {
    const [action, reason] = outcomes[i % outcomes.length] as (typeof outcomes)[number];
    calls.push({
      at: t,
      callerRaw: `030${i}`,
      caller: `+4930${1_000_000 + i}`,
      callerKind: 'number',
      action,
      reason,
      label: 'x',
    });
  }
  await repository.insertMany(calls);
  return calls;
}

const rows = async ({ sql }: CallsEngine) => (await sql('SELECT at FROM calls ORDER BY at')).map((r) => r.at as number);

/** call_days' columns in table order. */
async function dayColumns({ sql, pool }: CallsEngine): Promise<string[]> {
  const r = pool
    ? await sql(
        "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'call_days' ORDER BY ordinal_position",
      )
    : await sql('SELECT name FROM pragma_table_info(?)', ['call_days']);
  return r.map((c) => c.name as string);
}

describe.each(callsEngines(postgres, { pruneBatchRows: BATCH }))('call-log retention on %s', (_, open) => {
  it('deletes the calls before the cutoff in small batches and keeps the daily stats of the days it emptied', async () => {
    const engine = await open();
    const { calls } = engine;
    const logged = await seed(calls);
    const before = await calls.statsByDay(31, NOW, ZONE);
    const cutoff = NOW - 10 * DAY;
    const removed = await calls.prune(cutoff, ZONE, { pace: SMALL });
    const kept = logged.filter((c) => c.at >= cutoff).map((c) => c.at);
    expect(removed).toBe(logged.length - kept.length);
    expect(await rows(engine)).toEqual(kept);
    // Every day, the emptied ones and the one the cutoff cut in two included, counts as before.
    expect(await calls.statsByDay(31, NOW, ZONE)).toEqual(before);
    // What is kept of them: counts by day, action and reason — no number, no name.
    expect(await dayColumns(engine)).toEqual(['day', 'action', 'reason', 'calls']);
    // Again: nothing left to do, nothing counted twice.
    expect(await calls.prune(cutoff, ZONE, { pace: SMALL })).toBe(0);
    expect(await calls.statsByDay(31, NOW, ZONE)).toEqual(before);
  });

  it('counts a call of the same day in the log and in the kept counts together', async () => {
    const engine = await open();
    const { calls } = engine;
    const midday = Date.UTC(2025, 0, 10, 11, 0);
    await calls.insert({
      at: midday - 60_000,
      callerRaw: '1',
      caller: '+49301',
      callerKind: 'number',
      action: 'hangup',
      reason: 'blocklist',
    });
    await calls.insert({
      at: midday + 60_000,
      callerRaw: '2',
      caller: '+49302',
      callerKind: 'number',
      action: 'hangup',
      reason: 'blocklist',
    });
    await calls.prune(midday, ZONE);
    expect(await rows(engine)).toEqual([midday + 60_000]);
    const day = (await calls.statsByDay(6, NOW, ZONE)).find((d) => d.day === '2025-01-10');
    expect(day).toMatchObject({ total: 2, byAction: { hangup: 2 }, byReason: { blocklist: 2 } });
  });
});

describe('call-log retention on PostgreSQL: batches and nodes', () => {
  it('deletes in transactions of at most pruneBatchRows calls, and stops between them when told', async () => {
    const pool = await postgres.fresh();
    const calls = createPostgresCallsRepository(pool, { pruneBatchRows: BATCH });
    const logged = await seed(calls);
    const cutoff = NOW - 10 * DAY;
    const due = logged.filter((c) => c.at < cutoff).length;
    // Each batch is one transaction on a connection taken from the pool (pool.query takes one with a callback).
    let transactions = 0;
    const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
    pool.connect = ((...args: unknown[]) => {
      if (args.length === 0) transactions++;
      return connect(...args);
    }) as typeof pool.connect;
    const stop = new AbortController();
    stop.abort();
    expect(await calls.prune(cutoff, ZONE, { signal: stop.signal })).toBe(0);
    expect(transactions).toBe(0);
    expect(await calls.prune(cutoff, ZONE)).toBe(due);
    expect(due).toBeGreaterThan(10 * BATCH);
    expect(transactions).toBe(Math.floor(due / BATCH) + 1);
    const kept = await pool.query<{ calls: number }>('SELECT sum(calls)::bigint AS calls FROM call_days');
    expect(kept.rows[0]?.calls).toBe(due);
  });

  it('two nodes pruning at once delete each call once and count it once', async () => {
    const pool = await postgres.fresh();
    const url = (pool.options as { connectionString: string }).connectionString;
    const other = postgresPool(url);
    try {
      const a = createPostgresCallsRepository(pool, { pruneBatchRows: BATCH });
      const b = createPostgresCallsRepository(other, { pruneBatchRows: BATCH });
      const logged = await seed(a);
      const before = await a.statsByDay(31, NOW, ZONE);
      const cutoff = NOW - 10 * DAY;
      const [x, y] = await Promise.all([a.prune(cutoff, ZONE), b.prune(cutoff, ZONE)]);
      expect(x + y).toBe(logged.filter((c) => c.at < cutoff).length);
      expect(await b.statsByDay(31, NOW, ZONE)).toEqual(before);
    } finally {
      await other.end();
    }
  });
});
