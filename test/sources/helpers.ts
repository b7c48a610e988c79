/** A PhoneBlock subscription against the fake PhoneBlock, on the real service (temp SQLite file, FastAGI). */
import pino from 'pino';
import { onTestFinished } from 'vitest';
import type { JobClock } from '../../src/jobs/clock.js';
import { createServiceJobs, type ServiceJobs } from '../../src/jobs/service-jobs.js';
import { ensureEnvSources } from '../../src/sources/env-source.js';
import type { SyncOptions, SyncReport } from '../../src/sources/types.js';
import type { Source } from '../../src/store/index.js';
import { instantSleeps } from '../helpers/manual-clock.js';
import { startService, type TestService } from '../helpers/service.js';
import { type FakePhoneblock, startFakePhoneblock } from './phoneblock-server.js';

export const silent = pino({ level: 'silent' });

export interface Subscription {
  pb: FakePhoneblock;
  svc: TestService;
  jobs: ServiceJobs;
  clock: JobClock & { sleeps: number[] };
  source(): Promise<Source>;
  sync(options?: SyncOptions): Promise<SyncReport>;
  /** The list's active rows: number → [score, label]. */
  rows(): Promise<Map<string, [number, string | undefined]>>;
}

export async function listRows(svc: TestService, listId: number): Promise<Map<string, [number, string | undefined]>> {
  const rows = new Map<string, [number, string | undefined]>();
  let cursor: number | undefined;
  do {
    const page = await svc.ctx.store.lists.entries(listId, { limit: 1000, ...(cursor !== undefined && { cursor }) });
    for (const r of page.items) rows.set(r.number, [r.score, r.label]);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return rows;
}

export async function subscription(
  options: {
    numbers?: number;
    env?: Record<string, string>;
    clock?: JobClock & { sleeps: number[] };
    token?: string;
  } = {},
): Promise<Subscription> {
  const pb = await startFakePhoneblock({ numbers: options.numbers ?? 20 });
  const svc = await startService({
    env: {
      CALLFILTER_PHONEBLOCK_TOKEN: options.token ?? pb.token,
      CALLFILTER_PHONEBLOCK_URL: pb.url,
      CALLFILTER_HOME_AREA_CODE: '30',
      ...options.env,
    },
  });
  const clock = options.clock ?? instantSleeps();
  const jobs = createServiceJobs(svc.ctx, { clock, random: () => 0.5 });
  onTestFinished(() => jobs.close());
  await ensureEnvSources(jobs.sources, svc.ctx.config, silent);
  const source = async () => (await jobs.sources.find('phoneblock')) as Source;
  return {
    pb,
    svc,
    jobs,
    clock,
    source,
    sync: async (syncOptions = {}) => jobs.sources.sync(await source(), syncOptions),
    rows: async () => listRows(svc, (await svc.ctx.store.lists.getByName('PhoneBlock'))!.id),
  };
}
