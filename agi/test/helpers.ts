import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type AgiLogger, AgiServer, type AgiServerOptions, LineReader } from 'asterisk-agi';
import { duplexPair } from 'asterisk-agi/testing';
import { onTestFinished } from 'vitest';

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object | string;
  msg: string | undefined;
}

/** A logger that keeps every record, pino-style (child bindings are ignored). */
export function captureLogger(): {
  logger: AgiLogger;
  records: LogRecord[];
  messages: (level?: LogRecord['level']) => string[];
} {
  const records: LogRecord[] = [];
  const at =
    (level: LogRecord['level']) =>
    (obj: object | string, msg?: string): void => {
      records.push({ level, obj, msg: typeof obj === 'string' ? obj : msg });
    };
  const logger: AgiLogger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  const messages = (level?: LogRecord['level']): string[] =>
    records.filter((r) => !level || r.level === level).map((r) => r.msg ?? '');
  return { logger, records, messages };
}

/** A server that this test closes when it finishes. */
export function testServer(options: AgiServerOptions = {}): AgiServer {
  const server = new AgiServer(options);
  onTestFinished(() => server.close());
  return server;
}

/** A server listening on 127.0.0.1, port 0; closed when the test finishes. */
export async function listeningServer(
  options: AgiServerOptions = {},
): Promise<{ server: AgiServer; address: AddressInfo }> {
  const server = testServer(options);
  const address = await server.listen(0, '127.0.0.1');
  return { server, address };
}

/** One end of an in-memory connection, driven by hand: write raw bytes, read the lines the server sends. */
export interface RawPeer {
  /** The end to give to AgiSession.start() / server.handle(). */
  serverSide: Duplex;
  asterisk: Duplex;
  write(text: string | Buffer): void;
  /** The next line the server sent (without `\n`). */
  nextLine(): Promise<string>;
  /** Every line received so far (including those already taken by nextLine()). */
  received: string[];
  /** Resolves when the server closed its side. */
  ended: Promise<void>;
  /** Resolves when the Asterisk end is fully closed. */
  closed: Promise<void>;
}

export function rawPeer(): RawPeer {
  const [serverSide, asterisk] = duplexPair();
  const reader = new LineReader(1 << 20);
  const received: string[] = [];
  const queue: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  asterisk.on('data', (chunk: Buffer) => {
    for (const line of reader.push(chunk).lines) {
      received.push(line);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else queue.push(line);
    }
  });
  asterisk.on('error', () => {});
  const ended = new Promise<void>((resolve) => asterisk.once('end', () => resolve()));
  const closed = new Promise<void>((resolve) => asterisk.once('close', () => resolve()));
  onTestFinished(() => {
    asterisk.destroy();
    serverSide.destroy();
  });
  return {
    serverSide,
    asterisk,
    received,
    ended,
    closed,
    write: (text) => {
      if (!asterisk.destroyed && !asterisk.writableEnded) asterisk.write(text);
    },
    nextLine: () => {
      const line = queue.shift();
      if (line !== undefined) return Promise.resolve(line);
      return new Promise<string>((resolve) => waiters.push(resolve));
    },
  };
}

/** A realistic environment block (what launch_netscript() + setup_env() send) with overrides by full key. */
export function envBlock(overrides: Record<string, string | undefined> = {}, args: string[] = []): string {
  const env = new Map<string, string | undefined>([
    ['agi_network', 'yes'],
    ['agi_network_script', 'screen'],
    ['agi_request', 'agi://127.0.0.1:4573/screen'],
    ['agi_channel', 'PJSIP/trunk-00000001'],
    ['agi_language', 'de'],
    ['agi_type', 'PJSIP'],
    ['agi_uniqueid', '1700000000.1'],
    ['agi_version', '22.1.0'],
    ['agi_callerid', '0301234567'],
    ['agi_calleridname', 'unknown'],
    ['agi_callingpres', '0'],
    ['agi_callingani2', '0'],
    ['agi_callington', '0'],
    ['agi_callingtns', '0'],
    ['agi_dnid', '0309876543'],
    ['agi_rdnis', 'unknown'],
    ['agi_context', 'from-trunk'],
    ['agi_extension', '0309876543'],
    ['agi_priority', '1'],
    ['agi_enhanced', '0.0'],
    ['agi_accountcode', ''],
    ['agi_threadid', '140245012345678'],
    ...args.map((a, i): [string, string] => [`agi_arg_${i + 1}`, a]),
  ]);
  for (const [k, v] of Object.entries(overrides)) env.set(k, v);
  let text = '';
  for (const [k, v] of env) if (v !== undefined) text += `${k}: ${v}\n`;
  return `${text}\n`;
}

export { randomBytes, seededRandom } from '../src/testing/random.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves on the next emission of `event`. */
export function once<T = unknown>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise<T>((resolve) => emitter.once(event, (value: T) => resolve(value)));
}
