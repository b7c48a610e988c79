/**
 * What a webhook receiver's answer means for the delivery: 2xx done; 408, 429 and 5xx worth another attempt (with
 * the receiver's Retry-After when it sent one); any other status a permanent failure that a retry would only repeat
 * (a 404 for a deleted hook, a 401 for a wrong token) — and a redirect too, as a signed POST is not followed to
 * another address. A network error or timeout is worth another attempt.
 */
import { DeliveryError } from '../errors.js';

/** A Retry-After longer than this is read as this: the outbox gives up on a delivery after about a day anyway. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

/** Throws the DeliveryError for a status that is not a success. */
export function checkResponse(
  target: string,
  status: number,
  retryAfter: string | null,
  now: number,
  detail = '',
): void {
  if (status >= 200 && status < 300) return;
  const said = detail ? `: ${detail}` : '';
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    throw new DeliveryError(`${target} answered ${status}${said}`, true, {
      status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status >= 300 && status < 400) {
    throw new DeliveryError(
      `${target} answered ${status} (a redirect): set the final address in CALLFILTER_WEBHOOK_URL`,
      false,
      { status },
    );
  }
  throw new DeliveryError(`${target} answered ${status}${said}`, false, { status });
}
