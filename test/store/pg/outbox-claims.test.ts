/**
 * The outbox shared by several nodes: their dispatchers claim at the same moment, which SQLite's single writer never
 * lets happen. Every item must go to exactly one of them.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createPostgresOutboxRepository } from '../../../src/store/pg/outbox-repository.js';
import { postgresPool } from '../../../src/store/pg/pool.js';
import { usePostgresDatabase } from '../engines.js';

const postgres = usePostgresDatabase('outbox_claims');
const T0 = Date.UTC(2026, 11, 24, 12, 0);
const ITEMS = 300;

describe('PostgreSQL outbox claims', () => {
  it('two nodes claiming at once: every item is claimed exactly once', async () => {
    const pool = await postgres.fresh();
    const other = postgresPool(pool.options.connectionString as string);
    onTestFinished(() => other.end());
    const nodes = [createPostgresOutboxRepository(pool), createPostgresOutboxRepository(other)];
    await nodes[0]?.enqueueMany(Array.from({ length: ITEMS }, (_, i) => ({ kind: 'k', payload: { i }, at: T0 })));

    const claimedBy = new Map<number, string[]>();
    // Four dispatchers per node, each claiming small batches until nothing is left: the claims overlap in time.
    const dispatchers = nodes.flatMap((outbox, n) =>
      Array.from({ length: 4 }, async (_, d) => {
        const owner = `node-${n}/${d}`;
        for (;;) {
          const items = await outbox.claimDue(owner, T0, T0 + 300_000, 7);
          if (items.length === 0) return;
          for (const item of items) claimedBy.set(item.id, [...(claimedBy.get(item.id) ?? []), owner]);
        }
      }),
    );
    await Promise.all(dispatchers);

    const twice = [...claimedBy].filter(([, owners]) => owners.length > 1);
    expect(twice).toEqual([]);
    expect(claimedBy.size).toBe(ITEMS);
    // Both nodes took part, and each claim counted as one attempt.
    const owners = new Set([...claimedBy.values()].map(([owner]) => owner?.slice(0, 6)));
    expect(owners).toEqual(new Set(['node-0', 'node-1']));
    const attempts = await pool.query<{ attempts: number; n: number }>(
      'SELECT attempts, count(*)::int AS n FROM outbox GROUP BY attempts',
    );
    expect(attempts.rows).toEqual([{ attempts: 1, n: ITEMS }]);
  });

  it('a claim held by one node is not taken by the other until it runs out', async () => {
    const pool = await postgres.fresh();
    const other = postgresPool(pool.options.connectionString as string);
    onTestFinished(() => other.end());
    const [a, b] = [createPostgresOutboxRepository(pool), createPostgresOutboxRepository(other)];
    const id = (await a.enqueue('k', {}, { at: T0 })) as number;
    expect((await a.claimDue('a', T0, T0 + 60_000, 10)).map((i) => i.id)).toEqual([id]);
    expect(await b.claimDue('b', T0 + 59_999, T0 + 120_000, 10)).toEqual([]);
    // The other node may not finish what it does not hold.
    await b.markDone(id, 'b', T0);
    expect((await a.get(id))?.status).toBe('pending');
    expect((await b.claimDue('b', T0 + 60_000, T0 + 120_000, 10)).map((i) => i.id)).toEqual([id]);
    await a.markDone(id, 'a', T0 + 60_001); // a's claim ran out: b holds it now
    expect((await a.get(id))?.status).toBe('pending');
    await b.markDone(id, 'b', T0 + 60_002);
    expect(await a.get(id)).toMatchObject({ status: 'done', attempts: 2, finishedAt: T0 + 60_002 });
  });
});
