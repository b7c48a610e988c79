/**
 * Worker thread: parses one PhoneBlock answer (answer.ts parseAndPack) so that the main thread, which screens calls,
 * never spends the second or more that JSON.parse takes on the whole list. Protocol in parse.ts.
 */
import { parentPort } from 'node:worker_threads';
import { MalformedAnswerError, parseAndPack } from './answer.js';

parentPort?.once('message', (body: Uint8Array) => {
  try {
    const packed = parseAndPack(body);
    parentPort?.postMessage({ ok: true, packed }, [packed.votes.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort?.postMessage({
      ok: false,
      malformed: err instanceof MalformedAnswerError,
      message: (err as Error).message,
    });
  }
});
