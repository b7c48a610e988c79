/**
 * The parent side of csv-worker.ts. `csvFromWorker` is a synchronous iterable of the rows, so they can be written in
 * ONE store transaction (entries.bulkInsert inside db.transaction, which must be synchronous) while the worker reads
 * on; the parent blocks in Atomics.wait while the worker is behind — fine for the command line, whose event loop has
 * nothing else to do; never use it inside the service. `listRowsFromWorker` is the asynchronous variant for the
 * batched list replace.
 */
import { statSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { ImportKind } from '../importers/index.js';
import type { NumberingConfig } from '../numbers/index.js';
import type { ListEntryInput } from '../store/index.js';
import { RowProblems, type Collected, type Row } from './rows.js';
import { ImportRejectedError, type ImportProgress } from './types.js';
import { POSTED, TAKEN, type WorkerMessage } from './worker-protocol.js';

/** The worker is compiled JavaScript; from TypeScript sources (tests under vitest) the in-thread path is used. */
const WORKER_URL = new URL('./csv-worker.js', import.meta.url);
export const workerAvailable = import.meta.url.endsWith('.js');

/** A worker that sends nothing for this long has died (a crash cannot be seen while this thread blocks). */
const STALL_MS = 60_000;
const WAIT_MS = 1000;
/**
 * The worker holds one file chunk, one batch and the parser: a small young generation keeps its garbage (every row
 * is garbage once posted) from inflating the process (the import's peak RSS budget is 300 MB for a million rows).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 };

type WaitAsync = (a: Int32Array, i: number, v: number, t: number) => { async: boolean; value: Promise<string> | string };

type Options = { numbering: NumberingConfig; kind: ImportKind };
/** What a take returns: a failure is thrown instead. */
type Taken = Exclude<WorkerMessage, { type: 'fail' }>;
type End = Extract<WorkerMessage, { type: 'end' }>;

/** One worker reading `path`, and its messages in order. */
class WorkerPipe {
  private readonly counters: Int32Array;
  private readonly port;
  private readonly worker: Worker;
  private idle = 0;
  readonly totalBytes: number;

  constructor(private readonly path: string, options: Options) {
    this.totalBytes = statSync(path).size;
    const shared = new SharedArrayBuffer(8);
    this.counters = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_URL, { workerData: { path, ...options, port: port2, shared }, transferList: [port2], resourceLimits: WORKER_LIMITS });
    // Its errors arrive as messages; this only keeps an uncaught one from crashing the process.
    this.worker.on('error', () => {});
  }

  /** The next message, or undefined after a wait of WAIT_MS; `wait` blocks or awaits. */
  private poll(wait: (seen: number) => string | Promise<string>): Taken | undefined | Promise<Taken | undefined> {
    const seen = Atomics.load(this.counters, POSTED);
    const received = receiveMessageOnPort(this.port);
    if (received) return this.took(received.message as WorkerMessage);
    const result = wait(seen);
    const after = (r: string) => {
      if (r === 'timed-out' && (this.idle += WAIT_MS) >= STALL_MS) throw new Error(`the CSV reader stopped answering for ${STALL_MS / 1000} s`);
      return undefined;
    };
    return typeof result === 'string' ? after(result) : result.then(after);
  }

  private took(m: WorkerMessage): Taken {
    this.idle = 0;
    Atomics.add(this.counters, TAKEN, 1);
    Atomics.notify(this.counters, TAKEN);
    if (m.type === 'fail') throw new Error(`reading ${this.path} failed: ${m.message}`);
    return m;
  }

  takeSync(): Taken {
    for (;;) {
      const m = this.poll((seen) => Atomics.wait(this.counters, POSTED, seen, WAIT_MS)) as Taken | undefined;
      if (m) return m;
    }
  }

  async take(): Promise<Taken> {
    const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
    for (;;) {
      const m = await this.poll((seen) => waitAsync(this.counters, POSTED, seen, WAIT_MS).value);
      if (m) return m;
    }
  }

  close(): void {
    this.port.close();
    void this.worker.terminate();
  }
}

function finish(m: End, problems: RowProblems): void {
  for (const r of m.rejected) problems.reject(r);
  problems.rejectedCount = m.rejectedCount;
  if (m.rejectedCount > 0) throw new ImportRejectedError('csv', problems.rejected, m.rejectedCount);
}

/**
 * The rows of a CSV file as a worker reads them. A second pass over `rows()` (the conflict check after the write)
 * gets each row's number, prefix and kind only: the worker's arrays of numbers and flags are kept (about 40 MB for a
 * million rows), the labels and notes are not; reading the file again would cost as long as the import itself.
 */
export function csvFromWorker(path: string, options: Options, onProgress?: (p: ImportProgress) => void): Collected {
  const pipe = new WorkerPipe(path, options);
  const problems = new RowProblems();
  const kept: { numbers: string[]; flags: number[] }[] = [];
  let read = false;
  const collected: Collected = {
    format: 'csv',
    count: 0,
    problems,
    *rows(): Generator<Row> {
      if (read) {
        for (const { numbers, flags } of kept) {
          for (let i = 0; i < numbers.length; i++) {
            const f = flags[i] as number;
            yield { number: numbers[i] as string, prefix: (f & 1) !== 0, kind: f & 2 ? 'block' : 'allow' };
          }
        }
        return;
      }
      read = true;
      try {
        for (let m = pipe.takeSync(); ; m = pipe.takeSync()) {
          onProgress?.({ phase: 'read', bytes: m.bytes, totalBytes: pipe.totalBytes, rows: m.type === 'end' ? m.count : collected.count + m.numbers.length });
          if (m.type !== 'rows') return finish(m, problems);
          collected.count += m.numbers.length;
          kept.push({ numbers: m.numbers, flags: m.flags });
          for (let i = 0; i < m.numbers.length; i++) {
            const f = m.flags[i] as number;
            const row: Row = { number: m.numbers[i] as string, prefix: (f & 1) !== 0, kind: f & 2 ? 'block' : 'allow' };
            const label = m.labels[i];
            if (label != null) row.label = label;
            const note = m.notes[i];
            if (note != null) row.note = note;
            yield row;
          }
        }
      } finally {
        pipe.close();
      }
    },
  };
  return collected;
}

/** A spam list's rows from a CSV file; throws ImportRejectedError at the end when a row was bad. */
export async function* listRowsFromWorker(path: string, numbering: NumberingConfig, onProgress?: (p: ImportProgress) => void): AsyncGenerator<ListEntryInput> {
  const pipe = new WorkerPipe(path, { numbering, kind: 'block' });
  let rows = 0;
  try {
    for (let m = await pipe.take(); ; m = await pipe.take()) {
      onProgress?.({ phase: 'read', bytes: m.bytes, totalBytes: pipe.totalBytes, rows: m.type === 'end' ? m.count : (rows += m.numbers.length) });
      if (m.type !== 'rows') return finish(m, new RowProblems());
      for (let i = 0; i < m.numbers.length; i++) {
        const row: ListEntryInput = { number: m.numbers[i] as string, prefix: ((m.flags[i] as number) & 1) !== 0, score: m.scores[i] ?? 1 };
        const label = m.labels[i];
        if (label != null) row.label = label;
        yield row;
      }
    }
  } finally {
    pipe.close();
  }
}
