/** A pino-compatible logger: the library calls `level(obj, msg)` and `child(bindings)` only. */
export interface AgiLogger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child?(bindings: object): AgiLogger;
}

const noop = (): void => {};

/** The default: says nothing. */
export const noopLogger: AgiLogger = { debug: noop, info: noop, warn: noop, error: noop, child: () => noopLogger };

export function childLogger(logger: AgiLogger, bindings: object): AgiLogger {
  return typeof logger.child === 'function' ? logger.child(bindings) : logger;
}

/** Socket errors that only mean "the other side went away"; logged at debug, never as failures. */
const PEER_GONE = new Set(['EPIPE', 'ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

export function isPeerGone(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PEER_GONE.has(code);
}
