import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Log lines for stdout are written in batches: once this many bytes are waiting, or after STDOUT_FLUSH_MS. The
 * service logs one line per call; writing each on its own cost a write (through libuv's thread pool) per call —
 * about 10 % of the service's CPU per call under load (bench, c=50). A batch is at most STDOUT_FLUSH_MS late.
 */
const STDOUT_BATCH_BYTES = 4096;
const STDOUT_FLUSH_MS = 100;

/**
 * The process's one stdout destination, made on first use. Lines collect here and go to a sonic-boom (pino's async
 * destination, as pino uses by default) once STDOUT_BATCH_BYTES wait or on a timer (unref'd: it keeps no process
 * alive; it writes nothing while nothing waits). The batch is ours, not sonic-boom's `minLength`: with that, lines
 * written while an earlier write was in flight stayed buffered until more bytes came. `exit` writes the rest
 * synchronously, so process.exit() and a crash lose no line that was logged.
 */
class BatchedStdout {
  private readonly boom = pino.destination({ dest: 1, sync: false });
  private batch = '';

  constructor() {
    setInterval(() => this.release(), STDOUT_FLUSH_MS).unref();
    process.once('exit', () => this.flushSync());
  }

  write(line: string): void {
    this.batch += line;
    if (this.batch.length >= STDOUT_BATCH_BYTES) this.release();
  }

  /** pino's logger.flush(cb): hands the batch on; `cb` once sonic-boom has written everything. */
  flush(cb?: (err?: Error) => void): void {
    this.release();
    if (cb) this.boom.flush(cb);
  }

  /** Text that must come after the lines logged so far (the admin token notice): same stream, same order. */
  print(text: string): void {
    this.batch += text;
    this.release();
  }

  flushSync(): void {
    this.release();
    try {
      this.boom.flushSync();
    } catch {
      // stdout is gone (closed pipe): nothing left to write to.
    }
  }

  private release(): void {
    if (this.batch === '') return;
    const text = this.batch;
    this.batch = '';
    this.boom.write(text);
  }
}

let stdout: BatchedStdout | undefined;

/** Writes `text` to stdout after every log line logged so far (not in the middle of a batch). */
export function printAfterLog(text: string): void {
  if (stdout) stdout.print(text);
  else process.stdout.write(text);
}

const CENSOR = '[redacted]';
const REDACTED_PATHS = [
  'token',
  'credentials',
  'password',
  'secret',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];
/** A secret one level down in any field: pino then looks into every field of every line (~1 µs, ~2 KB of garbage). */
const REDACTED_NESTED = ['*.token', '*.credentials', '*.password', '*.secret'];

/**
 * A child for the call path, which logs a line per call: the root's redaction without its wildcard. Its lines carry
 * call fields (numbers, decision, ids) and errors from the store and the AGI session, never a token a level down.
 */
export function callPathLogger(parent: Logger, bindings: pino.Bindings): Logger {
  return parent.child(bindings, { redact: { paths: REDACTED_PATHS, censor: CENSOR } });
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
    redact: { paths: [...REDACTED_PATHS, ...REDACTED_NESTED], censor: CENSOR },
  };
  return pino(options, destination ?? (stdout ??= new BatchedStdout()));
}
