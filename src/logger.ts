import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * One root logger per process; subsystems take named children (`logger.child({ subsystem: 'agi' })`).
 * The admin token is redacted wherever it could appear in a logged object.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'callfilter' },
    redact: { paths: ['token', '*.token', 'headers.authorization', 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
