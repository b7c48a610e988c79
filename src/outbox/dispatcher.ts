/**
 * The outbox dispatcher: takes due items from the store, hands each to the handler of its kind, and records what
 * happened — delivered (done), try again after an exponential backoff with jitter, or given up (dead) once an item
 * is older than maxAgeMs or was refused for good. Items survive a restart: they are rows until they are done or
 * dead. Runs as a job of the job runner (one dispatcher at a time across processes: lease `job:outbox`), never on
 * the call path.
 */
import { type Backoff, backoffDelay } from '../jobs/backoff.js';
import type { JobClock } from '../jobs/clock.js';
import type { Job } from '../jobs/runner.js';
import type { Logger } from '../logger.js';
import type { OutboxItem, Store } from '../store/index.js';
import { type OutboxHandler, PermanentDeliveryError, RetryLaterError } from './types.js';

const MINUTE = 60_000;
/** Give up on an item a day old: a report or a notification that late tells nobody anything. */
export const DEFAULT_MAX_AGE_MS = 24 * 60 * MINUTE;
/** Retries after 30 s, 1 min, 2 min … at most every 30 min: an outage of the other side costs it little. */
export const OUTBOX_BACKOFF: Backoff = { baseMs: 30_000, maxMs: 30 * MINUTE };
/** An item stays with its dispatcher this long; one whose dispatcher died is taken by another after that. */
const CLAIM_MS = 5 * MINUTE;
/** Items per claim: one pass is short, and the next pass takes the rest. */
const BATCH = 20;
/** Error texts kept in the delivery log are cut here (an HTML error page is no message). */
const MAX_ERROR_CHARS = 500;

export interface DispatcherOptions {
  store: Store;
  clock: JobClock;
  owner: string;
  logger: Logger;
  handlers: Record<string, OutboxHandler>;
  maxAgeMs?: number;
  backoff?: Backoff;
  random?: () => number;
}

export interface DispatchReport {
  delivered: number;
  retried: number;
  dead: number;
}

export interface Dispatcher {
  /** Delivers what is due now, batch by batch, until nothing due is left or `signal` aborts. */
  dispatchDue(signal?: AbortSignal): Promise<DispatchReport>;
  /** The dispatcher as a job for the runner (name `outbox`). */
  job(): Job;
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { store, clock, owner, handlers } = options;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const backoff = options.backoff ?? OUTBOX_BACKOFF;
  const random = options.random ?? Math.random;
  const log = options.logger.child({ subsystem: 'outbox' });

  async function deliver(item: OutboxItem, signal: AbortSignal, report: DispatchReport): Promise<void> {
    const handler = Object.hasOwn(handlers, item.kind) ? handlers[item.kind] : undefined;
    const now = clock.now();
    const giveUp = async (why: string) => {
      report.dead++;
      await store.outbox.markDead(item.id, owner, clock.now(), why);
      log.warn({ id: item.id, kind: item.kind, attempts: item.attempts, why }, 'outbox item given up');
    };
    if (now - item.createdAt > maxAgeMs)
      return giveUp(
        `given up after ${Math.round(maxAgeMs / MINUTE)} minutes${item.lastError ? `; last error: ${item.lastError}` : ''}`,
      );
    try {
      if (!handler) throw new Error(`no handler for "${item.kind}" in this process`);
      await handler(item.payload, { signal, attempt: item.attempts });
      report.delivered++;
      await store.outbox.markDone(item.id, owner, clock.now());
      log.info({ id: item.id, kind: item.kind, attempts: item.attempts }, 'outbox item delivered');
    } catch (err) {
      if (signal.aborted) {
        // Not the item's fault: it is tried again at once by the next dispatcher.
        await store.outbox.markRetry(item.id, owner, clock.now(), errorText(signal.reason ?? err));
        return;
      }
      if (err instanceof PermanentDeliveryError) return giveUp(errorText(err));
      const after = clock.now();
      const nextAt =
        err instanceof RetryLaterError
          ? Math.max(err.retryAt, after)
          : after + backoffDelay(item.attempts, backoff, random);
      if (nextAt - item.createdAt > maxAgeMs) return giveUp(`given up: ${errorText(err)}`);
      report.retried++;
      await store.outbox.markRetry(item.id, owner, nextAt, errorText(err));
      log.info(
        { id: item.id, kind: item.kind, attempts: item.attempts, retryIn: nextAt - after, error: errorText(err) },
        'outbox item will be tried again',
      );
    }
  }

  async function dispatchDue(signal: AbortSignal = new AbortController().signal): Promise<DispatchReport> {
    const report: DispatchReport = { delivered: 0, retried: 0, dead: 0 };
    while (!signal.aborted) {
      const now = clock.now();
      const items = await store.outbox.claimDue(owner, now, now + CLAIM_MS, BATCH);
      for (const item of items) await deliver(item, signal, report);
      if (items.length < BATCH) break;
    }
    return report;
  }

  return {
    dispatchDue,
    job: () => ({
      name: 'outbox',
      next: () => store.outbox.nextDue(),
      run: async (signal) => {
        await dispatchDue(signal);
      },
    }),
  };
}
