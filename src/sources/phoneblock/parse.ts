/**
 * Parses a PhoneBlock answer in a worker thread (parse-worker.ts) when running compiled; from TypeScript sources
 * (tests under vitest) in this thread. The body is handed over, not copied.
 */
import { Worker } from 'node:worker_threads';
import { MalformedAnswerError, type PackedAnswer, parseAndPack } from './answer.js';

const WORKER_URL = new URL('./parse-worker.js', import.meta.url);
const workerAvailable = import.meta.url.endsWith('.js');
/** The worker holds the body and the parsed list once: room for PhoneBlock's list several times over. */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 512 };

type Reply = { ok: true; packed: PackedAnswer } | { ok: false; malformed: boolean; message: string };

export async function parseAnswer(body: Buffer): Promise<PackedAnswer> {
  if (!workerAvailable) return parseAndPack(body);
  // No inherited execArgv: a flag meant for the main script (--input-type, --eval) would stop the worker.
  const worker = new Worker(WORKER_URL, { resourceLimits: WORKER_LIMITS, execArgv: [] });
  try {
    const reply = await new Promise<Reply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the PhoneBlock answer's parser stopped (exit ${code})`)));
      const copy = new Uint8Array(body.byteLength);
      copy.set(body);
      worker.postMessage(copy, [copy.buffer]);
    });
    if (!reply.ok) throw reply.malformed ? new MalformedAnswerError(reply.message) : new Error(reply.message);
    return reply.packed;
  } finally {
    void worker.terminate();
  }
}
