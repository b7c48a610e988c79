/** A JobClock whose time moves only when the test says so: schedules of days run in milliseconds. */
import type { JobClock, Timer } from '../../src/jobs/clock.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

export interface ManualClock extends JobClock {
  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): Promise<void>;
  /** Moves time to `at` (no earlier than now). */
  advanceTo(at: number): Promise<void>;
  /** Timers not yet fired. */
  readonly pending: number;
  /** Every sleep asked for, in ms (retry waits). */
  readonly sleeps: number[];
}

/** Lets promise chains that depend on fired timers (and on store calls that answer at once) run. */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export function manualClock(start: number): ManualClock {
  let now = start;
  let seq = 0;
  const timers: Pending[] = [];
  const sleeps: number[] = [];
  const setTimer = (fn: () => void, ms: number): Timer => {
    const t: Pending = { at: now + Math.max(0, ms), seq: seq++, fn };
    timers.push(t);
    return {
      cancel() {
        const i = timers.indexOf(t);
        if (i >= 0) timers.splice(i, 1);
      },
    };
  };
  const clock: ManualClock = {
    now: () => now,
    setTimer,
    sleep(ms, signal) {
      sleeps.push(ms);
      return new Promise((resolve, reject) => {
        const timer = setTimer(() => resolve(), ms);
        signal?.addEventListener(
          'abort',
          () => {
            timer.cancel();
            reject(signal.reason);
          },
          { once: true },
        );
      });
    },
    async advance(ms) {
      await clock.advanceTo(now + ms);
    },
    async advanceTo(target) {
      await settle();
      for (;;) {
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers[0];
        if (!next || next.at > target) break;
        timers.shift();
        now = Math.max(now, next.at);
        next.fn();
        await settle();
      }
      now = Math.max(now, target);
      await settle();
    },
    get pending() {
      return timers.length;
    },
    sleeps,
  };
  return clock;
}

/** The system clock, except that a wait returns at once and is only recorded (retry delays, read by the test). */
export function instantSleeps(): JobClock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    now: () => Date.now(),
    setTimer(fn, ms) {
      const t = setTimeout(fn, ms);
      t.unref();
      return { cancel: () => clearTimeout(t) };
    },
    async sleep(ms, signal) {
      signal?.throwIfAborted();
      sleeps.push(ms);
    },
    sleeps,
  };
}
