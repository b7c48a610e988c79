/** outbox.park / unpark: a receiver's waiting items leave the queue's way in one write, and come back in one. */
import { describe, expect, it } from 'vitest';
import type { OutboxRepository } from '../../src/store/index.js';
import { createPostgresOutboxRepository } from '../../src/store/pg/outbox-repository.js';
import { usePostgresDatabase } from './engines.js';
import { tempStore } from './helpers.js';

const postgres = usePostgresDatabase('outbox_park');

const T0 = Date.UTC(2026, 11, 24, 12, 0);
const DAY = 86_400_000;

const engines: [string, () => Promise<{ outbox: OutboxRepository }>][] = [
  ['SQLite', async () => tempStore().store],
  ['PostgreSQL', async () => ({ outbox: createPostgresOutboxRepository(await postgres.fresh()) })],
];

describe.each(engines)('parking outbox items (%s)', (_, open) => {
  it('parks the pending, unclaimed, soon-due items of a key prefix at the end of their life, and unparks them', async () => {
    const store = await open();
    const key = (n: number, target = 'aaaa') => `webhook:${target}:call-${n}-decided`;
    const a1 = (await store.outbox.enqueue('webhook', {}, { at: T0, dedupeKey: key(1) })) as number;
    const a2 = (await store.outbox.enqueue('webhook', {}, { at: T0, dedupeKey: key(2) })) as number;
    const a3 = (await store.outbox.enqueue('webhook', {}, { at: T0 + 60_000, dedupeKey: key(3) })) as number;
    const other = (await store.outbox.enqueue('webhook', {}, { at: T0, dedupeKey: key(1, 'aaab') })) as number;
    const plain = (await store.outbox.enqueue('phoneblock.rate', {}, { at: T0 })) as number;
    // a1 is in a dispatcher's hands: that dispatcher decides about it
    const [claimed] = await store.outbox.claimDue('owner', T0, T0 + 60_000, 1);
    expect(claimed?.id).toBe(a1);

    expect(await store.outbox.park('webhook:aaaa:', DAY - 600_000, T0 + 3_600_000, T0)).toBe(2);
    const at = async (id: number) => (await store.outbox.get(id))?.nextAttemptAt;
    expect(await at(a1)).toBe(T0);
    expect(await at(a2)).toBe(T0 + DAY - 600_000);
    expect(await at(a3)).toBe(T0 + 60_000 + DAY - 600_000);
    expect(await at(other)).toBe(T0);
    expect(await at(plain)).toBe(T0);
    // parked items are not parked again
    expect(await store.outbox.park('webhook:aaaa:', DAY - 600_000, T0 + 3_600_000, T0)).toBe(0);
    expect(await store.outbox.nextDue()).toBe(T0);

    await store.outbox.markRetry(a1, 'owner', T0 + 30_000, 'down');
    expect(await store.outbox.unpark('webhook:aaaa:', T0 + 40_000)).toBe(2);
    expect([await at(a1), await at(a2), await at(a3)]).toEqual([T0 + 30_000, T0 + 40_000, T0 + 40_000]);
    await expect(store.outbox.park('', DAY, T0, T0)).rejects.toThrow(/key prefix/);
  });
});
