/**
 * The one error a channel's `deliver()` throws. The outbox reads `retry` to decide between another attempt later
 * (with its own backoff, or `retryAfterMs` when the receiver asked for a pause) and giving up with the message in
 * the delivery log. The message names the target without its secrets.
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';

  constructor(
    message: string,
    /** True when the same delivery may succeed later (network, timeout, 408, 429, 5xx, SMTP 4xx). */
    readonly retry: boolean,
    readonly details: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}
