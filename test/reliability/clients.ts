/**
 * Abusive FastAGI clients for the reliability tests: every one is a real TCP connection to 127.0.0.x, destroyed
 * when the test ends (STYLE.md rule 12), and none ever throws — a reset is what these clients expect.
 */
import net from 'node:net';
import { onTestFinished } from 'vitest';

export interface AbusiveClient {
  socket: net.Socket;
  /** Resolves with the ms from connect to the server closing (or resetting) the connection. */
  closed: Promise<number>;
  /** Bytes the server sent (an abusive client should get none before the environment is complete). */
  received(): number;
  /** Writes unless the socket is gone. */
  send(data: string | Buffer): void;
  /** Runs `fn` every `ms` until the connection closes. */
  every(ms: number, fn: () => void): void;
  stop(): void;
}

const open = new Set<AbusiveClient>();
let hooked = false;

/** One teardown per test destroys whatever that test left open. */
function track(client: AbusiveClient): void {
  open.add(client);
  if (hooked) return;
  hooked = true;
  onTestFinished(() => {
    hooked = false;
    for (const c of open) c.stop();
  });
}

export interface ConnectOptions {
  host?: string;
  /** Bind the client end to this address (127.0.0.2 looks like another host to an allow list). */
  localAddress?: string;
}

/** Connects and resolves once connected; the socket is destroyed when the test finishes. */
export function connect(port: number, options: ConnectOptions = {}): Promise<AbusiveClient> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({
      port,
      host: options.host ?? '127.0.0.1',
      ...(options.localAddress && { localAddress: options.localAddress }),
    });
    let bytes = 0;
    const timers = new Set<NodeJS.Timeout>();
    const writable = () => !socket.destroyed && !socket.writableEnded;
    const client: AbusiveClient = {
      socket,
      closed: new Promise<number>((r) => socket.once('close', () => r(performance.now() - started))),
      received: () => bytes,
      send: (data) => {
        if (writable()) socket.write(data);
      },
      every: (ms, fn) => {
        const t = setInterval(() => (writable() ? fn() : clearInterval(t)), ms);
        timers.add(t);
      },
      stop: () => socket.destroy(),
    };
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.on('error', () => {});
    socket.once('close', () => {
      for (const t of timers) clearInterval(t);
      open.delete(client);
    });
    socket.once('error', (err) => {
      if (socket.connecting) reject(err);
    });
    socket.once('connect', () => {
      track(client);
      resolve(client);
    });
  });
}

/** A realistic environment block for /screen (what launch_netscript() + setup_env() send), as lines. */
export function envLines(callerId = '+4930123456', extra: Record<string, string> = {}): string[] {
  const env: Record<string, string> = {
    agi_network: 'yes',
    agi_network_script: 'screen',
    agi_request: 'agi://127.0.0.1:4573/screen',
    agi_channel: 'PJSIP/trunk-00000001',
    agi_language: 'de',
    agi_type: 'PJSIP',
    agi_uniqueid: '1700000000.1',
    agi_version: '22.1.0',
    agi_callerid: callerId,
    agi_calleridname: 'unknown',
    agi_callingpres: '0',
    agi_callingani2: '0',
    agi_callington: '0',
    agi_callingtns: '0',
    agi_dnid: '0309876543',
    agi_rdnis: 'unknown',
    agi_context: 'from-trunk',
    agi_extension: '0309876543',
    agi_priority: '1',
    agi_enhanced: '0.0',
    agi_accountcode: '',
    agi_threadid: '140245012345678',
    agi_arg_1: '+4930999000',
    ...extra,
  };
  return [...Object.entries(env).map(([k, v]) => `${k}: ${v}\n`), '\n'];
}

export { randomBytes, seededRandom } from 'asterisk-agi/testing';

/** Nearest-rank percentile of `values` (0 < p <= 100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `tasks` with at most `limit` at once; resolves with their results in order. */
export async function pool<T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) results[i] = await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}
