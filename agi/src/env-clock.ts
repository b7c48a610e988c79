import { AgiTimeoutError } from './errors.js';

/**
 * The two time limits on the environment block: complete within `timeoutMs` of the connect, and never `idleMs`
 * (0: no limit) without a byte. One timer for both, so a call whose block arrives at once costs one timer that
 * never fires. `expired` is called once, with the limit that was hit, unless stop() came first.
 */
export class EnvClock {
  private readonly since = performance.now();
  private lastByteAt = this.since;
  private timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly idleMs: number,
    private readonly expired: (err: AgiTimeoutError) => void,
  ) {
    this.timer = setTimeout(() => this.check(), idleMs > 0 ? Math.min(idleMs, timeoutMs) : timeoutMs).unref();
  }

  /** Bytes of the block arrived. */
  byte(): void {
    this.lastByteAt = performance.now();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /**
   * The timer fired: past the deadline, silent for too long, or neither yet (then it waits again). `polled`: the
   * loop has read its sockets since the timer fired. Timers run before I/O in an event-loop turn, so after the loop
   * was busy (a long GC, a big import) bytes that did arrive may still wait in the kernel: silence is only believed
   * once they have been read (setImmediate runs after the I/O phase).
   */
  private check(polled = false): void {
    if (this.stopped) return;
    const now = performance.now();
    const left = this.timeoutMs - (now - this.since);
    if (left <= 0) {
      this.stopped = true;
      this.expired(new AgiTimeoutError(`no complete environment within ${this.timeoutMs} ms`));
      return;
    }
    const quiet = this.idleMs > 0 ? this.idleMs - (now - this.lastByteAt) : Number.POSITIVE_INFINITY;
    if (quiet <= 0) {
      if (!polled) {
        setImmediate(() => this.check(true));
        return;
      }
      this.stopped = true;
      this.expired(new AgiTimeoutError(`environment stalled: no byte for ${this.idleMs} ms`));
      return;
    }
    // libuv timers run on the loop's cached clock and may fire a fraction of a millisecond early: wait at least 1 ms.
    this.timer = setTimeout(() => this.check(), Math.max(1, Math.ceil(Math.min(left, quiet)))).unref();
  }
}
