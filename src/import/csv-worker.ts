/**
 * Worker thread: reads and checks a CSV file or upload (csvRows: split, decode, normalise) and hands the rows to the
 * parent in batches, so that the parent can write them into the database while the next ones are parsed — on two
 * cores an import takes about as long as the slower of the two halves instead of their sum, and in the service the
 * parsing never holds the call path. Protocol in worker-rows.ts.
 */
import { createReadStream, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { type MessagePort, workerData } from 'node:worker_threads';
import type { NumberingConfig } from '../numbers/index.js';
import { csvRows, type ImportKind } from './formats/index.js';
import { RowProblems } from './rows.js';
import { CHUNK_BYTES } from './source.js';
import { BATCH_ROWS, MAX_IN_FLIGHT, POSTED, TAKEN, type WorkerMessage } from './worker-protocol.js';

interface Data {
  /** A file to read, or the bytes of an upload (handed over by the parent). */
  path?: string;
  bytes?: Uint8Array;
  numbering: NumberingConfig;
  kind: ImportKind;
  port: MessagePort;
  shared: SharedArrayBuffer;
}

const { path, bytes: upload, numbering, kind, port, shared } = workerData as Data;
const counters = new Int32Array(shared);

/**
 * The parsing thread's nice value. On a busy machine every runnable thread gets its turn at a core, and the service's
 * main thread, which answers the calls, must not wait behind this one: parsing can take longer.
 */
const WORKER_NICE = 10;

/** Linux can set a thread's own priority (setpriority on its thread id); elsewhere it stays as it is. */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, WORKER_NICE);
  } catch {
    // not Linux, or not allowed: parse at the normal priority
  }
}

function post(message: WorkerMessage): void {
  port.postMessage(message);
  Atomics.add(counters, POSTED, 1);
  Atomics.notify(counters, POSTED);
  // Backpressure: the parent writes slower than we parse; do not pile up batches in memory.
  for (;;) {
    const taken = Atomics.load(counters, TAKEN);
    if (Atomics.load(counters, POSTED) - taken < MAX_IN_FLIGHT) break;
    Atomics.wait(counters, TAKEN, taken, 1000);
  }
}

async function run(): Promise<void> {
  const problems = new RowProblems();
  let bytes = 0;
  let count = 0;
  let batch = {
    numbers: [] as string[],
    flags: [] as number[],
    labels: [] as (string | null)[],
    notes: [] as (string | null)[],
    scores: [] as (number | null)[],
  };
  const flush = () => {
    if (batch.numbers.length === 0) return;
    post({ type: 'rows', bytes, ...batch });
    batch = { numbers: [], flags: [], labels: [], notes: [], scores: [] };
  };
  const source = (async function* () {
    if (upload !== undefined) {
      const all = Buffer.from(upload.buffer, upload.byteOffset, upload.byteLength);
      for (let i = 0; i < all.length; i += CHUNK_BYTES) {
        const chunk = all.subarray(i, i + CHUNK_BYTES);
        bytes += chunk.length;
        yield chunk;
      }
      return;
    }
    for await (const chunk of createReadStream(path as string, { highWaterMark: CHUNK_BYTES })) {
      bytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  })();
  for await (const item of csvRows(source, { numbering, kind })) {
    if ('error' in item) {
      problems.reject(item);
      continue;
    }
    // After a bad row nothing will be written: only keep reading to report every bad line.
    if (problems.rejectedCount > 0) continue;
    count++;
    batch.numbers.push(item.number);
    batch.flags.push((item.prefix ? 1 : 0) | ((item.kind ?? kind) === 'block' ? 2 : 0));
    batch.labels.push(item.label ?? null);
    batch.notes.push(item.note ?? null);
    batch.scores.push(item.score ?? null);
    if (batch.numbers.length >= BATCH_ROWS) flush();
  }
  flush();
  post({ type: 'end', bytes, count, rejected: problems.rejected, rejectedCount: problems.rejectedCount });
}

lowerPriority();
run().catch((err: unknown) => {
  post({ type: 'fail', message: err instanceof Error ? err.message : String(err) });
});
