import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { DEFAULT_BUSY_TIMEOUT_MS } from '../../src/store/database.js';
import { createGroupCommit, MAX_HOLD_MS } from '../../src/store/group-commit.js';
import { type NewCall, StoreError } from '../../src/store/index.js';
import { holdWriteLock } from '../reliability/processes.js';
import { newCall as call, tempStore } from './helpers.js';

class Shared extends Error {}

/** A commit log that records what was written how, and fails on the items it is told to. */
function recorder(bad = new Set<string>(), shared = false) {
  const batches: string[][] = [];
  const singles: string[] = [];
  const gc = createGroupCommit<string, string>({
    commitAll(items) {
      if (shared) throw new Shared('locked');
      if (items.some((i) => bad.has(i))) throw new Error('a bad item');
      batches.push([...items]);
      return items.map((i) => `id:${i}`);
    },
    commitOne(item) {
      if (shared) throw new Shared('locked');
      if (bad.has(item)) throw new Error(`bad ${item}`);
      singles.push(item);
      return `id:${item}`;
    },
    sharedFailure: (err) => err instanceof Shared,
  });
  // Queued now, committed right after this turn of the event loop.
  const write = (item: string) => gc.add(item, true).committed();
  return { gc, write, batches, singles };
}

describe('group commit', () => {
  it('writes what was queued in one turn of the event loop in one commit, and the next turn in another', async () => {
    const { write, batches, singles } = recorder();
    const first = ['a', 'b', 'c'].map((i) => write(i));
    expect(batches).toEqual([]); // queued, not written before the turn ends
    expect(await Promise.all(first)).toEqual(['id:a', 'id:b', 'id:c']);
    const second = [write('d'), write('e')];
    expect(await Promise.all(second)).toEqual(['id:d', 'id:e']);
    expect(batches).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    expect(singles).toEqual([]);
    expect(await write('f')).toBe('id:f'); // alone: no transaction around a single row
    expect(singles).toEqual(['f']);
  });

  it('holds queued items until one of them is asked for, then commits everything queued in one transaction', async () => {
    const { gc, batches, singles } = recorder();
    const a = gc.add('a');
    const b = gc.add('b');
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([]); // nobody asked: nothing written
    const c = gc.add('c');
    expect(await b.committed()).toBe('id:b');
    expect(batches).toEqual([['a', 'b', 'c']]);
    // a and c were written with b: asking for them now resolves without another commit.
    expect(await Promise.all([a.committed(), c.committed()])).toEqual(['id:a', 'id:c']);
    expect(batches).toHaveLength(1);
    expect(singles).toEqual([]);
  });

  it('commits an item queued with `soon` right after this turn of the event loop, without being asked', async () => {
    const { gc, singles } = recorder();
    gc.add('a', true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(singles).toEqual(['a']);
  });

  it('commits an item nobody asks for after MAX_HOLD_MS at the latest', async () => {
    const { gc, singles } = recorder();
    const started = performance.now();
    gc.add('a');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(singles).toEqual([]);
    await vi.waitFor(() => expect(singles).toEqual(['a']), { timeout: 1_000, interval: 5 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(MAX_HOLD_MS - 1);
  });

  it("rejects an item written with another one's commit only when its own call asks (no unhandled rejection)", async () => {
    const { gc } = recorder(new Set(['a']));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const a = gc.add('a');
      expect(await gc.add('b').committed()).toBe('id:b');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
      await expect(a.committed()).rejects.toThrow('bad a');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('after a failed batch writes the items one by one, so only the bad one fails', async () => {
    const { write, batches, singles } = recorder(new Set(['b']));
    const results = await Promise.allSettled(['a', 'b', 'c'].map((i) => write(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('bad b'));
    expect(batches).toEqual([]);
    expect(singles).toEqual(['a', 'c']);
  });

  it('fails every item of the batch at once on an error they would all hit (no retry one by one)', async () => {
    const { write, singles } = recorder(new Set(), true);
    const results = await Promise.allSettled(['a', 'b', 'c'].map((i) => write(i)));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof Shared)).toBe(true);
    expect(singles).toEqual([]);
  });
});

describe('calls.write on a database file', () => {
  it('commits 50 concurrent calls, each visible to another connection when its promise resolves', async () => {
    const { store, file } = tempStore();
    const reader = new BetterSqlite3(file, { readonly: true });
    onTestFinished(() => {
      reader.close();
    });
    const byId = reader.prepare('SELECT caller FROM calls WHERE id = ?').pluck();
    const seen = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        store.calls
          .log(call(n))
          .committed()
          .then((id) => ({ id: id as number, caller: byId.get(id), n })),
      ),
    );
    expect(seen.map((s) => s.caller)).toEqual(seen.map((s) => `+4930${s.n}`));
    const ids = seen.map((s) => s.id);
    expect(new Set(ids).size).toBe(50);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(await store.calls.count()).toBe(50);
  });

  it('loses only the row that cannot be written, not the calls that came with it', async () => {
    const { store } = tempStore();
    const broken = call(2, { action: undefined as unknown as NewCall['action'] }); // NOT NULL violated
    const results = await Promise.allSettled([call(1), broken, call(3)].map((c) => store.calls.log(c).committed()));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    expect((await store.calls.list()).items.map((c) => c.caller)).toEqual(['+49303', '+49301']);
  });

  it('while another process holds the write lock, a batch waits busy_timeout once and fails as a whole', async () => {
    const { store, file } = tempStore();
    await store.calls.insert(call(0));
    const lock = await holdWriteLock(file);
    const t0 = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, n) => store.calls.log(call(n + 1)).committed()),
    );
    const ms = performance.now() - t0;
    expect(results.every((r) => r.status === 'rejected' && (r.reason as StoreError).code === 'busy')).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(DEFAULT_BUSY_TIMEOUT_MS - 10);
    expect(ms).toBeLessThan(2 * DEFAULT_BUSY_TIMEOUT_MS);
    await lock.release();
    expect(await store.calls.log(call(11)).committed()).toBeGreaterThan(0);
  });
});
