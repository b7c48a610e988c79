import { type AgiLogger, childLogger } from './logger.js';

/**
 * Per-connection warnings (a rejected peer, an aborted session) say something once; a flood of bad connections —
 * a port scanner, a misconfigured Asterisk retrying, an attack — would write one line each and bury everything else
 * (and fill an SD card). So per kind, the first LOG_BURST lines of a LOG_WINDOW_MS window are written in full;
 * the rest are counted and summed up in one line when the window ends.
 */
export const LOG_BURST = 10;
export const LOG_WINDOW_MS = 60_000;

interface Window {
  since: number;
  logged: number;
  suppressed: number;
}

export interface LogLimiterOptions {
  burst?: number;
  windowMs?: number;
  clock?: () => number;
}

export class LogLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly burst: number;
  private readonly windowMs: number;
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: AgiLogger,
    options: LogLimiterOptions = {},
  ) {
    this.burst = options.burst ?? LOG_BURST;
    this.windowMs = options.windowMs ?? LOG_WINDOW_MS;
    this.clock = options.clock ?? Date.now;
  }

  /** Lines suppressed so far in the open windows, per kind. */
  get suppressed(): Record<string, number> {
    return Object.fromEntries([...this.windows].map(([kind, w]) => [kind, w.suppressed]));
  }

  /** True when a line of this kind may be written now; false when it was counted instead. */
  allow(kind: string): boolean {
    const now = this.clock();
    let w = this.windows.get(kind);
    if (w && now - w.since >= this.windowMs) {
      this.report(kind, w, now);
      w = undefined;
    }
    if (!w) {
      w = { since: now, logged: 0, suppressed: 0 };
      this.windows.set(kind, w);
    }
    if (w.logged < this.burst) {
      w.logged += 1;
      return true;
    }
    w.suppressed += 1;
    // Without a timer the summary would wait for the next line of this kind, which may never come.
    this.timer ??= setInterval(() => this.flush(false), this.windowMs).unref();
    return false;
  }

  /** A logger whose warn lines go through allow(kindOf(obj, msg)); other levels pass unchanged. */
  wrap(log: AgiLogger, kindOf: (obj: object | string, msg?: string) => string): AgiLogger {
    return new LimitedLogger(this, log, kindOf);
  }

  /** Writes the summaries of windows that ended (all of them with `all`), and stops the timer when none is left. */
  flush(all: boolean): void {
    const now = this.clock();
    for (const [kind, w] of this.windows) if (all || now - w.since >= this.windowMs) this.report(kind, w, now);
    if (all || this.windows.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private report(kind: string, w: Window, now: number): void {
    this.windows.delete(kind);
    if (w.suppressed === 0) return;
    this.log.warn(
      { kind, suppressed: w.suppressed, sinceMs: now - w.since },
      `${w.suppressed} more "${kind}" lines were not written (at most ${this.burst} per ${this.windowMs / 1000} s)`,
    );
  }
}

/** What LogLimiter.wrap() returns: warn lines go through the limiter, the rest straight through. One object per connection. */
class LimitedLogger implements AgiLogger {
  constructor(
    private readonly limiter: LogLimiter,
    private readonly log: AgiLogger,
    private readonly kindOf: (obj: object | string, msg?: string) => string,
  ) {}

  debug(obj: object | string, msg?: string): void {
    this.log.debug(obj, msg);
  }

  info(obj: object | string, msg?: string): void {
    this.log.info(obj, msg);
  }

  warn(obj: object | string, msg?: string): void {
    if (this.limiter.allow(this.kindOf(obj, msg))) this.log.warn(obj, msg);
  }

  error(obj: object | string, msg?: string): void {
    this.log.error(obj, msg);
  }

  child(bindings: object): AgiLogger {
    return this.limiter.wrap(childLogger(this.log, bindings), this.kindOf);
  }

  isLevelEnabled(level: string): boolean {
    return this.log.isLevelEnabled?.(level) ?? true;
  }
}
