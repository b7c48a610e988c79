/**
 * A fake Asterisk for tests: it dials a FastAGI server (over TCP, or over one end of an in-memory pair) and
 * behaves like res_agi.c — environment block line by line, quoted arguments parsed by a port of parse_args(),
 * 510/511/520 answers, `HANGUP` when the channel goes away and once more after the server closes.
 *
 * Not for production use; exported as `asterisk-agi/testing`.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { type FakeChannel, runCommand } from './fake-commands.js';
import { parseArgs } from './parse-args.js';

export { type BlackHole, startBlackHole } from './black-hole.js';
export { duplexPair } from './duplex-pair.js';
export { type HagiAttempt, type HagiCallOptions, type HagiCallResult, hagiCall, type SrvResolver } from './hagi.js';
export { MAX_ARGS, parseArgs } from './parse-args.js';
export { randomBytes, seededRandom } from './random.js';
export { orderSrv, type SrvRecord } from './srv-order.js';

export interface FakeCallOptions {
  /**
   * Environment overrides, keys with or without the `agi_` prefix (`callerid` and `agi_callerid` are the same).
   * A known key keeps its place in the block, an unknown one is added after the defaults; `undefined` leaves
   * the key out. Defaults are realistic values for an inbound PJSIP call.
   */
  env?: Partial<Record<string, string>>;
  /** The script part of the AGI URL, query allowed: 'screen' or 'screen?x=1'. Default '' (no agi_network_script). */
  script?: string;
  /** The AGI() arguments after the URL: agi_arg_1 … agi_arg_N. */
  args?: string[];
  /** Write the environment one byte per write instead of one line per write. */
  byteByByte?: boolean;
  /** Drop the connection halfway through the environment block (the caller was gone before AGI started). */
  hangupBeforeEnv?: boolean;
  /** Send `HANGUP` after answering this many commands (0: right after the environment); the channel is dead after. */
  hangupAfterCommands?: number;
  /** Channel variables that GET VARIABLE finds (SET VARIABLE adds to them). */
  variables?: Record<string, string>;
  /** Give up (destroy the connection) when the server has not closed within this. Default 10 s. */
  timeoutMs?: number;
}

export interface FakeCallResult {
  /** Every SET VARIABLE, last value per name. */
  variables: Record<string, string>;
  /** The raw command lines received, without `\n`. */
  commands: string[];
  /** Every line the fake wrote after the environment, without `\n` (replies and HANGUPs). */
  replies: string[];
  /** The server closed (or reset) the connection before the fake ended its side: the normal end of a FastAGI call. */
  closedByServer: boolean;
  /** The fake gave up after timeoutMs. */
  timedOut: boolean;
  /** The channel hung up during the call (hangupBeforeEnv, hangupAfterCommands or a HANGUP command). */
  hungUp: boolean;
  /** What Asterisk would set AGISTATUS to: FAILURE when the connection failed, HANGUP after a hangup. */
  agiStatus: 'SUCCESS' | 'FAILURE' | 'HANGUP';
  durationMs: number;
  /** The connect error when agiStatus is FAILURE. */
  error?: Error;
}

/** res_agi.c's MAX_AGI_CONNECT: Asterisk gives up connecting after 2 s (AGISTATUS=FAILURE). */
const CONNECT_TIMEOUT_MS = 2_000;
const DEFAULT_TIMEOUT_MS = 10_000;
/** run_agi() reads commands with fgets() into a 2048-byte buffer: longer lines arrive as several commands. */
const AGI_BUF_LEN = 2048;

let callSeq = 0;

