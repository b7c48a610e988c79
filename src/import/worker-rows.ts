/**
 * The parent side of csv-worker.ts: the rows of a CSV file or upload, parsed in a worker thread, as asynchronous
 * iterables that the store writes in short transactions while the worker reads on (`entryRowsFromWorker` for the
 * personal entries, `listRowsFromWorker` for a list's versioned replace). The parent waits for a batch with
 * Atomics.waitAsync: its event loop stays free for calls meanwhile.
 */
import { statSync } from 'node:fs';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { NumberingConfig } from '../numbers/index.js';
import type { ListEntryInput } from '../store/index.js';
import type { ImportKind } from './formats/index.js';
import { type Collected, type Row, RowProblems } from './rows.js';
import { type ImportProgress, ImportRejectedError } from './types.js';
import { POSTED, TAKEN, type WorkerMessage } from './worker-protocol.js';

/** The worker is compiled JavaScript; from TypeScript sources (tests under vitest) the in-thread path is used. */
const WORKER_URL = new URL('./csv-worker.js', import.meta.url);
export const workerAvailable = import.meta.url.endsWith('.js');

/** A worker that sends nothing for this long is stuck or dead (its exit is not watched). */
const STALL_MS = 60_000;
const WAIT_MS = 1000;
/**
 * The worker holds one file chunk, one batch and the parser: a small young generation keeps its garbage (every row
 * is garbage once posted) from inflating the process (the import's peak RSS budget is 300 MB for a million rows).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 };

type WaitAsync = (
  a: Int32Array,
  i: number,
  v: number,
  t: number,
) => { async: boolean; value: Promise<string> | string };

type Options = { numbering: NumberingConfig; kind: ImportKind };
/** A file to read, or an upload's bytes: handed to the worker without a copy when the buffer is the upload's own. */
export type WorkerSource = { path: string } | { bytes: Uint8Array };
/** What a take returns: a failure is thrown instead. */
type Taken = Exclude<WorkerMessage, { type: 'fail' }>;
type End = Extract<WorkerMessage, { type: 'end' }>;

/** Whether `bytes` is a whole ArrayBuffer of its own, which can move to the worker instead of being copied. */
function movable(bytes: Uint8Array): boolean {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/** One worker reading a file or an upload, and its messages in order. */
class WorkerPipe {
  private readonly counters: Int32Array;
  private readonly port;
  private readonly worker: Worker;
  private readonly what: string;
  private idle = 0;
  readonly totalBytes: number;

  constructor(source: WorkerSource, options: Options) {
    this.what = 'path' in source ? source.path : 'the upload';
    this.totalBytes = 'path' in source ? statSync(source.path).size : source.bytes.byteLength;
    const shared = new SharedArrayBuffer(8);
    this.counters = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const workerData = { ...source, ...options, port: port2, shared };
    const start = (transferList: (MessagePort | ArrayBuffer)[]) =>
      new Worker(WORKER_URL, { workerData, transferList, resourceLimits: WORKER_LIMITS });
    // Copying an upload of tens of MB would hold this thread (and the calls) for tens of ms: it moves instead, and
    // the caller's buffer is empty afterwards. A pooled buffer cannot move; a copy of it is small.
    const bytes = 'bytes' in source ? source.bytes : undefined;
    let worker: Worker | undefined;
    if (bytes && movable(bytes)) {
      try {
        worker = start([port2, bytes.buffer as ArrayBuffer]);
      } catch {
        // Marked untransferable (Node's pool, or a buffer someone else owns): copied instead.
      }
    }
    this.worker = worker ?? start([port2]);
    // Its errors arrive as messages; this only keeps an uncaught one from crashing the process.
    this.worker.on('error', () => {});
  }

  /** The next message, or undefined after a wait of WAIT_MS. */
  private async poll(): Promise<Taken | undefined> {
    const seen = Atomics.load(this.counters, POSTED);
    const received = receiveMessageOnPort(this.port);
    if (received) return this.took(received.message as WorkerMessage);
    const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
    const { value } = waitAsync(this.counters, POSTED, seen, WAIT_MS);
    const result = typeof value === 'string' ? value : await value;
    if (result === 'timed-out' && (this.idle += WAIT_MS) >= STALL_MS)
      throw new Error(`the CSV reader stopped answering for ${STALL_MS / 1000} s`);
    return undefined;
  }

  private took(m: WorkerMessage): Taken {
    this.idle = 0;
    Atomics.add(this.counters, TAKEN, 1);
    Atomics.notify(this.counters, TAKEN);
    if (m.type === 'fail') throw new Error(`reading ${this.what} failed: ${m.message}`);
    return m;
  }

  async take(): Promise<Taken> {
    for (;;) {
      const m = await this.poll();
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
 * The rows of a CSV for the personal entries, counted into `collected`; after the last one, ImportRejectedError when
 * any row was bad (the worker reads on after a bad row only to report every bad line).
 */
export async function* entryRowsFromWorker(
  source: WorkerSource,
  options: Options,
  collected: Collected,
  onProgress?: (p: ImportProgress) => void,
): AsyncGenerator<Row> {
  const pipe = new WorkerPipe(source, options);
  try {
    for (let m = await pipe.take(); ; m = await pipe.take()) {
      onProgress?.({
        phase: 'read',
        bytes: m.bytes,
        totalBytes: pipe.totalBytes,
        rows: m.type === 'end' ? m.count : collected.count + m.numbers.length,
      });
      if (m.type !== 'rows') return finish(m, collected.problems);
      collected.count += m.numbers.length;
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
}

/** A spam list's rows from a CSV file; throws ImportRejectedError at the end when a row was bad. */
export async function* listRowsFromWorker(
  path: string,
  numbering: NumberingConfig,
  onProgress?: (p: ImportProgress) => void,
): AsyncGenerator<ListEntryInput> {
  const pipe = new WorkerPipe({ path }, { numbering, kind: 'block' });
  let rows = 0;
  try {
    for (let m = await pipe.take(); ; m = await pipe.take()) {
      onProgress?.({
        phase: 'read',
        bytes: m.bytes,
        totalBytes: pipe.totalBytes,
        rows: m.type === 'end' ? m.count : (rows += m.numbers.length),
      });
      if (m.type !== 'rows') return finish(m, new RowProblems());
      for (let i = 0; i < m.numbers.length; i++) {
        const row: ListEntryInput = {
          number: m.numbers[i] as string,
          prefix: ((m.flags[i] as number) & 1) !== 0,
          score: m.scores[i] ?? 1,
        };
        const label = m.labels[i];
        if (label != null) row.label = label;
        yield row;
      }
    }
  } finally {
    pipe.close();
  }
}
