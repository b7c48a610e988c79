import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createDispatcher, DEFAULT_MAX_AGE_MS } from '../../src/outbox/dispatcher.js';
import { type OutboxHandler, PermanentDeliveryError, RetryLaterError } from '../../src/outbox/types.js';
import type { Store } from '../../src/store/index.js';
import { createPostgresOutboxRepository } from '../../src/store/pg/outbox-repository.js';
import { postgresPool } from '../../src/store/pg/pool.js';
import { manualClock } from '../helpers/manual-clock.js';
import { usePostgresDatabase } from '../store/engines.js';
import { tempStore } from '../store/helpers.js';

const T0 = Date.UTC(2026, 11, 6, 12, 0);
const silent = pino({ level: 'silent' });
const postgres = usePostgresDatabase('outbox');

/** The dispatcher reads and writes the store's outbox only. */
type OutboxStore = Pick<Store, 'outbox'>;
interface Opened {
  store: OutboxStore;
  /** The process ends (SQLite: its connection closes; PostgreSQL: nothing of it is left in the database). */
  close(): void;
  /** The same database from another process (SQLite: another connection; PostgreSQL: another pool). */
  reopen(): OutboxStore;
}

const engines: [string, () => Promise<Opened>][] = [
  [
    'SQLite',
    async () => {
      const t = tempStore();
      return { store: t.store, close: () => t.store.db.close(), reopen: () => t.reopen() };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const pool = await postgres.fresh();
      return {
        store: { outbox: createPostgresOutboxRepository(pool) },
        close: () => undefined,
        reopen: () => {
          const other = postgresPool(pool.options.connectionString as string);
          onTestFinished(() => other.end());
          return { outbox: createPostgresOutboxRepository(other) };
        },
      };
    },
  ],
];

function dispatcher(
  store: OutboxStore,
  clock: ReturnType<typeof manualClock>,
  handlers: Record<string, OutboxHandler>,
) {
  // random() = 1: every backoff is its full length, so the test knows the delays.
  return createDispatcher({ store: store as Store, clock, owner: 'test', logger: silent, handlers, random: () => 1 });
}