/** The block launch_netscript() + setup_env() send, in their order. */
function environmentLines(request: string, options: FakeCallOptions): string[] {
  callSeq += 1;
  const script = options.script ?? '';
  const defaults: [string, string | undefined][] = [
    ['agi_network', 'yes'],
    ['agi_network_script', script === '' ? undefined : script],
    ['agi_request', request],
    ['agi_channel', `PJSIP/trunk-${callSeq.toString(16).padStart(8, '0')}`],
    ['agi_language', 'de'],
    ['agi_type', 'PJSIP'],
    ['agi_uniqueid', `1700000000.${callSeq}`],
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
    ...(options.args ?? []).map((arg, i): [string, string] => [`agi_arg_${i + 1}`, arg]),
  ];
  const entries = new Map(defaults);
  for (const [key, value] of Object.entries(options.env ?? {})) {
    entries.set(key.startsWith('agi_') ? key : `agi_${key}`, value);
  }
  const lines: string[] = [];
  for (const [key, value] of entries) if (value !== undefined) lines.push(`${key}: ${value}\n`);
  lines.push('\n');
  return lines;
}

/** Where a fake call connects over TCP; `localAddress` binds our end (127.0.0.2 is another host to the server). */
export interface FakeCallTarget {
  port: number;
  host?: string;
  localAddress?: string;
}

/**
 * Plays one call against a FastAGI server: `{ port, host?, localAddress? }` connects over TCP, a Duplex is used as
 * the Asterisk end of a connection (see duplexPair()). Resolves when the connection is closed; never rejects —
 * a failed connect resolves with agiStatus 'FAILURE', as Asterisk would carry on with the dialplan.
 */
export async function fakeCall(
  target: FakeCallTarget | Duplex,
  options: FakeCallOptions = {},
): Promise<FakeCallResult> {
  const started = performance.now();
  if (isDuplex(target)) return runCall(target, 'agi://127.0.0.1:4573', options, started);
  const host = target.host ?? '127.0.0.1';
  try {
    const socket = await connect(target.port, host, target.localAddress);
    return await runCall(socket, `agi://${host}:${target.port}`, options, started);
  } catch (err) {
    return failedCall(err instanceof Error ? err : new Error(String(err)), started);
  }
}

/** A call that never reached a server: Asterisk's AGISTATUS=FAILURE, nothing sent or heard. */
export function failedCall(error: Error, started: number): FakeCallResult {
  return {
    variables: {},
    commands: [],
    replies: [],
    closedByServer: false,
    timedOut: false,
    hungUp: false,
    agiStatus: 'FAILURE',
    durationMs: performance.now() - started,
    error,
  };
}

/**
 * Plays one call on a connection made elsewhere (./hagi.ts picks the node): `baseUrl` is the request without the
 * script, as agi_request shows it; `started` is when the caller began (failed connects count into durationMs).
 */
export function fakeCallOn(
  conn: Duplex,
  baseUrl: string,
  options: FakeCallOptions = {},
  started = performance.now(),
): Promise<FakeCallResult> {
  return runCall(conn, baseUrl, options, started);
}

function isDuplex(target: unknown): target is Duplex {
  return typeof (target as Duplex).write === 'function' && typeof (target as Duplex).on === 'function';
}

function connect(port: number, host: string, localAddress: string | undefined): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      port,
      host,
      allowHalfOpen: true,
      noDelay: true,
      ...(localAddress !== undefined && { localAddress }),
    });
    const timer = setTimeout(
      () => socket.destroy(new Error(`connect to ${host}:${port} timed out`)),
      CONNECT_TIMEOUT_MS,
    );
    const onError = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

