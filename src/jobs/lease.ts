/**
 * Running something under a lease (store/leases-repository.ts), so it never runs twice at once — across processes:
 * the service's job runner and `callfilter sync` in a shell. The holder renews the lease while it works; when a
 * renewal finds the lease taken (this process stalled past the expiry and another took over), the work is aborted
 * through its signal. A holder that crashed stops renewing and its lease expires after LEASE_TTL_MS.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store } from '../store/index.js';
import type { JobClock } from './clock.js';

/** How long a crashed holder keeps others out. Long enough that a renewal late by a slow disk is no takeover. */
export const LEASE_TTL_MS = 60_000;
/** Three renewals per TTL: two may fail (a busy database) before the lease runs out. */
export const LEASE_RENEW_MS = LEASE_TTL_MS / 3;

/** Who this process is in a lease: host, pid and a random part (a pid is reused after a restart). */
export function processOwner(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

/** Someone else holds the lease: the work did not run. */
export class LeaseBusyError extends Error {
  override readonly name = 'LeaseBusyError';
  constructor(
    readonly lease: string,
    readonly holder: string | undefined,
    readonly until: number | undefined,
  ) {
    super(`${lease} is running in another process${holder ? ` (${holder})` : ''}`);
  }
}

/** The lease was lost while the work ran (another process took it over after it expired). */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

export interface LeaseOptions {
  store: Store;
  clock: JobClock;
  owner: string;
  /** Aborts the work from outside too (the runner closing). */
  signal?: AbortSignal;
}

/**
 * Runs `fn` while holding lease `name`; throws LeaseBusyError when another owner holds it. `fn` gets a signal that
 * aborts when the lease is lost or `options.signal` aborts; the lease is released when `fn` ends, however it ends.
 */
export async function withLease<T>(
  name: string,
  options: LeaseOptions,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { store, clock, owner } = options;
  const now = clock.now();
  if (!(await store.leases.acquire(name, owner, now + LEASE_TTL_MS, now))) {
    const holder = await store.leases.holder(name);
    throw new LeaseBusyError(name, holder?.owner, holder?.expiresAt);
  }
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let timer = clock.setTimer(() => void renew(), LEASE_RENEW_MS);
  let ended = false;
  async function renew(): Promise<void> {
    if (ended) return;
    try {
      if (!(await store.leases.renew(name, owner, clock.now() + LEASE_TTL_MS))) {
        controller.abort(new LeaseLostError(`${name}: the lease was taken over by another process; this run stopped`));
        return;
      }
    } catch {
      // A busy or failing database: try again at the next renewal; the lease still has two thirds of its time.
    }
    if (!ended) timer = clock.setTimer(() => void renew(), LEASE_RENEW_MS);
  }
  try {
    return await fn(controller.signal);
  } finally {
    ended = true;
    timer.cancel();
    options.signal?.removeEventListener('abort', onAbort);
    await store.leases.release(name, owner).catch(() => undefined);
  }
}
