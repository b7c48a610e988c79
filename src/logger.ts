import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Log lines for stdout are written in batches: once this many bytes are waiting, or after STDOUT_FLUSH_MS. The
 * service logs one line per call; writing each on its own cost a write (through libuv's thread pool) per call —
 * about 10 % of the service's CPU per call under load (bench, c=50). A batch is at most STDOUT_FLUSH_MS late.
 */
const STDOUT_BATCH_BYTES = 4096;
const STDOUT_FLUSH_MS = 100;

interface Flushable {
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
}

/**
 * The process's one stdout destination (sonic-boom via pino.destination), made on first use. A timer (unref'd: it
 * keeps no process alive) writes what waits; nothing is written while nothing was logged. `exit` writes the rest
 * synchronously, so process.exit() and a crash lose no line that was logged.
 */
class BatchedStdout implements Flushable {
  private readonly boom = pino.destination({ dest: 1, minLength: STDOUT_BATCH_BYTES, sync: false });
  private waiting = false;

  constructor() {
    setInterval(() => this.flush(), STDOUT_FLUSH_MS).unref();
    process.once('exit', () => this.flushSync());
  }

  write(line: string): boolean {
    this.waiting = true;
    return this.boom.write(line);
  }

  flush(cb?: (err?: Error) => void): void {
    if (!this.waiting) {
      cb?.();
      return;
    }
    this.waiting = false;
    this.boom.flush(cb);
  }

  flushSync(): void {
    this.waiting = false;
    try {
      this.boom.flushSync();
    } catch {
      // stdout is gone (closed pipe): nothing left to write to.
    }
  }
}

let stdout: BatchedStdout | undefined;

/** Writes every log line still waiting in the stdout batch, now (before other output to stdout, or before exit). */
export function flushLogSync(): void {
  stdout?.flushSync();
}

/**
 * One root logger per process; subsystems take named children (`logger.child({ subsystem: 'agi' })`).
 * The admin token is redacted wherever it could appear in a logged object. Without `destination` it logs to stdout
 * in batches (BatchedStdout).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'callfilter' },
    redact: { paths: ['token', '*.token', 'headers.authorization', 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  };
  return pino(options, destination ?? (stdout ??= new BatchedStdout()));
}
