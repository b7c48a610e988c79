/**
 * How fresh the sources are, wherever a person looks: /metrics (last success per source, failures) and /healthz
 * (stale sources named, still 200: a stale list is not an outage).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Source, Store } from '../store/index.js';

const DAY = 24 * 60 * 60_000;
/** A source without a successful sync for this long is stale: three daily runs in a row have failed. */
export const STALE_AFTER_MS = 3 * DAY;

function age(ms: number): string {
  const days = Math.floor(ms / DAY);
  if (days >= 1) return `${days} ${days === 1 ? 'day' : 'days'}`;
  return `${Math.max(1, Math.round(ms / 3_600_000))} h`;
}

/** Enabled sources without a success for STALE_AFTER_MS (counted from their creation when they never had one). */
export function staleSources(sources: Source[], now: number): Source[] {
  return sources.filter((s) => s.enabled && now - (s.lastSuccessAt ?? s.createdAt) >= STALE_AFTER_MS);
}

/** For /healthz: undefined without sources; else `ok`, or which are stale and for how long. */
export async function sourcesHealth(store: Store, now: number): Promise<string | undefined> {
  const all = await store.sources.list();
  if (all.length === 0) return undefined;
  const stale = staleSources(all, now);
  if (stale.length === 0) return 'ok';
  return `stale: ${stale.map((s) => `${s.name} (${s.lastSuccessAt === undefined ? 'never synced' : `last success ${age(now - s.lastSuccessAt)} ago`})`).join(', ')}`;
}

/** Registers the source metrics on `registry`; they read the store when scraped (the CLI's syncs count too). */
export function registerSourceMetrics(registry: Registry, store: Store): void {
  new Gauge({
    name: 'callfilter_source_last_success_timestamp_seconds',
    help: 'When each source last synced successfully (Unix time); absent for a source that never did.',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await store.sources.list().catch(() => []))
        if (s.lastSuccessAt !== undefined) this.set({ source: s.name }, s.lastSuccessAt / 1000);
    },
  });
  new Counter({
    name: 'callfilter_source_sync_failures_total',
    help: 'Failed syncs per source (kept in the database: counts every process, survives restarts).',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await store.sources.list().catch(() => [])) this.inc({ source: s.name }, s.failuresTotal);
    },
  });
}
