/**
 * Time for the job runner, the syncs and the outbox: what time it is, a timer, and a wait. Injectable, so a test
 * moves time by hand instead of waiting a day for a schedule. The system clock's timers are unref'd: a job waiting
 * for its next run never keeps the process alive.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface Timer {
  cancel(): void;
}

export interface JobClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once after `ms`. */
  setTimer(fn: () => void, ms: number): Timer;
  /** Resolves after `ms`; rejects with the signal's reason once it is aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Node's timers take at most 2^31 − 1 ms (about 24.8 days) and fire at once for more; a longer wait is made of
 * several.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: JobClock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
  sleep: (ms, signal) =>
    sleep(Math.min(Math.max(0, ms), MAX_TIMER_MS), undefined, { ref: false, ...(signal && { signal }) }),
};

/** The system clock's timers with another idea of the time (a context's `clock`, which tests set). */
export function clockFrom(now: () => number): JobClock {
  return now === Date.now ? systemClock : { ...systemClock, now };
}
