/** A pino-compatible logger: the library calls `level(obj, msg)`, `child(bindings)` and `isLevelEnabled(level)` only. */
export interface AgiLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child?(bindings: object): AgiLogger;
  /** pino's: false lets the library skip work for a line that would not be written. */
  isLevelEnabled?(level: string): boolean;
}

const noop = (): void => {};

/** The default: says nothing. */
export const noopLogger: AgiLogger = { debug: noop, info: noop, warn: noop, error: noop, child: () => noopLogger };

export function childLogger(logger: AgiLogger, bindings: object): AgiLogger {
  return typeof logger.child === 'function' ? logger.child(bindings) : logger;
}

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * `childLogger(logger, bindings)`, made on the first line actually written. The server gives every connection a
 * child with its peer address, and most connections never log (pino builds a child's bindings at once).
 */
export class LazyChildLogger implements AgiLogger {
  private made: AgiLogger | undefined;

  constructor(
    private readonly parent: AgiLogger,
    private readonly bindings: object,
  ) {}

  debug(obj: object | string, msg?: string): void {
    this.write('debug', obj, msg);
  }

  info(obj: object | string, msg?: string): void {
    this.write('info', obj, msg);
  }

  warn(obj: object | string, msg?: string): void {
    this.write('warn', obj, msg);
  }

  error(obj: object | string, msg?: string): void {
    this.write('error', obj, msg);
  }

  child(bindings: object): AgiLogger {
    return childLogger(this.logger(), bindings);
  }

  isLevelEnabled(level: string): boolean {
    return this.parent.isLevelEnabled?.(level) ?? true;
  }

  private write(level: Level, obj: object | string, msg?: string): void {
    if (this.parent.isLevelEnabled?.(level) === false) return;
    this.logger()[level](obj, msg);
  }

  private logger(): AgiLogger {
    this.made ??= childLogger(this.parent, this.bindings);
    return this.made;
  }
}

/** Socket errors that only mean "the other side went away"; logged at debug, never as failures. */
const PEER_GONE = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNABORTED',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

export function isPeerGone(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PEER_GONE.has(code);
}