function runCall(conn: Duplex, baseUrl: string, options: FakeCallOptions, started: number): Promise<FakeCallResult> {
  const script = options.script ?? '';
  const request = script === '' ? baseUrl : `${baseUrl}/${script}`;
  const channel: FakeChannel = {
    variables: new Map(Object.entries(options.variables ?? {})),
    set: {},
    hangupRequested: false,
  };
  const commands: string[] = [];
  const replies: string[] = [];
  let dead = false;
  let hungUp = false;
  let hungUpFirst = false;
  let closedByServer = false;
  let timedOut = false;
  let answered = 0;
  let pending: Buffer = Buffer.alloc(0);
  let chain = Promise.resolve();

  // Writes go out strictly in order; errors (the server already gone) are swallowed, like ast_agi_send()'s.
  const write = (data: string | Buffer): Promise<void> =>
    new Promise((resolve) => {
      if (conn.destroyed || conn.writableEnded) return resolve();
      conn.write(data, () => resolve());
    });
  const enqueue = (task: () => Promise<void>): void => {
    chain = chain.then(task, task);
  };
  const reply = (pieces: string[]): void => {
    for (const piece of pieces) {
      replies.push(...piece.replace(/\n$/, '').split('\n'));
      enqueue(() => write(piece));
    }
  };
  const hangUp = (): void => {
    dead = true;
    hungUp = true;
    reply(['HANGUP\n']);
  };

  const onCommand = (line: string): void => {
    commands.push(line);
    // Replies queue behind the environment writes, so a server that speaks early is answered after the block.
    reply(runCommand(parseArgs(line), dead, channel));
    answered += 1;
    if (channel.hangupRequested && !dead) hangUp();
    if (!dead && options.hangupAfterCommands !== undefined && answered >= options.hangupAfterCommands) hangUp();
  };

  conn.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      const lf = pending.indexOf(0x0a);
      // fgets() stops at AGI_BUF_LEN - 1 bytes even without a newline: the rest becomes the next command.
      if (lf === -1 && pending.length < AGI_BUF_LEN - 1) break;
      const cut = lf === -1 || lf + 1 > AGI_BUF_LEN - 1 ? AGI_BUF_LEN - 1 : lf + 1;
      const raw = pending.subarray(0, cut);
      pending = pending.subarray(cut);
      onCommand(raw.toString('utf8').replace(/\n$/, ''));
    }
  });
  conn.on('error', () => {}); // EPIPE / ECONNRESET after the server is gone: expected, and reported by the result

  return new Promise<FakeCallResult>((resolve) => {
    const timer = setTimeout(() => {
      timedOut = true;
      conn.destroy();
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    conn.on('end', () => {
      // run_agi() sees end of file, then sends a last HANGUP (AGISIGHUP defaults to yes) and closes.
      reply(['HANGUP\n']);
      enqueue(async () => {
        if (!conn.destroyed && !conn.writableEnded) conn.end();
      });
    });
    conn.once('close', () => {
      clearTimeout(timer);
      // Ended by a FIN or a reset from the server, not by the fake giving up or hanging up first.
      closedByServer = !hungUpFirst && !timedOut;
      resolve({
        variables: { ...channel.set },
        commands,
        replies,
        closedByServer,
        timedOut,
        hungUp,
        agiStatus: hungUp ? 'HANGUP' : 'SUCCESS',
        durationMs: performance.now() - started,
      });
    });
    enqueue(() => sendEnvironment(conn, environmentLines(request, options), options, write));
    enqueue(async () => {
      if (options.hangupBeforeEnv) {
        hungUp = true;
        hungUpFirst = true;
        if (!conn.destroyed && !conn.writableEnded) conn.end();
        return;
      }
      if (options.hangupAfterCommands === 0 && !dead) hangUp();
    });
  });
}

async function sendEnvironment(
  conn: Duplex,
  lines: string[],
  options: FakeCallOptions,
  write: (data: string | Buffer) => Promise<void>,
): Promise<void> {
  // hangupBeforeEnv: the connection drops after a few lines of the block.
  const send = options.hangupBeforeEnv ? lines.slice(0, 3) : lines;
  let last: Promise<void> = Promise.resolve();
  for (const line of send) {
    if (conn.destroyed || conn.writableEnded) return;
    if (!options.byteByByte) {
      last = write(line); // setup_env(): one ast_agi_send() per line, each its own write
      continue;
    }
    for (const byte of Buffer.from(line, 'utf8')) {
      await write(Buffer.of(byte));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  await last;
}
