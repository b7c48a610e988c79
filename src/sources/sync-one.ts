/**
 * One sync of one source, as the runner and `callfilter sync` run it: under the source's lease (never twice at once,
 * across processes), with its status recorded — attempt, then success, a held-back answer or a failure — and its
 * next run scheduled: the next slot of its schedule, or sooner after a failure (exponential backoff with jitter, but
 * not before a time the server named).
 */
import { type Backoff, backoffDelay } from '../jobs/backoff.js';
import { LeaseBusyError, withLease } from '../jobs/lease.js';
import type { Logger } from '../logger.js';
import type { Source } from '../store/index.js';
import { HeldBackError } from './held-back.js';
import { HttpStatusError } from './http.js';
import { KIND_SYNCS } from './kinds.js';
import { nextRun } from './schedule.js';
import type { SyncEnv, SyncOptions, SyncReport } from './types.js';

/** A failed sync is tried again after 5 min, 10, 20 … but never later than its next regular run. */
export const SYNC_BACKOFF: Backoff = { baseMs: 5 * 60_000, maxMs: 24 * 60 * 60_000 };
/** Error texts kept in the status are cut here (an HTML error page is no message). */
const MAX_ERROR_CHARS = 500;

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

export async function syncSource(
  env: SyncEnv,
  owner: string,
  source: Source,
  options: SyncOptions = {},
): Promise<SyncReport> {
  const { store } = env.ctx;
  const { clock, random } = env;
  const log: Logger = env.ctx.logger.child({ subsystem: 'sources', source: source.name });
  const base = { id: source.id, source: source.name };
  const kindSync = KIND_SYNCS[source.kind];
  if (!kindSync)
    return { ...base, outcome: 'failed', message: `sources of kind ${source.kind} cannot sync in this version` };
  try {
    return await withLease(
      `source:${source.id}`,
      { store, clock, owner, ...(options.signal && { signal: options.signal }) },
      async (signal) => {
        // Read again under the lease: another process may have synced meanwhile and moved the cursor.
        const current = await store.sources.get(source.id);
        if (!current) return { ...base, outcome: 'failed', message: 'the source was removed' };
        const started = clock.now();
        await store.sources.recordAttempt(current.id, started);
        try {
          const out = await kindSync(env, current, await store.sources.credentials(current.id), { ...options, signal });
          const at = clock.now();
          const nextRunAt = nextRun(current.schedule, at, random);
          await store.sources.recordResult(current.id, {
            outcome: 'success',
            at,
            nextRunAt,
            rows: out.rows,
            ...(out.cursor !== undefined && { cursor: out.cursor }),
            ...(out.state !== undefined && { state: out.state }),
          });
          log.info(
            { outcome: out.outcome, rows: out.rows, cursor: out.cursor, ms: at - started },
            `sync: ${out.message}`,
          );
          const cursor = out.cursor === undefined ? current.cursor : (out.cursor ?? undefined);
          const conflicts = out.state?.conflicts as SyncReport['conflicts'];
          return {
            ...base,
            outcome: out.outcome,
            message: out.message,
            rows: out.rows,
            ...(cursor !== undefined && { cursor }),
            nextRunAt,
            ...(conflicts !== undefined && { conflicts, conflictCount: out.state?.conflictCount as number }),
          };
        } catch (err) {
          const at = clock.now();
          const regular = nextRun(current.schedule, at, random);
          if (err instanceof HeldBackError) {
            await store.sources.recordResult(current.id, {
              outcome: 'held',
              at,
              nextRunAt: regular,
              heldBack: err.message,
            });
            log.warn({ reason: err.message }, 'sync held back; the list in force stays');
            return { ...base, outcome: 'held', message: err.message, nextRunAt: regular };
          }
          const retryAt = err instanceof HttpStatusError ? err.retryAt : undefined;
          const nextRunAt = Math.max(
            Math.min(regular, at + backoffDelay(current.failures + 1, SYNC_BACKOFF, random)),
            retryAt ?? 0,
          );
          const message = errorText(signal.aborted && !(err instanceof HttpStatusError) ? (signal.reason ?? err) : err);
          await store.sources.recordResult(current.id, { outcome: 'failure', at, nextRunAt, error: message });
          log.warn({ error: message, nextRunAt }, 'sync failed; the list in force stays');
          return { ...base, outcome: 'failed', message, nextRunAt };
        }
      },
    );
  } catch (err) {
    if (err instanceof LeaseBusyError) {
      return {
        ...base,
        outcome: 'busy',
        message: `another process is syncing it right now${err.holder ? ` (${err.holder})` : ''}`,
      };
    }
    throw err;
  }
}
