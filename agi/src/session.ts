import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { buildCommandLine } from './command-line.js';
import { type AgiEnvironment, type AgiRequest, EnvParser, toRequest } from './env.js';
import { EnvClock } from './env-clock.js';
import { AgiDeadChannelError, AgiError, AgiHangupError, AgiProtocolError, AgiTimeoutError } from './errors.js';
import {
  CLOSE_LINGER_MS,
  ENV_IDLE_MS,
  ENV_TIMEOUT_MS,
  MAX_ENV_BYTES,
  MAX_ENV_LINES,
  MAX_LINE_BYTES,
  MAX_SESSION_MS,
  REPLY_TIMEOUT_MS,
} from './limits.js';
import { LineReader } from './line-reader.js';
import { type AgiLogger, isPeerGone, noopLogger } from './logger.js';
import { type AgiReply, ReplyAssembler, type ReplyEvent } from './reply.js';
import { listenUntilClosed } from './stream-listeners.js';

/** Limits of one session; every default is a named constant in limits.ts with its reason. */
export interface AgiSessionOptions {
  logger?: AgiLogger;
  /** The environment block must be complete within this (ENV_TIMEOUT_MS). */
  envTimeoutMs?: number;
  /** ...and no byte of it may be further than this from the previous one, or from the connect; 0 disables it (ENV_IDLE_MS). */
  envIdleMs?: number;
  maxEnvBytes?: number;
  maxEnvLines?: number;
  /** Longest line accepted from Asterisk (MAX_LINE_BYTES). */
  maxLineBytes?: number;
  /** Per-command reply timeout; 0 disables it (REPLY_TIMEOUT_MS). */
  replyTimeoutMs?: number;
  /** Lifetime cap from connect; 0 disables it (MAX_SESSION_MS). */
  maxSessionMs?: number;
  /** How long to keep reading after our FIN before destroying the stream (CLOSE_LINGER_MS). */
  closeLingerMs?: number;
}

interface Pending {
  name: string;
  line: string;
  promise: Promise<AgiReply>;
  resolve: (reply: AgiReply) => void;
  reject: (err: unknown) => void;
}

type Phase = 'env' | 'ready' | 'closed';

const noop = (): void => {};

/**
 * One FastAGI conversation over any Duplex (a socket in production, an in-memory pair in tests).
 *
 * Events: 'hangup' (the first `HANGUP` line; `dead` is already true), 'close' (the stream is gone). Never 'error':
 * socket errors are logged and end the session, pending commands reject.
 */
export class AgiSession extends EventEmitter {
  /** Reads the environment block and resolves with a ready session; rejects (and drops the connection) on any violation. */
  static start(stream: Duplex, options: AgiSessionOptions = {}): Promise<AgiSession> {
    return new AgiSession(stream, options).started;
  }

