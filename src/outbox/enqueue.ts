/**
 * Putting work into the outbox. `enqueue` is an ordinary store write for code off the call path (an API route, the
 * command line). `afterCall` is for the call path's side: the screening handler's onScreened hook runs before the
 * closing channel variables are sent, so the hook only schedules the work for a later turn of the event loop and
 * returns; the work's failure is logged, never thrown — a report that cannot be queued must not touch the call.
 */
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';

export interface EnqueueOptions {
  at: number;
  /** At most one item per key (e.g. one call report per number and day): a second enqueue adds nothing. */
  dedupeKey?: string;
}

export async function enqueue(
  store: Store,
  kind: string,
  payload: unknown,
  options: EnqueueOptions,
): Promise<number | undefined> {
  return store.outbox.enqueue(kind, payload, options);
}

/** Runs `work` after the current turn of the event loop; never throws, logs what failed. */
export function afterCall(logger: Logger, what: string, work: () => Promise<unknown>): void {
  setImmediate(() => {
    work().catch((err: unknown) => logger.warn({ err, what }, 'work after a call failed; the call was not affected'));
  });
}