describe.each(engines)('the outbox (%s)', (_, open) => {
  it('keeps one item per dedupe key and lists the delivery log newest first', async () => {
    const { store } = await open();
    expect(await store.outbox.enqueue('k', { n: 1 }, { at: T0, dedupeKey: 'same' })).toBe(1);
    expect(await store.outbox.enqueue('k', { n: 2 }, { at: T0, dedupeKey: 'same' })).toBeUndefined();
    await store.outbox.enqueue('other', { n: 3 }, { at: T0 + 1 });
    expect((await store.outbox.log()).items.map((i) => [i.kind, i.payload])).toEqual([
      ['other', { n: 3 }],
      ['k', { n: 1 }],
    ]);
    expect((await store.outbox.log({ kind: 'k' })).items).toHaveLength(1);
    expect(await store.outbox.countSince('k', T0)).toBe(1);
    expect(await store.outbox.nextDue()).toBe(T0);
  });

  it('delivers due items and marks them done', async () => {
    const { store } = await open();
    const clock = manualClock(T0);
    const seen: unknown[] = [];
    await store.outbox.enqueue('hello', { to: 'world' }, { at: T0 });
    const report = await dispatcher(store, clock, { hello: async (p) => void seen.push(p) }).dispatchDue();
    expect(report).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(seen).toEqual([{ to: 'world' }]);
    expect(await store.outbox.get(1)).toMatchObject({ status: 'done', attempts: 1, finishedAt: T0 });
    expect(await store.outbox.nextDue()).toBeUndefined();
  });

  it('retries with exponential backoff, then delivers', async () => {
    const { store } = await open();
    const clock = manualClock(T0);
    let fail = 2;
    const d = dispatcher(store, clock, {
      flaky: async () => {
        if (fail-- > 0) throw new Error('connection refused');
      },
    });
    await store.outbox.enqueue('flaky', {}, { at: T0 });
    expect(await d.dispatchDue()).toEqual({ delivered: 0, retried: 1, dead: 0 });
    expect(await store.outbox.get(1)).toMatchObject({
      status: 'pending',
      lastError: 'connection refused',
      nextAttemptAt: T0 + 30_000,
    });
    // Not due yet: nothing happens.
    expect(await d.dispatchDue()).toEqual({ delivered: 0, retried: 0, dead: 0 });
    await clock.advance(30_000);
    await d.dispatchDue();
    expect((await store.outbox.get(1))?.nextAttemptAt).toBe(T0 + 30_000 + 60_000);
    await clock.advance(60_000);
    expect(await d.dispatchDue()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(await store.outbox.get(1)).toMatchObject({ status: 'done', attempts: 3 });
  });

  it('waits as long as the other side asks (RetryLaterError)', async () => {
    const { store } = await open();
    const clock = manualClock(T0);
    await store.outbox.enqueue('busy', {}, { at: T0 });
    await dispatcher(store, clock, {
      busy: async () => Promise.reject(new RetryLaterError('429', T0 + 3_600_000)),
    }).dispatchDue();
    expect((await store.outbox.get(1))?.nextAttemptAt).toBe(T0 + 3_600_000);
  });

  it('gives up at once on a refusal, and on an item older than a day', async () => {
    const { store } = await open();
    const clock = manualClock(T0);
    await store.outbox.enqueue('refused', {}, { at: T0 });
    await store.outbox.enqueue('down', {}, { at: T0 });
    const d = dispatcher(store, clock, {
      refused: async () => Promise.reject(new PermanentDeliveryError('400 bad phone number')),
      down: async () => Promise.reject(new Error('503')),
    });
    expect(await d.dispatchDue()).toEqual({ delivered: 0, retried: 1, dead: 1 });
    expect(await store.outbox.get(1)).toMatchObject({ status: 'dead', lastError: '400 bad phone number' });
    for (let i = 0; i < 100 && (await store.outbox.get(2))?.status === 'pending'; i++) {
      await clock.advanceTo((await store.outbox.nextDue()) as number);
      await d.dispatchDue();
    }
    const dead = await store.outbox.get(2);
    expect(dead).toMatchObject({ status: 'dead', lastError: 'given up: 503' });
    expect(clock.now() - T0).toBeLessThanOrEqual(DEFAULT_MAX_AGE_MS);
    expect((await store.outbox.log({ status: 'dead' })).items).toHaveLength(2);
  });

  it('survives a restart: a pending item is delivered by the next process', async () => {
    const t = await open();
    const clock = manualClock(T0);
    await t.store.outbox.enqueue('report', { phone: '+4930123456' }, { at: T0 });
    await dispatcher(t.store, clock, { report: async () => Promise.reject(new Error('offline')) }).dispatchDue();
    t.close();

    const reopened = t.reopen();
    await clock.advance(30_000);
    const seen: unknown[] = [];
    expect(await dispatcher(reopened, clock, { report: async (p) => void seen.push(p) }).dispatchDue()).toEqual({
      delivered: 1,
      retried: 0,
      dead: 0,
    });
    expect(seen).toEqual([{ phone: '+4930123456' }]);
  });

  it('never hands an item claimed by one dispatcher to another', async () => {
    const t = await open();
    const other = t.reopen();
    await t.store.outbox.enqueue('k', {}, { at: T0 });
    expect(await t.store.outbox.claimDue('a', T0, T0 + 300_000, 10)).toHaveLength(1);
    expect(await other.outbox.claimDue('b', T0 + 1, T0 + 300_001, 10)).toHaveLength(0);
    // A claim that ran out (its dispatcher died) is taken over.
    expect(await other.outbox.claimDue('b', T0 + 300_000, T0 + 600_000, 10)).toHaveLength(1);
  });
});
