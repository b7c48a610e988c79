/**
 * The sources as the API, the command line and the job runner use them: list, find, add, remove, sync one now, and
 * the runner's job that syncs whatever is due. One instance per process; every sync runs under the source's lease,
 * so the service and `callfilter sync` never sync the same source at once.
 */
import { type Language, languageOf } from '../config/language.js';
import type { AppContext } from '../context.js';
import { clockFrom, type JobClock } from '../jobs/clock.js';
import { processOwner } from '../jobs/lease.js';
import type { Job } from '../jobs/runner.js';
import type { Source } from '../store/index.js';
import { type SourceInput, SourceInputError, sourceFromInput } from './add.js';
import { syncSource } from './sync-one.js';
import type { SyncEnv, SyncOptions, SyncReport } from './types.js';

export interface SourcesOptions {
  clock?: JobClock;
  /** This process in leases (the job runner's owner, so both share one identity). */
  owner?: string;
  fetch?: typeof fetch;
  random?: () => number;
  /** Labels of list rows; default: the language in force (CALLFILTER_LANGUAGE, else the home country's). */
  language?: Language;
  /** Told after a source was added, changed or removed: the job runner asks the sources job again. */
  onChange?: () => void;
}

export interface Sources {
  readonly env: SyncEnv;
  readonly owner: string;
  list(): Promise<Source[]>;
  /** By id or name. */
  find(idOrName: string): Promise<Source | undefined>;
  /** Throws SourceInputError for input that makes no source, StoreError `unique` / `conflict` for a taken name or list. */
  add(input: SourceInput): Promise<Source>;
  remove(id: number): Promise<boolean>;
  sync(source: Source, options?: SyncOptions): Promise<SyncReport>;
  /** Syncs every enabled source that is due, one after the other. */
  syncDue(signal?: AbortSignal): Promise<SyncReport[]>;
  /** For the job runner: wakes when the next source is due. Leases per source, not per job. */
  job(): Job;
  /** Tells the runner that the schedule changed (after an add, change or removal elsewhere in this process). */
  changed(): void;
}

export function createSources(ctx: AppContext, options: SourcesOptions = {}): Sources {
  const clock = options.clock ?? clockFrom(ctx.clock);
  const owner = options.owner ?? processOwner();
  const random = options.random ?? Math.random;
  const env: SyncEnv = {
    ctx,
    clock,
    fetch: options.fetch ?? globalThis.fetch,
    random,
    // Asked at each sync: the home country, and with it the default language, may change while the service runs.
    get language() {
      return options.language ?? languageOf(ctx.config);
    },
  };
  const changed = () => options.onChange?.();

  async function syncDue(signal?: AbortSignal): Promise<SyncReport[]> {
    const reports: SyncReport[] = [];
    for (const source of await ctx.store.sources.due(clock.now())) {
      if (signal?.aborted) break;
      reports.push(await syncSource(env, owner, source, signal ? { signal } : {}));
    }
    return reports;
  }

  return {
    env,
    owner,
    list: () => ctx.store.sources.list(),
    find: (idOrName) => ctx.store.sources.find(idOrName),
    async add(input) {
      if (input.name === 'manual')
        throw new SourceInputError('name: "manual" is the name of your own entries; choose another');
      const { source, list } = sourceFromInput(input, random);
      // The first sync at once, by this clock (the job runner's).
      source.nextRunAt ??= clock.now();
      const created = await ctx.store.sources.create(source, list ? { list } : {});
      changed();
      return created;
    },
    async remove(id) {
      const removed = await ctx.store.sources.remove(id);
      if (removed) changed();
      return removed;
    },
    async sync(source, syncOptions = {}) {
      const report = await syncSource(env, owner, source, syncOptions);
      changed();
      return report;
    },
    syncDue,
    job: () => ({
      name: 'sources',
      lease: false,
      next: () => ctx.store.sources.nextRunAt(),
      run: async (signal) => {
        await syncDue(signal);
      },
    }),
    changed,
  };
}
