/**
 * A loopback address where a TCP connect neither succeeds nor is refused: the SYN goes unanswered, as with a
 * crashed host or a firewall that drops. Tests of Asterisk's 2 s connect timeout need one, and nothing else on
 * 127.0.0.0/8 behaves like that (a closed port answers with a reset at once).
 *
 * How: a listening socket whose accept queue is full. Linux drops a SYN while the queue of a listener is full
 * (tcp_conn_request(): sk_acceptq_is_full → drop), and the client retransmits it for minutes. The listener lives in a
 * worker thread whose event loop is parked in Atomics.wait(), so nothing ever accepts; two fill-up connections made
 * here occupy the queue (backlog 1 holds backlog + 1 = 2).
 */
import net from 'node:net';
import { Worker } from 'node:worker_threads';

export interface BlackHole {
  host: string;
  port: number;
  /** Releases the queue, closes the listener and ends the worker; safe to call twice. */
  close(): Promise<void>;
}

/** A fill-up connect that takes this long is the first one the full queue swallowed. */
const FILLED_AFTER_MS = 300;
/** The queue takes 2 with backlog 1; more than this means the kernel is not dropping SYNs here. */
const MAX_FILLERS = 16;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  // Parks this thread's event loop: the listening socket is never accepted from.
  Atomics.wait(workerData, 0, 0);
  server.close();
});
`;

/** The connected socket, or undefined when the connect hangs (the queue is full). */
function tryConnect(port: number, host: string): Promise<net.Socket | undefined> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, FILLED_AFTER_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export async function startBlackHole(): Promise<BlackHole> {
  const host = '127.0.0.1';
  const wake = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER, { eval: true, workerData: wake });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const fillers: net.Socket[] = [];
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const socket of fillers) socket.destroy();
    Atomics.store(wake, 0, 1);
    Atomics.notify(wake, 0);
    await worker.terminate();
  };
  try {
    for (;;) {
      const socket = await tryConnect(port, host);
      if (!socket) break;
      fillers.push(socket);
      if (fillers.length > MAX_FILLERS)
        throw new Error(`black hole: ${MAX_FILLERS} connects to a listener that never accepts all succeeded`);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { host, port, close };
}
