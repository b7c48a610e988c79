/**
 * Webhooks through the outbox: one item per event and URL (a dead receiver is retried without sending the event
 * again to those that took it), kept until delivered or a day old, across restarts.
 *
 * A receiver that is down costs a few dozen attempts a day, and nothing per call:
 * - its first failure sets its next try (growing like any outbox retry, or its Retry-After) and parks the items it
 *   had waiting at the end of their life (PARKED_LIFE_MS after they were queued), where nothing touches them; the
 *   few in the failing attempt's batch stay to try the receiver again;
 * - calls that come meanwhile get no item each: one backlog item (kind `webhook.backlog`) remembers the first of them,
 *   and the call log keeps the rest. When the backlog comes due and the receiver is not known to be down, it sends
 *   the oldest waiting call as a probe; once one gets through, it queues an item for every later call of the last day
 *   that the receiver wants (dedupe keys make a call queued twice count once) and the parked items are made due.
 * A parked item that is never unparked comes due near its end, gets its last try, and is given up by the outbox as
 * any item a day old. A new process does not know which receivers were down: its first success with a receiver
 * unparks that receiver's items, and a backlog left by an earlier process is sent when it comes due.
 */
import { createHash } from 'node:crypto';
import { backoffDelay } from '../../jobs/backoff.js';
import type { JobClock } from '../../jobs/clock.js';
import type { Logger } from '../../logger.js';
import { DEFAULT_MAX_AGE_MS, OUTBOX_BACKOFF } from '../../outbox/dispatcher.js';
import { type OutboxHandler, PermanentDeliveryError, RetryLaterError } from '../../outbox/types.js';
import type { Store } from '../../store/index.js';
import { callEvent } from '../call-event.js';
import { DeliveryError } from '../errors.js';
import type { CallEvent } from '../types.js';
import { eventId } from '../webhook/bodies.js';
import type { WebhookSender } from '../webhook/sender.js';

export const WEBHOOK_KIND = 'webhook';
export const BACKLOG_KIND = 'webhook.backlog';

/** A parked item's last try comes this long before the outbox gives it up (a day after it was queued). */
const LAST_TRY_MARGIN_MS = 10 * 60_000;
export const PARKED_LIFE_MS = DEFAULT_MAX_AGE_MS - LAST_TRY_MARGIN_MS;
/** Items due sooner than this are the ones a failure parks: parked ones wait (nearly) a day. */
const PARK_HORIZON_MS = 2 * 3_600_000;
/** Calls read from the log per page when a backlog is sent. */
const BACKLOG_PAGE = 500;

/** What an item keeps: the receiver by id and by name (no secret of its URL), and the event. */
export interface WebhookPayload {
  target: string;
  name: string;
  event: CallEvent;
}

/** A receiver's backlog: every call from `fromCallId` on (as the call log has them) waits for it. */
export interface BacklogPayload {
  target: string;
  name: string;
  fromCallId: number;
}

/** A receiver's id: stable for the same URL and format, and telling nothing of a token in it. */
export function targetId(sender: Pick<WebhookSender, 'target'>): string {
  return createHash('sha256').update(`${sender.target.format} ${sender.target.url}`).digest('hex').slice(0, 16);
}

/** All of a receiver's items share this start of their dedupe key (the store parks them by it). */
const keyPrefix = (id: string) => `${WEBHOOK_KIND}:${id}:`;

interface Receiver {
  sender: WebhookSender;
  /** Known to be down: the next try is not before `until`. */
  down?: { failures: number; until: number };
  /** The backlog this process keeps for it while it is down. */
  backlog?: { fromCallId: number; createdAt: number };
  /** This process has reached it: a first success unparks what an earlier process may have parked. */
  reached: boolean;
}

interface Item {
  kind: string;
  payload: unknown;
  at: number;
  dedupeKey: string;
}

export interface WebhookOutbox {
  /**
   * Queues each event for every receiver that wants it, all in one commit; resolves true when one of them can be
   * tried now (a receiver known to be down gets nothing now: its calls wait in its backlog).
   */
  enqueue(events: readonly CallEvent[]): Promise<boolean>;
  handlers: Record<string, OutboxHandler>;
}

