/**
 * The digest through the outbox: the job builds the mail and queues it (kind `mail.digest`, one per period by its
 * dedupe key); this handler sends it. A mail server that is down is tried again with the outbox's backoff for a
 * day; an SMTP 5xx (a wrong password, a refused recipient) gives up at once, with the server's answer in the log.
 */
import { type OutboxHandler, PermanentDeliveryError, RetryLaterError } from '../../outbox/types.js';
import { DeliveryError } from '../errors.js';
import type { MailSender } from '../mail/sender.js';

export const DIGEST_KIND = 'mail.digest';

export interface DigestPayload {
  /** `daily:2026-12-24`, `weekly:2026-12-21`: the period, also the item's dedupe key after `mail.digest:`. */
  period: string;
  /** The server and recipients (no password), for the delivery log. */
  name: string;
  subject: string;
  text: string;
  html: string;
}

export function digestHandler(sender: MailSender | undefined, now: () => number): OutboxHandler {
  return async (payload) => {
    const p = payload as DigestPayload;
    if (!sender)
      throw new PermanentDeliveryError('no mail server is configured (CALLFILTER_DIGEST, CALLFILTER_SMTP_URL)');
    try {
      await sender.send({ subject: p.subject, text: p.text, html: p.html, empty: false });
    } catch (err) {
      if (!(err instanceof DeliveryError)) throw err;
      if (!err.retry) throw new PermanentDeliveryError(err.message);
      if (err.retryAfterMs !== undefined) throw new RetryLaterError(err.message, now() + err.retryAfterMs);
      throw err;
    }
  };
}
