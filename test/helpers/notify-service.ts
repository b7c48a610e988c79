/**
 * The real service with its background work, wired as src/server.ts wires it: FastAGI on a free port, a SQLite file
 * in a temp folder, the job runner (source syncs, the outbox, notifications) started, and each decided call handed to
 * the reporter and the notifications from the onScreened hook. Closed when the test ends — jobs first, then the
 * service — or earlier with `close()` (a restart: start another on the same `dataDir`).
 */
import { expect, onTestFinished, vi } from 'vitest';
import { createServiceJobs, type ServiceJobs, type ServiceJobsOptions } from '../../src/jobs/service-jobs.js';
import type { ManualClock } from './manual-clock.js';
import { type ServiceOptions, startService, type TestService } from './service.js';

export interface NotifyService extends TestService {
  jobs: ServiceJobs;
}

export async function startNotifyService(
  options: ServiceOptions & { jobs?: ServiceJobsOptions } = {},
): Promise<NotifyService> {
  const svc = await startService({
    ...options,
    env: { CALLFILTER_HOME_AREA_CODE: '30', CALLFILTER_TIMEZONE: 'Europe/Berlin', ...options.env },
  });
  const jobs = createServiceJobs(svc.ctx, { mqttReconnectMs: 100, ...options.jobs });
  // startService hands every screened call to metrics.onScreened; chain the hooks on, as src/server.ts's onScreened does.
  const toMetrics = svc.metrics.onScreened.bind(svc.metrics);
  svc.metrics.onScreened = (o) => {
    toMetrics(o);
    jobs.reporter.onCallDecided(o);
    jobs.notify.onCallDecided(o);
  };
  await jobs.start();
  const closeService = svc.close;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      try {
        await jobs.close();
      } finally {
        await closeService();
      }
    })());
  // Registered after startService's own: the stack order of onTestFinished runs it first.
  onTestFinished(close);
  return { ...svc, jobs, close };
}

/**
 * Moves a manual clock `ms` ahead and waits (real time) until `check` holds. Timers that fall due up to the target
 * meanwhile — set by work that finished after the first move, such as the outbox job arming itself again after a run
 * of real HTTP requests — fire on the next look.
 */
export async function advanceUntil(
  clock: ManualClock,
  ms: number,
  check: () => boolean | Promise<boolean>,
  what = 'the condition',
  timeoutMs = 5_000,
): Promise<void> {
  const target = clock.now() + ms;
  await vi.waitFor(
    async () => {
      await clock.advanceTo(target);
      expect(await check(), `${what}, ${ms} ms on`).toBe(true);
    },
    { timeout: timeoutMs, interval: 20 },
  );
}
