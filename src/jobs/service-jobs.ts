/**
 * The service's background work in one place: the job runner with its jobs (source syncs, the outbox, the call log's
 * retention, notifications), the sources, the outbox dispatcher, and the reporter the onScreened hook feeds.
 * server.ts starts it after the FastAGI server listens and closes it first at shutdown; the command line builds the
 * same parts to run one sync or one delivery under the same leases.
 */
import type { AppContext } from '../context.js';
import { createNotifications, type Notifications } from '../notify/service.js';
import { createDispatcher, type Dispatcher } from '../outbox/dispatcher.js';
import { type CalledListener, listenForCalls } from '../sources/called/trust.js';
import { ensureEnvSources } from '../sources/env-source.js';
import { fritzboxHandlers } from '../sources/fritzbox/write-barring.js';
import { type CallReporter, createCallReporter, phoneblockHandlers } from '../sources/phoneblock/reports.js';
import { createSources, type Sources } from '../sources/service.js';
import { clockFrom, type JobClock } from './clock.js';
import { PRUNE_EVERY_MS, pruneCalls } from './prune-calls.js';
import { createJobRunner, type JobRunner, periodic } from './runner.js';

export interface ServiceJobsOptions {
  clock?: JobClock;
  fetch?: typeof fetch;
  random?: () => number;
  owner?: string;
  /** MQTT reconnect period (tests shorten it). */
  mqttReconnectMs?: number;
}

export interface ServiceJobs {
  runner: JobRunner;
  sources: Sources;
  dispatcher: Dispatcher;
  reporter: CallReporter;
  /** The AMI client of the `called` source, while the service runs with CALLFILTER_AMI_URL. */
  called(): CalledListener | undefined;
  /** MQTT, webhooks, the digest and the voicemail follow-up (src/notify/service.ts); its hook goes beside the reporter's. */
  notify: Notifications;
  /** Creates the PhoneBlock source from the environment, then schedules the jobs. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createServiceJobs(ctx: AppContext, options: ServiceJobsOptions = {}): ServiceJobs {
  const clock = options.clock ?? clockFrom(ctx.clock);
  const runner = createJobRunner({
    store: ctx.store,
    logger: ctx.logger,
    clock,
    ...(options.owner && { owner: options.owner }),
  });
  const sources = createSources(ctx, {
    clock,
    owner: runner.owner,
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.random && { random: options.random }),
    onChange: () => runner.poke('sources'),
  });
  const notify = createNotifications(ctx, {
    clock,
    onQueued: () => runner.poke('outbox'),
    ...(options.mqttReconnectMs !== undefined && { mqttReconnectMs: options.mqttReconnectMs }),
    ...(options.random && { random: options.random }),
  });
  const handlers = { ...phoneblockHandlers(sources.env), ...fritzboxHandlers(sources.env), ...notify.handlers };
  const dispatcher = createDispatcher({
    store: ctx.store,
    clock,
    owner: runner.owner,
    logger: ctx.logger,
    handlers,
    ...(options.random && { random: options.random }),
  });
  const reporter = createCallReporter(ctx, {
    enabled: ctx.config.phoneblock.reportBlocked,
    clock,
    onQueued: () => runner.poke('outbox'),
  });
  let called: CalledListener | undefined;
  return {
    runner,
    sources,
    dispatcher,
    reporter,
    called: () => called,
    notify,
    async start() {
      await notify.start(runner);
      await ensureEnvSources(sources, ctx.config, ctx.logger.child({ subsystem: 'sources' }));
      runner.add(sources.job());
      runner.add(dispatcher.job());
      runner.add(periodic('prune-calls', PRUNE_EVERY_MS, (now, signal) => pruneCalls(ctx, now, signal)));
      const settings = ctx.config.contacts.called;
      const source = settings && (await sources.find('called'));
      if (settings && source?.kind === 'called' && !called) called = listenForCalls(ctx, source, settings, clock);
    },
    async close() {
      await called?.close();
      await runner.close();
      await notify.close();
    },
  };
}
