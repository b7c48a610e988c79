/**
 * Webhooks through the outbox: one item per event and URL (a dead receiver is retried without sending the event
 * again to those that took it), kept until delivered or a day old, across restarts.
 *
 * A receiver that is down costs a few dozen attempts a day, not one per waiting event. Its first failure sets its
 * next try (growing like any outbox retry, or its Retry-After) and parks its other items at the end of their life
 * (PARKED_LIFE_MS after they were queued), where nothing touches them; events that come meanwhile are queued parked.
 * Only the few items in the failing attempt's batch stay to try the receiver again. When a try succeeds, the parked
 * items are made due at once, in one store write; a parked item that is never unparked comes due near its end, gets
 * its last try, and is given up by the outbox as any item a day old. A new process does not know which receivers
 * were down: its first success with a receiver unparks that receiver's items.
 */
import { createHash } from 'node:crypto';
import { backoffDelay } from '../../jobs/backoff.js';
import type { JobClock } from '../../jobs/clock.js';
import type { Logger } from '../../logger.js';
import { DEFAULT_MAX_AGE_MS, OUTBOX_BACKOFF } from '../../outbox/dispatcher.js';
import { PermanentDeliveryError, RetryLaterError, type OutboxHandler } from '../../outbox/types.js';
import type { Store } from '../../store/index.js';
import { DeliveryError } from '../errors.js';
import type { CallEvent } from '../types.js';
import { eventId } from '../webhook/bodies.js';
import type { WebhookSender } from '../webhook/sender.js';

export const WEBHOOK_KIND = 'webhook';

/** A parked item's last try comes this long before the outbox gives it up (a day after it was queued). */
const LAST_TRY_MARGIN_MS = 10 * 60_000;
export const PARKED_LIFE_MS = DEFAULT_MAX_AGE_MS - LAST_TRY_MARGIN_MS;
/** Items due sooner than this are the ones a failure parks: parked ones wait (nearly) a day. */
const PARK_HORIZON_MS = 2 * 3_600_000;

/** What an item keeps: the receiver by id and by name (no secret of its URL), and the event. */
export interface WebhookPayload {
  target: string;
  name: string;
  event: CallEvent;
}

/** A receiver's id: stable for the same URL and format, and telling nothing of a token in it. */
export function targetId(sender: Pick<WebhookSender, 'target'>): string {
  return createHash('sha256').update(`${sender.target.format} ${sender.target.url}`).digest('hex').slice(0, 16);
}

/** All of a receiver's items share this start of their dedupe key (the store parks them by it). */
const keyPrefix = (id: string) => `${WEBHOOK_KIND}:${id}:`;

interface Down {
  failures: number;
  until: number;
}

export interface WebhookOutbox {
  /**
   * Queues each event for every receiver that wants it, all in one commit; resolves true when one of them can be
   * tried now (a receiver known to be down gets its events parked, and is not worth a look now).
   */
  enqueue(events: readonly CallEvent[]): Promise<boolean>;
  handler: OutboxHandler;
}

export function createWebhookOutbox(o: { senders: readonly WebhookSender[]; store: Store; clock: JobClock; logger: Logger; random?: () => number }): WebhookOutbox {
  const byId = new Map(o.senders.map((s) => [targetId(s), s] as const));
  const down = new Map<string, Down>();
  /** Receivers this process has reached: a first success unparks what an earlier process may have parked. */
  const reached = new Set<string>();

  return {
    async enqueue(events) {
      const now = o.clock.now();
      let dueNow = false;
      const items = [];
      for (const event of events) {
        for (const [id, sender] of byId) {
          if (!sender.wants(event)) continue;
          const isDown = down.has(id);
          if (!isDown) dueNow = true;
          const payload: WebhookPayload = { target: id, name: sender.target.name, event };
          items.push({ kind: WEBHOOK_KIND, payload, at: isDown ? now + PARKED_LIFE_MS : now, dedupeKey: `${keyPrefix(id)}${eventId(event)}` });
        }
      }
      if (items.length === 0) return false;
      const ids = await o.store.outbox.enqueueMany(items);
      return dueNow && ids.some((id) => id !== undefined);
    },

    async handler(payload) {
      const p = payload as WebhookPayload;
      const sender = byId.get(p.target);
      if (!sender) throw new PermanentDeliveryError(`${p.name} is no longer in CALLFILTER_WEBHOOK_URL`);
      const now = o.clock.now();
      const state = down.get(p.target);
      if (state && now < state.until) throw new RetryLaterError(`${p.name} is down; waiting for its next try`, state.until);
      try {
        await sender.deliver(p.event);
      } catch (err) {
        if (!(err instanceof DeliveryError)) throw err;
        if (!err.retry) throw new PermanentDeliveryError(err.message);
        const failures = (state?.failures ?? 0) + 1;
        const until = now + (err.retryAfterMs ?? backoffDelay(failures, OUTBOX_BACKOFF, o.random));
        down.set(p.target, { failures, until });
        const parked = await o.store.outbox.park(keyPrefix(p.target), PARKED_LIFE_MS, now + PARK_HORIZON_MS, now);
        if (!state) o.logger.warn({ webhook: p.name, error: err.message, retryInMs: until - now, parked }, 'webhook receiver unreachable; its events wait for it');
        throw new RetryLaterError(err.message, until);
      }
      if (state || !reached.has(p.target)) {
        const unparked = await o.store.outbox.unpark(keyPrefix(p.target), now);
        if (state || unparked > 0) o.logger.info({ webhook: p.name, unparked }, 'webhook receiver reachable; sending what waited');
      }
      reached.add(p.target);
      down.delete(p.target);
    },
  };
}
