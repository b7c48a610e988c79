/** What a delivery handler is, and how it says that an item failed for good or should wait. */

export interface DeliveryContext {
  signal: AbortSignal;
  /** 1 for the first try. */
  attempt: number;
}

/** Delivers one item's payload to the outside; resolves when the other side has it. */
export type OutboxHandler = (payload: unknown, context: DeliveryContext) => Promise<void>;

/** The other side refused the item for good (a 4xx that is not "later"): no retry, the item is dead at once. */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
}

/** The other side asked to come back later (429 with Retry-After): the next try is not before `retryAt`. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
  constructor(
    message: string,
    readonly retryAt: number,
  ) {
    super(message);
  }
}