export function createWebhookOutbox(o: {
  senders: readonly WebhookSender[];
  store: Store;
  clock: JobClock;
  logger: Logger;
  homeCountry: () => string;
  random?: () => number;
}): WebhookOutbox {
  const receivers = new Map<string, Receiver>(
    o.senders.map((sender) => [targetId(sender), { sender, reached: false }]),
  );
  const item = (id: string, r: Receiver, event: CallEvent, at: number): Item => ({
    kind: WEBHOOK_KIND,
    payload: { target: id, name: r.sender.target.name, event } satisfies WebhookPayload,
    at,
    dedupeKey: `${keyPrefix(id)}${eventId(event)}`,
  });

  function receiver(target: string, name: string): Receiver {
    const r = receivers.get(target);
    if (!r) throw new PermanentDeliveryError(`${name} is no longer in CALLFILTER_WEBHOOK_URL`);
    return r;
  }

  /** A failure that a later try may not repeat: the receiver is down until its next try. */
  async function wentDown(target: string, r: Receiver, err: DeliveryError, now: number): Promise<never> {
    const failures = (r.down?.failures ?? 0) + 1;
    const until = now + (err.retryAfterMs ?? backoffDelay(failures, OUTBOX_BACKOFF, o.random));
    const first = !r.down;
    r.down = { failures, until };
    const parked = await o.store.outbox.park(keyPrefix(target), PARKED_LIFE_MS, now + PARK_HORIZON_MS, now);
    if (first)
      o.logger.warn(
        { webhook: r.sender.target.name, error: err.message, retryInMs: until - now, parked },
        'webhook receiver unreachable; its events wait for it',
      );
    throw new RetryLaterError(err.message, until);
  }

  /** Reached: what waited for it is made due. */
  async function cameBack(target: string, r: Receiver, now: number): Promise<void> {
    if (r.down || !r.reached) {
      const unparked = await o.store.outbox.unpark(keyPrefix(target), now);
      if (r.down || unparked > 0)
        o.logger.info({ webhook: r.sender.target.name, unparked }, 'webhook receiver reachable; sending what waited');
    }
    r.reached = true;
    r.down = undefined;
  }

  /** Sends `event`; a failure worth another try marks the receiver down. */
  async function deliver(target: string, r: Receiver, event: CallEvent, now: number): Promise<void> {
    try {
      await r.sender.deliver(event);
    } catch (err) {
      if (!(err instanceof DeliveryError)) throw err;
      if (!err.retry) throw new PermanentDeliveryError(err.message);
      return wentDown(target, r, err, now);
    }
    await cameBack(target, r, now);
  }

  /** The calls of a backlog from `fromCallId` on that the receiver wants and that are less than a day old. */
  async function* backlogEvents(r: Receiver, fromCallId: number, now: number): AsyncGenerator<CallEvent[]> {
    for (let after = fromCallId - 1; ; ) {
      const calls = await o.store.calls.after(after, BACKLOG_PAGE);
      if (calls.length === 0) return;
      after = calls.at(-1)?.id as number;
      const country = o.homeCountry();
      yield calls
        .filter((c) => c.at >= now - DEFAULT_MAX_AGE_MS)
        .map((c) => callEvent(c, country))
        .filter((e) => r.sender.wants(e));
    }
  }

  return {
    async enqueue(events) {
      const now = o.clock.now();
      let dueNow = false;
      const items: Item[] = [];
      for (const event of events) {
        for (const [id, r] of receivers) {
          if (!r.sender.wants(event)) continue;
          if (!r.down) {
            dueNow = true;
            items.push(item(id, r, event, now));
            continue;
          }
          const backlog = r.backlog && r.backlog.createdAt > now - PARKED_LIFE_MS ? r.backlog : undefined;
          if (event.kind === 'decided' && backlog && event.callId >= backlog.fromCallId) continue;
          if (event.kind === 'decided' && !backlog) {
            r.backlog = { fromCallId: event.callId, createdAt: now };
            const payload: BacklogPayload = { target: id, name: r.sender.target.name, fromCallId: event.callId };
            items.push({
              kind: BACKLOG_KIND,
              payload,
              at: r.down.until,
              dedupeKey: `${keyPrefix(id)}backlog-${event.callId}`,
            });
            continue;
          }
          // a voicemail follow-up, or a call older than the backlog's first: its own item, parked
          items.push(item(id, r, event, now + PARKED_LIFE_MS));
        }
      }
      if (items.length === 0) return false;
      const ids = await o.store.outbox.enqueueMany(items);
      return dueNow && ids.some((id) => id !== undefined);
    },

    handlers: {
      async [WEBHOOK_KIND](payload) {
        const p = payload as WebhookPayload;
        const r = receiver(p.target, p.name);
        const now = o.clock.now();
        if (r.down && now < r.down.until)
          throw new RetryLaterError(`${p.name} is down; waiting for its next try`, r.down.until);
        await deliver(p.target, r, p.event, now);
      },

      async [BACKLOG_KIND](payload) {
        const p = payload as BacklogPayload;
        const r = receiver(p.target, p.name);
        const now = o.clock.now();
        if (r.down && now < r.down.until)
          throw new RetryLaterError(`${p.name} is down; waiting for its next try`, r.down.until);
        let probed = false;
        let queued = 0;
        for await (const events of backlogEvents(r, p.fromCallId, now)) {
          let rest = events;
          if (!probed && events.length > 0) {
            // The oldest waiting call tries the receiver: only once it got through is the rest queued.
            await deliver(p.target, r, events[0] as CallEvent, now).catch(async (err: unknown) => {
              // refused for good: that one call is lost, but the receiver answered
              if (!(err instanceof PermanentDeliveryError)) throw err;
              o.logger.warn({ webhook: p.name, error: err.message }, 'webhook receiver refused a call of its backlog');
              await cameBack(p.target, r, now);
            });
            probed = true;
            rest = events.slice(1);
          }
          if (rest.length > 0)
            queued += (await o.store.outbox.enqueueMany(rest.map((e) => item(p.target, r, e, now)))).filter(
              (i) => i !== undefined,
            ).length;
        }
        if (r.backlog?.fromCallId === p.fromCallId) r.backlog = undefined;
        o.logger.info({ webhook: p.name, fromCallId: p.fromCallId, probed, queued }, 'webhook backlog sent');
      },
    },
  };
}
