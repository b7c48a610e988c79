/**
 * Database.callPathWrite while another process holds the write lock: one write waits busy_timeout, the following
 * ones fail at once, one probe per BUSY_PROBE_MS waits again, and the first success ends it.
 */
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BUSY_PROBE_MS, DEFAULT_BUSY_TIMEOUT_MS } from '../../src/store/database.js';
import { openStore, StoreError } from '../../src/store/index.js';
import { tempDir } from '../helpers/service.js';
import { sleep } from './clients.js';
import { holdWriteLock } from './processes.js';

async function timedWrite(fn: () => Promise<unknown>): Promise<{ ms: number; err?: unknown }> {
  const t0 = performance.now();
  try {
    await fn();
    return { ms: performance.now() - t0 };
  } catch (err) {
    return { ms: performance.now() - t0, err };
  }
}

describe('call-path writes while the database is locked', () => {
  it('wait busy_timeout once, then fail fast with one probe per BUSY_PROBE_MS, and recover at the first success', async () => {
    const file = join(tempDir(), 'callfilter.db');
    const store = openStore(file);
    onTestFinished(() => store.db.close());
    const insert = () =>
      store.calls.insert({
        at: Date.now(),
        callerRaw: '+4930123456',
        callerKind: 'number',
        action: 'connect',
        reason: 'fail-open',
        profile: 'default',
      });
    await insert();

    const lock = await holdWriteLock(file);
    const first = await timedWrite(insert);
    expect(first.err).toBeInstanceOf(StoreError);
    expect((first.err as StoreError).code).toBe('busy');
    expect(first.ms).toBeGreaterThanOrEqual(DEFAULT_BUSY_TIMEOUT_MS - 10);

    const quick = [];
    for (let i = 0; i < 10; i++) quick.push(await timedWrite(insert));
    expect(quick.every((w) => (w.err as StoreError | undefined)?.code === 'busy')).toBe(true);
    expect(Math.max(...quick.map((w) => w.ms))).toBeLessThan(50);

    await sleep(BUSY_PROBE_MS + 50);
    const probe = await timedWrite(insert);
    expect((probe.err as StoreError | undefined)?.code).toBe('busy');
    expect(probe.ms).toBeGreaterThanOrEqual(DEFAULT_BUSY_TIMEOUT_MS - 10);

    await lock.release();
    // Not a probe (within BUSY_PROBE_MS of the last), yet it succeeds: the lock is gone, no waiting needed.
    const ok = await timedWrite(insert);
    expect(ok.err).toBeUndefined();
    expect(Number(store.db.pragma('busy_timeout'))).toBe(DEFAULT_BUSY_TIMEOUT_MS);
    expect(await store.calls.count()).toBe(2);
  });
});
