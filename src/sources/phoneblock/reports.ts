/**
 * Reporting back to PhoneBlock (opt-in, only with an API key), always through the outbox: a report never blocks or
 * delays anything, and one made while offline is sent later.
 * - A person rates a caller (`POST /api/v1/calls/{id}/report`, `callfilter report`): PhoneBlock's `POST /api/rate`.
 * - With CALLFILTER_PHONEBLOCK_REPORT_BLOCKED, each call the PhoneBlock list blocked: `POST /api/report-call/{phone}`,
 *   at most DAILY_CALL_REPORTS per UTC day (PhoneBlock counts no more) and one per number and day. Only calls that
 *   the PhoneBlock list itself blocked: a person's own blocklist is their business, not the community's.
 */

import type { AppContext } from '../../context.js';
import type { JobClock } from '../../jobs/clock.js';
import { coded, render } from '../../messages/index.js';
import { afterCall } from '../../outbox/enqueue.js';
import { type OutboxHandler, PermanentDeliveryError } from '../../outbox/types.js';
import type { Screened } from '../../screen/screen-call.js';
import type { Source } from '../../store/index.js';
import type { SyncEnv } from '../types.js';
import { createPhoneblockClient, PRODUCTION_URL } from './client.js';
import { MAX_COMMENT_CHARS, type Rating, REPORT_RATINGS, type ReportRating } from './ratings.js';

export const RATE_KIND = 'phoneblock.rate';
export const REPORT_CALL_KIND = 'phoneblock.report-call';
/** PhoneBlock counts 20 call reports per user and UTC day; more are wasted requests. */
export const DAILY_CALL_REPORTS = 20;

interface RatePayload {
  source: number;
  phone: string;
  rating: Rating;
  comment?: string;
}

interface ReportCallPayload {
  source: number;
  phone: string;
}

/** No PhoneBlock source with an API key: reporting is off. */
export class ReportingOffError extends Error {
  override readonly name = 'ReportingOffError';
  readonly problem = coded('report.needs_key');
  constructor() {
    super();
    this.message = render(this.problem);
  }
}

/** The PhoneBlock subscription that reports go through: the first with an API key. */
export async function reportingSource(ctx: AppContext): Promise<Source | undefined> {
  return (await ctx.store.sources.list()).find((s) => s.kind === 'phoneblock' && s.hasCredentials);
}

function utcDay(at: number): { key: string; start: number } {
  const d = new Date(at);
  return { key: d.toISOString().slice(0, 10), start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) };
}

/** Queues a rating of `phone` (E.164) for PhoneBlock; returns the outbox item's id. */
export async function enqueueRating(
  ctx: AppContext,
  at: number,
  report: { phone: string; rating: ReportRating; comment?: string },
): Promise<number> {
  const source = await reportingSource(ctx);
  if (!source) throw new ReportingOffError();
  const comment = report.comment?.trim().slice(0, MAX_COMMENT_CHARS);
  const payload: RatePayload = {
    source: source.id,
    phone: report.phone,
    rating: REPORT_RATINGS[report.rating],
    ...(comment && { comment }),
  };
  return (await ctx.store.outbox.enqueue(RATE_KIND, payload, { at })) as number;
}

/** The outbox handlers of PhoneBlock's reports: the API key is looked up at delivery, never kept in an item. */
export function phoneblockHandlers(
  env: Pick<SyncEnv, 'ctx' | 'clock' | 'fetch' | 'random'>,
): Record<string, OutboxHandler> {
  async function clientFor(sourceId: number) {
    const source = await env.ctx.store.sources.get(sourceId);
    const token = source && (await env.ctx.store.sources.credentials(source.id))?.token;
    if (!source || typeof token !== 'string')
      throw new PermanentDeliveryError('the PhoneBlock source of this report was removed (or has no API key)');
    return createPhoneblockClient(env, {
      baseUrl: typeof source.settings.url === 'string' ? source.settings.url : PRODUCTION_URL,
      token,
    });
  }
  return {
    [RATE_KIND]: async (payload, { signal }) => {
      const p = payload as RatePayload;
      await (await clientFor(p.source)).rate(p.phone, p.rating, p.comment, signal);
    },
    [REPORT_CALL_KIND]: async (payload, { signal }) => {
      const p = payload as ReportCallPayload;
      await (await clientFor(p.source)).reportCall(p.phone, signal);
    },
  };
}

export interface CallReporter {
  /**
   * For the service's onScreened hook, after each decision. Returns at once: the work (reading the call's row,
   * checking the daily cap, queueing) runs in a later turn of the event loop and never fails the call.
   */
  onCallDecided(outcome: Screened): void;
  /** Calls of this node logged after they were answered (a cluster node's spooled rows): reported as decided ones. */
  onCallsLogged(callIds: readonly number[]): void;
}

/** A call hung up on (or told off) because of a spam list: what PhoneBlock counts as a call from that number. */
const reportable = (call: { reason: string; action: string }) =>
  call.reason === 'spam-list' && (call.action === 'hangup' || call.action === 'announce');

export function createCallReporter(
  ctx: AppContext,
  options: { enabled: boolean; clock: JobClock; onQueued?: () => void },
): CallReporter {
  const log = ctx.logger.child({ subsystem: 'outbox' });

  /** Queues the report of a call blocked by list `listId`, if that list is PhoneBlock's and the day allows. */
  async function report(listId: number | undefined, phoneOf: () => Promise<string | undefined>): Promise<void> {
    const source = await reportingSource(ctx);
    if (!source || source.listId !== listId) return;
    const phone = await phoneOf();
    if (phone === undefined) return;
    const now = options.clock.now();
    const day = utcDay(now);
    if ((await ctx.store.outbox.countSince(REPORT_CALL_KIND, day.start)) >= DAILY_CALL_REPORTS) return;
    const id = await ctx.store.outbox.enqueue(
      REPORT_CALL_KIND,
      { source: source.id, phone } satisfies ReportCallPayload,
      { at: now, dedupeKey: `${REPORT_CALL_KIND}:${phone}:${day.key}` },
    );
    if (id !== undefined) options.onQueued?.();
  }

  return {
    onCallDecided(outcome) {
      if (!options.enabled) return;
      const { decision, callId } = outcome;
      if (!reportable(decision) || callId === undefined) return;
      const listId = decision.listHit?.listId;
      afterCall(log, 'report a blocked call to PhoneBlock', () =>
        report(listId, async () => (await ctx.store.calls.get(callId))?.caller),
      );
    },
    onCallsLogged(callIds) {
      if (!options.enabled || callIds.length === 0) return;
      afterCall(log, 'report blocked calls to PhoneBlock', async () => {
        for (const call of await ctx.store.calls.getMany(callIds))
          if (reportable(call)) await report(call.listId, async () => call.caller);
      });
    },
  };
}
