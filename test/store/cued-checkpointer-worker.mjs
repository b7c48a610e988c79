/**
 * The checkpointer's worker for tests that need it to fail: the real one (compiled, in dist/) in a thread that also
 * watches the folder CALLFILTER_TEST_CUES names. A file `stall` there blocks the thread until the file goes, as a
 * worker stuck in a long read would be; a file `crash` makes it throw. Started through the checkpointer's workerUrl.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const cues = process.env.CALLFILTER_TEST_CUES;
if (!cues) throw new Error('CALLFILTER_TEST_CUES names no folder');
await import(new URL('../../dist/src/store/checkpointer-worker.js', import.meta.url).href);

const blocker = new Int32Array(new SharedArrayBuffer(4));
setInterval(() => {
  if (existsSync(join(cues, 'crash'))) throw new Error('checkpointer crash (test cue)');
  while (existsSync(join(cues, 'stall'))) Atomics.wait(blocker, 0, 0, 5);
}, 5).unref();
