/**
 * The follow-up when a call's voicemail message appears: a job looks now and then for messages recorded within the
 * last hour, pairs each with its call (src/voicemail/match.ts: by channel and time), and records the follow-up as
 * an outbox item (kind `notify.voicemail`, dedupe key by call id): only the look that records it first — across
 * restarts and processes — publishes it on MQTT and queues it for the webhooks (their own items, retried as usual).
 *
 * The walk of the spool comes first and is cached (src/voicemail/spool.ts); only when a recent message is there are
 * the calls read, and only those of its time window: no cost per call, and none while nobody leaves a message.
 */
import type { Job } from '../../jobs/runner.js';
import type { Logger } from '../../logger.js';
import type { OutboxHandler } from '../../outbox/types.js';
import type { CallRecord, Store } from '../../store/index.js';
import { CLOCK_SKEW_MS, MAX_DELAY_MS, matchVoicemail, type VoicemailSpool } from '../../voicemail/index.js';
import { callEvent } from '../call-event.js';
import type { CallEvent } from '../types.js';

export const VOICEMAIL_KIND = 'notify.voicemail';
/** Messages recorded longer ago than this get no follow-up: news an hour late is no news. */
export const FOLLOW_UP_WINDOW_MS = 60 * 60_000;
/** How often the spool is looked at (its walk is incremental, and cached for 10 s). */
export const FOLLOW_UP_EVERY_MS = 30_000;
/** Calls read per look at most: a window's worth for a household, a bound for anything else. */
const MAX_CALLS = 1000;
/** Calls that were turned away cannot have left a message. */
const NO_MESSAGE = new Set(['hangup', 'announce']);

export interface FollowUpOptions {
  store: Store;
  spool: VoicemailSpool;
  homeCountry: () => string;
  logger: Logger;
  /** Tells the channels about a follow-up recorded for the first time (MQTT at once, the webhooks queued). */
  tell: (event: CallEvent) => Promise<void>;
}

/** Looks once: queues the follow-up of every call of the window whose message is in the spool now. */
export async function followUpVoicemail(o: FollowUpOptions, now: number): Promise<number> {
  const messages = await o.spool.messages();
  const since = now - FOLLOW_UP_WINDOW_MS;
  const recent = messages.filter(
    (m) => m.info.origtime !== undefined && m.info.origtime * 1000 >= since - CLOCK_SKEW_MS,
  );
  if (recent.length === 0) return 0;
  const earliest = Math.min(...recent.map((m) => (m.info.origtime as number) * 1000));
  const calls: CallRecord[] = (
    await o.store.calls.list({
      from: Math.max(since, earliest - MAX_DELAY_MS),
      to: now + CLOCK_SKEW_MS,
      limit: MAX_CALLS,
    })
  ).items;
  let queued = 0;
  for (const call of calls) {
    if (NO_MESSAGE.has(call.action)) continue;
    const match = matchVoicemail(call, messages);
    if (!match || !recent.includes(match.message)) continue;
    const seconds = match.message.durationSeconds;
    const event: CallEvent = {
      ...callEvent(call, o.homeCountry()),
      kind: 'voicemail',
      ...(seconds !== undefined && { voicemailSeconds: Math.round(seconds) }),
    };
    const id = await o.store.outbox.enqueue(VOICEMAIL_KIND, event, {
      at: now,
      dedupeKey: `${VOICEMAIL_KIND}:${call.id}`,
    });
    if (id === undefined) continue;
    queued++;
    o.logger.info(
      { callId: call.id, mailbox: `${match.message.mailbox}@${match.message.context}`, by: match.by },
      'voicemail message found for a call',
    );
    await o.tell(event);
  }
  return queued;
}

export function followUpJob(o: FollowUpOptions): Job {
  let due: number | undefined;
  return {
    name: 'voicemail-follow-up',
    next: (now) => (due ??= now),
    async run(_signal, now) {
      due = now + FOLLOW_UP_EVERY_MS;
      await followUpVoicemail(o, now);
    },
  };
}

/** The record of a follow-up has nothing left to send (the job told the channels): it is done when dispatched. */
export const followUpRecorded: OutboxHandler = async () => undefined;
