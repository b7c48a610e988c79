/**
 * The job runner: periodic work of the service — source syncs, the outbox, retention, later digests. Each job says
 * when it wants to run next; the runner sets one timer per job (on an injectable clock, unref'd), runs the job under
 * a lease so that no other process runs it at the same time, and asks again. A failing job is logged and asked
 * again; it never stops the others. Never on the call path: a job's database work is paced by the job itself.
 */
import type { Logger } from '../logger.js';
import type { Store } from '../store/index.js';
import { type JobClock, MAX_TIMER_MS, systemClock, type Timer } from './clock.js';
import { LeaseBusyError, processOwner, withLease } from './lease.js';

/**
 * How often a job that has nothing scheduled (or its next run far away) is asked again: another process (the
 * command line) may have added work meanwhile.
 */
export const RESCAN_MS = 5 * 60_000;
/**
 * A job runs again no sooner than this after its last run ended, whatever it says: a job whose schedule does not
 * move (its store write failed) would otherwise run again and again at once — and hammer the service it syncs from.
 */
export const MIN_RUN_GAP_MS = 10_000;

export interface Job {
  readonly name: string;
  /** When to run next (epoch ms; now or earlier: at once), or undefined for "nothing to do, ask again later". */
  next(now: number): number | undefined | Promise<number | undefined>;
  /** `now`: the runner clock's time when the run starts. */
  run(signal: AbortSignal, now: number): Promise<void>;
  /** Default true: the runner holds lease `job:<name>` while the job runs. False for jobs that lease per item. */
  lease?: boolean;
}

export interface JobRunnerOptions {
  store: Store;
  logger: Logger;
  clock?: JobClock;
  /** This process in leases (default: host/pid/random). */
  owner?: string;
}

export interface JobRunner {
  readonly owner: string;
  readonly clock: JobClock;
  add(job: Job): void;
  remove(name: string): void;
  /** Asks a job (or every job) again now when it wants to run: after something changed its schedule. */
  poke(name?: string): void;
  /** Runs a job now, whatever its schedule; 'busy' when another process runs it (or this one already does). */
  runNow(name: string): Promise<'ran' | 'busy'>;
  /** Stops the timers, aborts running jobs and waits for them. Idempotent. */
  close(): Promise<void>;
}

interface Slot {
  job: Job;
  timer?: Timer;
  running?: Promise<'ran' | 'busy'>;
  controller?: AbortController;
  /** Bumped on every arm: a `next()` answer that arrives after a newer arm is dropped. */
  generation: number;
  /** When the last run ended. */
  lastEnd?: number;
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const clock = options.clock ?? systemClock;
  const owner = options.owner ?? processOwner();
  const log = options.logger.child({ subsystem: 'jobs' });
  const slots = new Map<string, Slot>();
  let closed: Promise<void> | undefined;

  async function arm(slot: Slot): Promise<void> {
    slot.timer?.cancel();
    slot.timer = undefined;
    const generation = ++slot.generation;
    const now = clock.now();
    let next: number | undefined;
    try {
      next = await slot.job.next(now);
    } catch (err) {
      log.warn({ err, job: slot.job.name }, 'could not tell when a job runs next; asking again later');
    }
    if (closed || slot.generation !== generation || slots.get(slot.job.name) !== slot || slot.running) return;
    if (next !== undefined && slot.lastEnd !== undefined) next = Math.max(next, slot.lastEnd + MIN_RUN_GAP_MS);
    const delay = Math.min(next === undefined ? RESCAN_MS : Math.max(0, next - now), RESCAN_MS, MAX_TIMER_MS);
    slot.timer = clock.setTimer(() => {
      slot.timer = undefined;
      if (next !== undefined && clock.now() >= next) void fire(slot);
      else void arm(slot);
    }, delay);
  }

  function fire(slot: Slot): Promise<'ran' | 'busy'> {
    if (slot.running) return Promise.resolve('busy');
    slot.timer?.cancel();
    slot.timer = undefined;
    const controller = new AbortController();
    slot.controller = controller;
    const { job } = slot;
    const work = (signal: AbortSignal) => job.run(signal, clock.now());
    const running = (async (): Promise<'ran' | 'busy'> => {
      try {
        if (job.lease === false) await work(controller.signal);
        else
          await withLease(`job:${job.name}`, { store: options.store, clock, owner, signal: controller.signal }, work);
        return 'ran';
      } catch (err) {
        if (err instanceof LeaseBusyError) {
          log.debug({ job: job.name, holder: err.holder }, 'job runs in another process; skipped');
          return 'busy';
        }
        if (!controller.signal.aborted) log.error({ err, job: job.name }, 'job failed');
        return 'ran';
      } finally {
        slot.lastEnd = clock.now();
        slot.running = undefined;
        slot.controller = undefined;
        if (!closed && slots.get(job.name) === slot) void arm(slot);
      }
    })();
    slot.running = running;
    return running;
  }

  return {
    owner,
    clock,
    add(job) {
      if (closed) return;
      const old = slots.get(job.name);
      old?.timer?.cancel();
      const slot: Slot = { job, generation: 0 };
      slots.set(job.name, slot);
      void arm(slot);
    },
    remove(name) {
      const slot = slots.get(name);
      slot?.timer?.cancel();
      slot?.controller?.abort(new Error(`job ${name} was removed`));
      slots.delete(name);
    },
    poke(name) {
      if (closed) return;
      for (const slot of name === undefined ? slots.values() : [slots.get(name)]) {
        if (slot && !slot.running) void arm(slot);
      }
    },
    async runNow(name) {
      const slot = slots.get(name);
      if (!slot) throw new Error(`no job named ${JSON.stringify(name)}`);
      if (closed) return 'busy';
      return slot.running ? 'busy' : fire(slot);
    },
    close() {
      closed ??= (async () => {
        const running: Promise<unknown>[] = [];
        for (const slot of slots.values()) {
          slot.timer?.cancel();
          slot.controller?.abort(new Error('the job runner is closing'));
          if (slot.running) running.push(slot.running);
        }
        await Promise.allSettled(running);
      })();
      return closed;
    },
  };
}

/**
 * A job that runs every `everyMs` (the first time `everyMs` after it is added): for plain periodic work such as
 * the call log's retention, `periodic('prune-calls', HOUR, (now) => pruneCalls(ctx, now))`.
 */
export function periodic(name: string, everyMs: number, fn: (now: number, signal: AbortSignal) => unknown): Job {
  let due: number | undefined;
  return {
    name,
    next(now) {
      due ??= now + everyMs;
      return due;
    },
    async run(signal, now) {
      due = now + everyMs;
      await fn(now, signal);
    },
  };
}
