/**
 * How long a call's key is remembered. The records of one call arrive together when it ends; a transfer or a second
 * trunk after a failover writes its record minutes later at most. A day also covers a call that lasts for hours.
 */
export const DEDUPE_WINDOW_MS = 24 * 60 * 60_000;

/** Most keys kept: far above the outgoing calls of a household or small office in a day, and a few hundred KiB at most. */
export const DEDUPE_MAX_KEYS = 10_000;

/** Remembers call keys for a while, so each call counts once. Bounded in time and size; the oldest go first. */
export class CallDeduper {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs = DEDUPE_WINDOW_MS,
    private readonly maxKeys = DEDUPE_MAX_KEYS,
  ) {}

  /** True the first time `key` is offered within the window; false for a repeat. */
  first(key: string, now: number): boolean {
    this.expire(now);
    if (this.seen.has(key)) return false;
    this.seen.set(key, now);
    if (this.seen.size > this.maxKeys) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  /** Keys are in insertion order, which is time order: drop from the front until one is young enough. */
  private expire(now: number): void {
    for (const [key, at] of this.seen) {
      if (now - at < this.windowMs) break;
      this.seen.delete(key);
    }
  }
}
