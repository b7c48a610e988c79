/**
 * Exponential backoff with jitter — the one policy for every retry: a sync's HTTP 429 and 5xx answers, a sync that
 * failed as a whole, and outbox deliveries. Jitter spreads the retries of many installations (PhoneBlock asks its
 * clients not to come back in step) and of many items.
 */

export interface Backoff {
  /** The first delay (attempt 1). */
  baseMs: number;
  /** No delay is longer. */
  maxMs: number;
}

/**
 * The wait before retry number `attempt` (1, 2, …): base × 2^(attempt − 1), capped at max, of which a random half is
 * taken off ("equal jitter": at least half the delay, so a retry never comes at once).
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const exp = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 40)));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/**
 * A `Retry-After` header as milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined
 * when absent or unreadable, never negative.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
