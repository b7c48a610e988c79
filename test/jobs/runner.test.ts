import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LEASE_RENEW_MS, LEASE_TTL_MS, LeaseBusyError, LeaseLostError, withLease } from '../../src/jobs/lease.js';
import { createJobRunner, type Job, MIN_RUN_GAP_MS, periodic, RESCAN_MS } from '../../src/jobs/runner.js';
import { manualClock, settle } from '../helpers/manual-clock.js';
import { tempStore } from '../store/helpers.js';

const T0 = Date.UTC(2026, 11, 6, 12, 0);
const HOUR = 3_600_000;
const silent = pino({ level: 'silent' });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('the job runner', () => {
  it('runs a job when it says, and asks it again after each run', async () => {
    const { store } = tempStore();
    const clock = manualClock(T0);
    const runner = createJobRunner({ store, logger: silent, clock, owner: 'me' });
    const runs: number[] = [];
    let due = T0 + 2 * HOUR;
    runner.add({
      name: 'job',
      next: () => due,
      run: async (_signal, now) => {
        runs.push(now);
        due = now + 3 * HOUR;
      },
    });
    await clock.advance(HOUR);
    expect(runs).toEqual([]);
    await clock.advance(HOUR);
    expect(runs).toEqual([T0 + 2 * HOUR]);
    await clock.advance(3 * HOUR);
    expect(runs).toEqual([T0 + 2 * HOUR, T0 + 5 * HOUR]);
    await runner.close();
    expect(clock.pending).toBe(0);
  });

  it('takes over a plain periodic function (retention): every interval, from when it was added', async () => {
    const { store } = tempStore();
    const clock = manualClock(T0);
    const runner = createJobRunner({ store, logger: silent, clock });
    const pruned: number[] = [];
    runner.add(periodic('prune-calls', HOUR, (now) => pruned.push(now)));
    await clock.advance(3 * HOUR);
    expect(pruned).toEqual([T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR]);
    await runner.close();
  });

  it('asks a job with nothing to do again after RESCAN_MS, and at once when poked', async () => {
    const { store } = tempStore();
    const clock = manualClock(T0);
    const runner = createJobRunner({ store, logger: silent, clock });
    let asked = 0;
    let due: number | undefined;
    const runs: number[] = [];
    runner.add({
      name: 'idle',
      next: () => (asked++, due),
      run: async (_s, now) => {
        runs.push(now);
        due = undefined;
      },
    });
    await settle();
    expect(asked).toBe(1);
    await clock.advance(RESCAN_MS);
    expect(asked).toBe(2);
    due = clock.now();
    runner.poke('idle');
    await clock.advance(0);
    expect(runs).toEqual([T0 + RESCAN_MS]);
    await runner.close();
  });

  it('keeps going after a job fails', async () => {
    const { store } = tempStore();
    const clock = manualClock(T0);
    const runner = createJobRunner({ store, logger: silent, clock });
    let calls = 0;
    runner.add(
      periodic('boom', HOUR, () => {
        calls++;
        throw new Error('boom');
      }),
    );
    await clock.advance(3 * HOUR);
    expect(calls).toBe(3);
    await runner.close();
  });

  it('never runs a job twice at once, here or in another process (its lease)', async () => {
    const t = tempStore();
    const clock = manualClock(T0);
    const a = createJobRunner({ store: t.store, logger: silent, clock, owner: 'a' });
    const b = createJobRunner({ store: t.reopen(), logger: silent, clock, owner: 'b' });
    const gate = deferred();
    let running = 0;
    let most = 0;
    const job = (): Job => ({
      name: 'sync',
      next: () => undefined,
      run: async () => {
        most = Math.max(most, ++running);
        await gate.promise;
        running--;
      },
    });
    a.add(job());
    b.add(job());
    const first = a.runNow('sync');
    await settle();
    expect(await a.runNow('sync')).toBe('busy');
    expect(await b.runNow('sync')).toBe('busy');
    gate.resolve();
    expect(await first).toBe('ran');
    expect(most).toBe(1);
    expect(await b.runNow('sync')).toBe('ran');
    await Promise.all([a.close(), b.close()]);
  });

  it('close() stops the timers, aborts running jobs, waits for them, and can be called again', async () => {
    const { store } = tempStore();
    const clock = manualClock(T0);
    const runner = createJobRunner({ store, logger: silent, clock });
    let aborted = false;
    runner.add({
      name: 'long',
      next: () => T0,
      run: (signal) =>
        new Promise<void>((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve()))),
    });
    await clock.advance(0);
    await Promise.all([runner.close(), runner.close()]);
    expect(aborted).toBe(true);
    expect(clock.pending).toBe(0);
    expect(await store.leases.holder('job:long')).toBeUndefined();
  });
});

describe('withLease', () => {
  it('renews the lease while the work runs, and releases it after', async () => {
    const { store } = tempStore();
    const clock = manualClock(T0);
    const gate = deferred();
    const work = withLease('job:x', { store, clock, owner: 'me' }, async () => gate.promise);
    await settle();
    await clock.advance(LEASE_TTL_MS * 3);
    expect((await store.leases.holder('job:x'))?.expiresAt).toBeGreaterThan(clock.now());
    await expect(withLease('job:x', { store, clock, owner: 'other' }, async () => undefined)).rejects.toBeInstanceOf(
      LeaseBusyError,
    );
    gate.resolve();
    await work;
    expect(await store.leases.holder('job:x')).toBeUndefined();
  });

  it("lets another take a crashed holder's lease once it expires", async () => {
    const { store } = tempStore();
    const clock = manualClock(T0);
    await store.leases.acquire('source:1', 'crashed', T0 + LEASE_TTL_MS, T0);
    await expect(withLease('source:1', { store, clock, owner: 'me' }, async () => 'ran')).rejects.toBeInstanceOf(
      LeaseBusyError,
    );
    await clock.advance(LEASE_TTL_MS);
    expect(await withLease('source:1', { store, clock, owner: 'me' }, async () => 'ran')).toBe('ran');
  });

  it('aborts the work when the lease was taken over meanwhile', async () => {
    const { store } = tempStore();
    const clock = manualClock(T0);
    const seen = deferred();
    let reason: unknown;
    const work = withLease('job:x', { store, clock, owner: 'me' }, (signal) => {
      signal.addEventListener('abort', () => ((reason = signal.reason), seen.resolve()));
      return seen.promise;
    });
    await settle();
    // Someone else holds it now (as after this process stalled past the expiry).
    await store.leases.release('job:x', 'me');
    await store.leases.acquire('job:x', 'other', T0 + 10 * LEASE_TTL_MS, T0);
    await clock.advance(LEASE_RENEW_MS);
    await work;
    expect(reason).toBeInstanceOf(LeaseLostError);
  });
});

describe('a job whose schedule does not move', () => {
  it('runs no more often than MIN_RUN_GAP_MS', async () => {
    const { store } = tempStore();
    const clock = manualClock(T0);
    const runner = createJobRunner({ store, logger: silent, clock });
    let runs = 0;
    runner.add({ name: 'stuck', next: () => T0, run: async () => void runs++ });
    await clock.advance(MIN_RUN_GAP_MS * 10);
    expect(runs).toBe(11);
    await runner.close();
  });
});