  private readonly log: AgiLogger;
  private readonly reader: LineReader;
  private readonly envParser: EnvParser;
  private readonly replies = new ReplyAssembler();
  private readonly replyTimeoutMs: number;
  private readonly closeLingerMs: number;
  private readonly envClock: EnvClock;
  private readonly started: Promise<AgiSession>;
  private resolveStart: (session: AgiSession) => void = noop;
  private rejectStart: (err: unknown) => void = noop;
  private phase: Phase = 'env';
  private queue: Pending[] = [];
  private inflight: Pending | undefined;
  private writeBlocked = false;
  private hangupEmitted = false;
  private streamClosed = false;
  private closeEmitted = false;
  private _dead = false;
  private _env: AgiEnvironment | undefined;
  private _request: AgiRequest | undefined;
  private lifeTimer: NodeJS.Timeout | undefined;
  private replyTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly stream: Duplex,
    options: AgiSessionOptions,
  ) {
    super();
    this.log = options.logger ?? noopLogger;
    this.reader = new LineReader(options.maxLineBytes ?? MAX_LINE_BYTES);
    this.envParser = new EnvParser({
      maxBytes: options.maxEnvBytes ?? MAX_ENV_BYTES,
      maxLines: options.maxEnvLines ?? MAX_ENV_LINES,
    });
    this.replyTimeoutMs = options.replyTimeoutMs ?? REPLY_TIMEOUT_MS;
    this.closeLingerMs = options.closeLingerMs ?? CLOSE_LINGER_MS;
    this.started = new Promise<AgiSession>((resolve, reject) => {
      this.resolveStart = resolve;
      this.rejectStart = reject;
    });
    this.envClock = new EnvClock(options.envTimeoutMs ?? ENV_TIMEOUT_MS, options.envIdleMs ?? ENV_IDLE_MS, (err) =>
      this.fail(err, true),
    );
    const maxSessionMs = options.maxSessionMs ?? MAX_SESSION_MS;
    if (maxSessionMs > 0) {
      this.lifeTimer = setTimeout(
        () => this.fail(new AgiTimeoutError(`session outlived its ${maxSessionMs} ms cap`), false),
        maxSessionMs,
      ).unref();
    }
    listenUntilClosed(stream, {
      data: (chunk) => this.onData(chunk),
      end: () => this.onEnd(),
      error: (err) => this.onError(err),
      close: () => this.onStreamClose(),
    });
  }

  get env(): AgiEnvironment {
    if (!this._env) throw new AgiError('the environment has not been read yet');
    return this._env;
  }

  get request(): AgiRequest {
    if (!this._request) throw new AgiError('the environment has not been read yet');
    return this._request;
  }

  /** True once Asterisk sent `HANGUP` (or answered 511): the channel is gone, dead-safe commands still work. */
  get dead(): boolean {
    return this._dead;
  }

  /** True once the session ended (closed by us, by the peer, or by a violation); commands then reject. */
  get closed(): boolean {
    return this.phase === 'closed';
  }

  /**
   * Sends one command (strictly one in flight; later ones queue) with every argument quoted. Rejects before
   * anything is written with TypeError (CR/LF/NUL, bad command word) or RangeError (line over 2047 bytes); with
   * AgiUnknownCommandError / AgiDeadChannelError / AgiUsageError for 510 / 511 / 520; with AgiHangupError,
   * AgiTimeoutError or AgiProtocolError when the session ends first.
   */
  send(command: string, ...args: (string | number)[]): Promise<AgiReply> {
    let line: string;
    try {
      line = buildCommandLine(command, args);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.phase !== 'ready')
      return handled(Promise.reject(new AgiHangupError(`session closed; ${command} not sent`)));
    let resolve: (reply: AgiReply) => void = noop;
    let reject: (err: unknown) => void = noop;
    const promise = new Promise<AgiReply>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.queue.push({ name: command, line, promise, resolve, reject });
    this.pump();
    return promise;
  }

  setVariable(name: string, value: string): Promise<AgiReply> {
    return this.send('SET VARIABLE', name, value);
  }

  /** The variable's value, or undefined when it is not set (`200 result=0`). */
  async getVariable(name: string): Promise<string | undefined> {
    const reply = await this.send('GET VARIABLE', name);
    return reply.result === 1 ? (reply.data ?? '') : undefined;
  }

  /** GET FULL VARIABLE: evaluates an expression such as `${CALLERID(num)}`. */
  async getFullVariable(expression: string, channel?: string): Promise<string | undefined> {
    const reply = await (channel === undefined
      ? this.send('GET FULL VARIABLE', expression)
      : this.send('GET FULL VARIABLE', expression, channel));
    return reply.result === 1 ? (reply.data ?? '') : undefined;
  }

  /**
   * EXEC: res_agi.c passes only one argument string to the application, so `args` are joined with ','. Escape
   * commas inside an argument the way the application expects; the AGI quoting is done here.
   */
  exec(app: string, ...args: string[]): Promise<AgiReply> {
    return args.length === 0 ? this.send('EXEC', app) : this.send('EXEC', app, args.join(','));
  }

  verbose(message: string, level = 1): Promise<AgiReply> {
    return this.send('VERBOSE', message, level);
  }

  answer(): Promise<AgiReply> {
    return this.send('ANSWER');
  }

  hangup(channel?: string): Promise<AgiReply> {
    return channel === undefined ? this.send('HANGUP') : this.send('HANGUP', channel);
  }

  /** STREAM FILE; `escapeDigits` '' (sent as `""`) means no digit interrupts. */
  streamFile(file: string, escapeDigits = ''): Promise<AgiReply> {
    return this.send('STREAM FILE', file, escapeDigits);
  }

  noop(): Promise<AgiReply> {
    return this.send('NOOP');
  }

  /**
   * Ends the conversation: Asterisk continues the dialplan once the socket closes. Idempotent. Pending and
   * queued commands reject with AgiHangupError.
   */
  close(): void {
    this.shutdown(() => new AgiHangupError('session closed'), false);
  }

  private onData(chunk: Buffer | string): void {
    if (this.phase === 'env') this.envClock.byte();
    const { lines, error } = this.reader.push(chunk);
    for (const line of lines) this.onLine(line);
    if (error) this.fail(error, true);
  }

  private onLine(line: string): void {
    if (this.phase === 'closed') {
      // res_agi.c sends a last HANGUP when it sees our socket close (end of run_agi()); nothing else is expected.
      if (line === 'HANGUP') this._dead = true;
      return;
    }
    if (this.phase === 'env') {
      let complete: boolean;
      try {
        complete = this.envParser.push(line);
      } catch (err) {
        this.fail(err as AgiError, true);
        return;
      }
      if (complete) this.ready();
      return;
    }
    const event = this.replies.push(line);
    if (event) this.onReplyEvent(event);
  }

  private ready(): void {
    this.envClock.stop();
    this._env = this.envParser.environment();
    this._request = toRequest(this._env);
    this.phase = 'ready';
    this.log.debug(
      { path: this._request.path, channel: this._env.channel, uniqueid: this._env.uniqueid },
      'AGI session started',
    );
    this.resolveStart(this);
  }

  private onReplyEvent(event: ReplyEvent): void {
    if (event.type === 'hangup') {
      this._dead = true;
      if (!this.hangupEmitted) {
        this.hangupEmitted = true;
        this.log.debug('channel hung up (HANGUP)');
        this.safeEmit('hangup');
      }
      return;
    }
    if (event.type === 'garbage') {
      this.fail(event.error, true);
      return;
    }
    const cmd = this.inflight;
    if (!cmd) {
      const raw = event.type === 'reply' ? event.reply.raw : event.raw;
      this.fail(new AgiProtocolError(`reply without a command: ${JSON.stringify(raw.slice(0, 80))}`), true);
      return;
    }
    // The reply timer stays armed: pump() restarts it for the next command, and with none in flight it does nothing.
    this.inflight = undefined;
    if (event.type === 'reply') {
      cmd.resolve(event.reply);
    } else {
      if (event.error instanceof AgiDeadChannelError) this._dead = true;
      cmd.reject(event.error);
    }
    this.pump();
  }

  private pump(): void {
    if (this.phase !== 'ready' || this.inflight || this.writeBlocked) return;
    const cmd = this.queue.shift();
    if (!cmd) return;
    // Strictly one in flight: while a command runs, res_agi.c treats new input on the socket as a reason to stop it
    // early without a reply (handle_streamfile(): "don't print a result line, as there is a new command").
    // Marked in flight and timed before the write, since an in-memory peer may answer synchronously.
    this.inflight = cmd;
    // One timer per session, restarted per command (a new timer for each of a call's commands costs more).
    if (this.replyTimeoutMs > 0) {
      if (this.replyTimer) this.replyTimer.refresh();
      else this.replyTimer = setTimeout(() => this.replyTimedOut(), this.replyTimeoutMs).unref();
    }
    // Write errors arrive as 'error' too, which is where they are handled.
    const ok = this.stream.write(cmd.line, noop);
    if (!ok && this.phase === 'ready') {
      this.writeBlocked = true;
      this.stream.once('drain', () => {
        this.writeBlocked = false;
        this.pump();
      });
    }
  }

  private replyTimedOut(): void {
    const cmd = this.inflight;
    if (cmd && this.phase !== 'closed')
      this.fail(new AgiTimeoutError(`no reply to ${cmd.name} within ${this.replyTimeoutMs} ms`), false);
  }

  private onEnd(): void {
    if (this.phase === 'closed') return;
    this.log.debug('Asterisk closed the connection');
    const why =
      this.phase === 'env' ? 'connection closed before the environment was complete' : 'connection closed by Asterisk';
    this.shutdown(() => new AgiHangupError(why), false);
  }

  private onError(err: Error): void {
    if (isPeerGone(err)) this.log.debug({ err }, 'AGI connection reset');
    else this.log.warn({ err }, 'AGI connection error');
    this.shutdown(() => new AgiHangupError(`connection error: ${err.message}`, { cause: err }), true);
  }

  private onStreamClose(): void {
    this.streamClosed = true;
    clearTimeout(this.lingerTimer);
    this.shutdown(() => new AgiHangupError('connection closed'), false);
    if (!this.closeEmitted) {
      this.closeEmitted = true;
      this.safeEmit('close');
    }
  }

  /** A violation or timeout: logged, then the session ends with `err`. */
  private fail(err: AgiError, destroy: boolean): void {
    if (this.phase === 'closed') {
      if (destroy) this.stream.destroy();
      return;
    }
    this.log.warn({ err, phase: this.phase }, `AGI session aborted: ${err.message}`);
    this.shutdown(() => err, destroy);
  }

  /** Ends the session once. `reason` is called only when someone is waiting: errors capture a stack, which costs. */
  private shutdown(reason: () => AgiError, destroy: boolean): void {
    if (this.phase === 'closed') return;
    const wasEnv = this.phase === 'env';
    this.phase = 'closed';
    this.envClock.stop();
    clearTimeout(this.lifeTimer);
    clearTimeout(this.replyTimer);
    const inflight = this.inflight;
    const queued = this.queue;
    this.inflight = undefined;
    this.queue = [];
    // Marked handled: a command a handler fired without awaiting must not become an unhandled rejection at teardown.
    if (inflight || queued.length > 0 || wasEnv) {
      const err = reason();
      if (inflight) rejectHandled(inflight, err);
      for (const cmd of queued)
        rejectHandled(
          cmd,
          err instanceof AgiHangupError
            ? err
            : new AgiHangupError(`session ended (${err.message}); ${cmd.name} not sent`),
        );
      if (wasEnv) {
        handled(this.started);
        this.rejectStart(err);
      }
    }
    if (this.streamClosed || this.stream.destroyed) return;
    if (destroy) {
      this.stream.destroy();
      return;
    }
    if (!this.stream.writableEnded) this.stream.end();
    this.lingerTimer = setTimeout(() => this.stream.destroy(), this.closeLingerMs).unref();
  }

  private safeEmit(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (err) {
      this.log.error({ err }, `an AGI session '${event}' listener threw`);
    }
  }
}

function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(noop);
  return promise;
}

function rejectHandled(cmd: Pending, err: unknown): void {
  handled(cmd.promise);
  cmd.reject(err);
}
