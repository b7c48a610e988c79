/**
 * The digest as a job of the job runner: when a period's send time has come (mail/schedule.ts), it reads the
 * period's calls, builds the mail in the household's language and queues it in the outbox, which sends it with
 * retries. Once per period, across restarts and processes: the item's dedupe key is the period, so a second run —
 * after a restart, or in another process — queues nothing. A service that was down at the send time sends the
 * latest period's digest when it starts; older ones are not sent late. A period with nothing to tell (nothing kept
 * away, no unknown caller on voicemail) sends no mail.
 */
import type { Job } from '../../jobs/runner.js';
import type { Logger } from '../../logger.js';
import type { CallRecord, Store } from '../../store/index.js';
import { callEvent } from '../call-event.js';
import { buildDigest } from '../mail/digest.js';
import { createDigestSchedule, type DigestPeriod, type DigestSchedule } from '../mail/schedule.js';
import type { NotifyLanguage } from '../types.js';
import { DIGEST_KIND, type DigestPayload } from './mail.js';

/** Calls read per page: a page of the call log at a time, with a look at the signal between pages. */
const PAGE = 1000;

export interface DigestJobOptions {
  store: Store;
  schedule: DigestSchedule;
  timeZone: string;
  /** Asked at each run: the language and the home country in force then. */
  language: () => NotifyLanguage;
  homeCountry: () => string;
  publicUrl?: string;
  /** The mail server and recipients (no password), for the delivery log. */
  mailName: string;
  logger: Logger;
  onQueued: () => void;
}

async function periodCalls(store: Store, period: DigestPeriod, signal: AbortSignal): Promise<CallRecord[]> {
  const calls: CallRecord[] = [];
  let cursor: number | undefined;
  do {
    signal.throwIfAborted();
    const page = await store.calls.list({
      from: period.from,
      to: period.to,
      limit: PAGE,
      ...(cursor !== undefined && { cursor }),
    });
    calls.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return calls;
}

/** Queues the digest of the period due at `now`, unless it was queued before; returns what it did. */
export async function queueDigest(
  o: DigestJobOptions,
  now: number,
  signal: AbortSignal,
): Promise<{ period: DigestPeriod; outcome: 'queued' | 'empty' | 'queued before' }> {
  const period = createDigestSchedule(o.schedule, o.timeZone).latest(now);
  const country = o.homeCountry();
  const calls = (await periodCalls(o.store, period, signal)).map((c) => callEvent(c, country));
  const digest = buildDigest(calls, {
    from: period.from,
    to: period.to,
    language: o.language(),
    timeZone: o.timeZone,
    ...(o.publicUrl !== undefined && { publicUrl: o.publicUrl }),
  });
  if (digest.empty) {
    o.logger.info(
      { period: period.key, calls: calls.length },
      'digest: nothing kept away and no unknown caller on voicemail; no mail',
    );
    return { period, outcome: 'empty' };
  }
  const payload: DigestPayload = {
    period: period.key,
    name: o.mailName,
    subject: digest.subject,
    text: digest.text,
    html: digest.html,
  };
  const id = await o.store.outbox.enqueue(DIGEST_KIND, payload, { at: now, dedupeKey: `${DIGEST_KIND}:${period.key}` });
  if (id === undefined) return { period, outcome: 'queued before' };
  o.logger.info({ period: period.key, calls: calls.length, to: o.mailName }, 'digest queued');
  o.onQueued();
  return { period, outcome: 'queued' };
}

export function digestJob(o: DigestJobOptions): Job {
  const schedule = createDigestSchedule(o.schedule, o.timeZone);
  /** The period this process has handled (queued, found queued, or found empty). */
  let done: string | undefined;
  return {
    name: 'digest',
    next: (now) => (schedule.latest(now).key === done ? schedule.nextSendAt(now) : now),
    async run(signal, now) {
      if (schedule.latest(now).key === done) return;
      done = (await queueDigest(o, now, signal)).period.key;
    },
  };
}
