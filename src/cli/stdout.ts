/**
 * The command line's stdout. When its reader goes away (`callfilter list | head -1`, `callfilter export | less` quit
 * early) the next write fails with EPIPE; nobody is left to read the rest, so the command ends quietly with exit 0,
 * as `ls | head` does. Any other write error (a full disk under `export > file`) fails the command.
 */
import { CommandError } from './args.js';

/** Thrown into a command that writes after its reader left; `run` turns it into exit 0. */
export class OutputClosed extends Error {
  constructor() {
    super('stdout was closed by its reader');
    this.name = 'OutputClosed';
  }
}

export interface Output {
  /** One line; a no-op once stdout has failed (the failure is reported by `flush`). */
  line(text: string): void;
  /** A chunk, waiting while the pipe is full; throws OutputClosed or CommandError once stdout has failed. */
  write(chunk: string): void | Promise<void>;
  /** Resolves when everything written so far has left; throws like `write` when it could not. */
  flush(): Promise<void>;
}

function failure(err: Error): Error {
  return (err as NodeJS.ErrnoException).code === 'EPIPE'
    ? new OutputClosed()
    : new CommandError(`cannot write the output: ${err.message}`);
}

export function stdoutOutput(stream: NodeJS.WriteStream = process.stdout): Output {
  let failed: Error | undefined;
  const waiting = new Set<() => void>();
  // Without a listener, the failed write's 'error' event would crash the process with a stack trace.
  stream.on('error', (err) => {
    failed ??= err;
    for (const wake of waiting) wake();
    waiting.clear();
  });
  const check = () => {
    if (failed) throw failure(failed);
  };
  return {
    line(text) {
      if (!failed) stream.write(`${text}\n`);
    },
    write(chunk) {
      check();
      if (stream.write(chunk)) return;
      return new Promise<void>((resolve, reject) => {
        const wake = () => {
          stream.off('drain', wake);
          waiting.delete(wake);
          if (failed) reject(failure(failed));
          else resolve();
        };
        waiting.add(wake);
        stream.once('drain', wake);
      });
    },
    async flush() {
      if (!failed) await new Promise<void>((resolve) => stream.write('', () => resolve()));
      check();
    },
  };
}
