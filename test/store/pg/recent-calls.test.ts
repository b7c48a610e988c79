/**
 * A node's copy of the recent calls (src/store/pg/recent-calls.ts) against a real PostgreSQL: the same answer as the
 * call log's own query, another node's calls within one poll, a late commit, a window asked for further back, and
 * PostgreSQL going away.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Action, Reason } from '../../../src/policy/types.js';
import { createPostgresCallsRepository } from '../../../src/store/pg/calls-repository.js';
import { RecentCalls, type RecentCallsOptions, SLACK_MS } from '../../../src/store/pg/recent-calls.js';
import { usePostgresDatabase } from '../engines.js';
import { newCall } from '../helpers.js';

const postgres = usePostgresDatabase('recent');
const MIN = 60_000;
const quiet = { warn: () => {}, info: () => {} };

function seeded(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

async function started(options: RecentCallsOptions): Promise<RecentCalls> {
  const recent = new RecentCalls(options);
  onTestFinished(() => recent.close());
  await recent.start();
  return recent;
}

describe('recent calls, held by each node', () => {
  it('answers as the call log does: newest first, ties by id, `since` included, at most the limit', async () => {
    const pool = await postgres.fresh();
    const calls = createPostgresCallsRepository(pool);
    const now = Date.now();
    const random = seeded(11);
    const callers = Array.from({ length: 12 }, (_, i) => `+49301234${i}`);
    const actions: Action[] = ['connect', 'voicemail', 'hangup'];
    const reasons: Reason[] = ['unknown', 'repeat-caller', 'blocklist'];
    for (let i = 0; i < 300; i++) {
      const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)] as T;
      // Whole seconds, so many calls share their time and the order falls to the id.
      const at = now - Math.floor(random() * 8) * MIN - Math.floor(random() * 5) * 1000;
      await calls.insert(newCall(i, { at, caller: pick(callers), action: pick(actions), reason: pick(reasons) }));
    }
    const recent = await started({ pool, logger: quiet, windowMs: 10 * MIN });
    expect(recent.size).toBe(300);
    for (const caller of [...callers, '+4999999']) {
      for (const since of [now - 10 * MIN, now - 3 * MIN, now - 2 * MIN - 2000]) {
        for (const limit of [3, 10, 100]) {
          expect(recent.recent(caller, since, limit), `${caller} ${since} ${limit}`).toEqual(
            await calls.recent(caller, since, limit),
          );
        }
      }
    }
  });

  it("counts another node's call within one poll, and its own at once", async () => {
    const pool = await postgres.fresh();
    const recent = await started({ pool, logger: quiet, pollMs: 1000 });
    const otherNode = createPostgresCallsRepository(await postgres.fresh());
    const caller = '+4930555000';
    const at = Date.now();
    await otherNode.insert(newCall(1, { at, caller }));
    const seenAfter = performance.now();
    await expect.poll(() => recent.recent(caller, at - MIN).length, { timeout: 2500, interval: 20 }).toBe(1);
    expect(performance.now() - seenAfter).toBeLessThan(2000);

    recent.add('own-row', { caller, at: at + 1, action: 'connect', reason: 'contact' }, 99);
    expect(recent.recent(caller, at - MIN)).toEqual([
      { at: at + 1, action: 'connect', reason: 'contact' },
      { at, action: 'voicemail', reason: 'unknown' },
    ]);
  });

  it("tells of another node's calls once each, withheld ones too — not of its own, nor of those there at start", async () => {
    const pool = await postgres.fresh();
    const calls = createPostgresCallsRepository(pool);
    const at = Date.now();
    await calls.insert(newCall(1, { at: at - 1000 }));
    const told: number[][] = [];
    const recent = await started({ pool, logger: quiet, pollMs: 100, onOthers: (ids) => told.push(ids) });
    const others = [
      await calls.insert(newCall(2, { at })),
      await calls.insert(newCall(3, { at, caller: undefined, callerKind: 'withheld' })),
    ];
    const own = newCall(4, { at });
    const ownId = await calls.insert(own);
    recent.add(String(ownId), own, ownId); // what the node's call log does with its own rows
    await expect.poll(() => told.flat().length, { timeout: 2_000, interval: 20 }).toBe(2);
    await new Promise((r) => setTimeout(r, 300)); // polls that re-read the same seconds tell nothing again
    expect(told.flat().sort()).toEqual(others.sort());
  });

  it("reads back only the other nodes' rows, and its own again only when a call asks further back", async () => {
    const pool = await postgres.fresh();
    const calls = createPostgresCallsRepository(pool);
    const clock = { now: Date.now() };
    const recent = await started({ pool, logger: quiet, pollMs: 50, clock: () => clock.now, windowMs: 5 * MIN });
    // Rows as this node's call log writes them, keyed by newKey(), but never add()ed: a poll that read them would
    // count them, so not counting them shows the poll left them out.
    const logged = async (n: number, at: number, key: string) => {
      const id = await calls.insert(newCall(n, { at, caller: '+4930555003' }));
      await pool.query('UPDATE calls SET log_key = $1 WHERE id = $2', [key, id]);
    };
    await logged(1, clock.now - 10 * MIN, recent.newKey()); // before the loaded window
    await logged(2, clock.now, recent.newKey());
    await logged(3, clock.now, 'another-node.1');
    await expect.poll(() => recent.recent('+4930555003', clock.now - MIN).length, { timeout: 2000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 200)); // more polls over the same seconds
    expect(recent.size).toBe(1);
    // A call that looks 20 minutes back: the window is loaded whole, this node's rows included.
    recent.recent('+4930555003', clock.now - 20 * MIN);
    await expect.poll(() => recent.recent('+4930555003', clock.now - 20 * MIN).length, { timeout: 2000 }).toBe(2);
  });

  it('finds a row committed a few seconds after its call, and each row once', async () => {
    const pool = await postgres.fresh();
    const calls = createPostgresCallsRepository(pool);
    const recent = await started({ pool, logger: quiet, pollMs: 100 });
    const caller = '+4930555001';
    const now = Date.now();
    const id = await calls.insert(newCall(1, { at: now - 1000, caller }));
    recent.add(String(id), { caller, at: now - 1000, action: 'voicemail', reason: 'unknown' }, id); // as the node that logged it
    await calls.insert(newCall(2, { at: now - SLACK_MS / 2, caller })); // late: its time is before the last poll
    await expect.poll(() => recent.recent(caller, now - MIN).length, { timeout: 2000 }).toBe(2);
    await new Promise((r) => setTimeout(r, 300)); // more polls over the same seconds
    expect(recent.recent(caller, now - MIN)).toHaveLength(2);
  });

  it('loads further back when a call asks for a longer window, and lets go of what is older than any', async () => {
    const pool = await postgres.fresh();
    const calls = createPostgresCallsRepository(pool);
    const clock = { now: Date.now() };
    const caller = '+4930555002';
    await calls.insert(newCall(1, { at: clock.now - 20 * MIN, caller }));
    await calls.insert(newCall(2, { at: clock.now - MIN, caller }));
    const recent = await started({ pool, logger: quiet, pollMs: 50, clock: () => clock.now, windowMs: 5 * MIN });
    expect(recent.recent(caller, clock.now - 30 * MIN)).toHaveLength(1); // what is loaded…
    await expect.poll(() => recent.recent(caller, clock.now - 30 * MIN).length, { timeout: 2000 }).toBe(2); // …and the rest
    clock.now += 31 * MIN + SLACK_MS; // both calls are older than the longest window asked for
    await expect.poll(() => recent.size, { timeout: 2000 }).toBe(0);
  });

  it('refuses to start without PostgreSQL, and keeps counting what it has while PostgreSQL is away', async () => {
    const { startPostgres } = await import('../../helpers/postgres.js');
    const { postgresPool } = await import('../../../src/store/pg/pool.js');
    const { migratePostgres } = await import('../../../src/store/pg/migrate.js');
    const down = postgresPool('postgres://nobody@127.0.0.1:1/none', { max: 1 });
    onTestFinished(() => down.end());
    await expect(new RecentCalls({ pool: down, logger: quiet }).start()).rejects.toThrow();

    const cluster = await startPostgres();
    const pool = postgresPool(cluster.url(), { max: 2 });
    pool.on('error', () => {});
    onTestFinished(() => pool.end());
    await migratePostgres(pool);
    const warnings: unknown[] = [];
    const recent = await started({ pool, logger: { ...quiet, warn: (o: unknown) => warnings.push(o) }, pollMs: 50 });
    const caller = '+4930555003';
    recent.add('spooled-1', { caller, at: Date.now(), action: 'voicemail', reason: 'unknown' }); // in the spool: no id yet
    await cluster.stop();
    await expect.poll(() => warnings.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(recent.recent(caller, Date.now() - MIN)).toHaveLength(1);
    await cluster.start();
    const calls = createPostgresCallsRepository(pool);
    const at = Date.now();
    await expect
      .poll(
        async () =>
          calls.insert(newCall(2, { at, caller })).then(
            () => true,
            () => false,
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
    await expect.poll(() => recent.recent(caller, Date.now() - MIN).length, { timeout: 3000 }).toBe(2);
  }, 60_000);
});
