/** Runs one load job in a fresh load-client process and returns its result. */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientMessage, LoadJob, LoadResult } from './load-protocol.js';
import { stop, track } from './processes.js';
import { cpuProfArgs, ROOT } from './servers.js';

/** How long a client that sent its result may take to exit by itself. */
const CLIENT_EXIT_GRACE_MS = 5_000;

export function runLoad(job: LoadJob, onProgress?: (completed: number) => void): Promise<LoadResult> {
  // Without the orchestrator's flags (--expose-gc): the client is an ordinary Node process. BENCH_CLIENT_PROF=<dir>
  // profiles the client itself (is it the bottleneck?).
  const execArgv = cpuProfArgs(process.env.BENCH_CLIENT_PROF);
  const child = track(
    fork(join(ROOT, 'dist/bench/load-client.js'), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  return new Promise<LoadResult>((resolve, reject) => {
    let settled = false;
    child.on('message', (message: ClientMessage) => {
      if (message.type === 'progress') onProgress?.(message.completed);
      else if (message.type === 'result') {
        settled = true;
        resolve(message.result);
      } else {
        settled = true;
        reject(new Error(`load client failed: ${message.message}`));
      }
    });
    child.once('exit', (code, signal) => {
      if (!settled) reject(new Error(`load client exited (${code ?? signal}) without a result`));
    });
    child.send(job);
  }).finally(async () => {
    // The client exits by itself after its result (and writes its profile then); stop() is for the failures.
    if (child.exitCode === null && child.signalCode === null)
      await Promise.race([once(child, 'exit'), sleep(CLIENT_EXIT_GRACE_MS)]);
    await stop(child);
  });
}
