import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { type AgiLogger, isPeerGone, noopLogger } from '../logger.js';
import { listenUntilClosed } from '../stream-listeners.js';
import { AmiActionError, AmiAuthError, AmiClosedError, AmiError, AmiProtocolError, AmiTimeoutError } from './errors.js';
import {
  BANNER_TIMEOUT_MS,
  CLOSE_LINGER_MS,
  LOGIN_TIMEOUT_MS,
  MAX_PENDING_ACTIONS,
  REPLY_TIMEOUT_MS,
} from './limits.js';
import { type AmiFields, type AmiMessage, AmiParser, type AmiParserLimits, buildAction } from './message.js';

export interface AmiLogin {
  username: string;
  secret: string;
  /**
   * Login's `Events:` header, the event classes this session wants (`cdr`, `call,cdr`, `on`, `off`). Left out, the
   * session gets every class the user's `read =` allows (authenticate() keeps the mask when the header is empty).
   */
  events?: string;
}

/** Timeouts and limits of one connection; every default is a named constant in limits.ts with its reason. */
export interface AmiConnectionOptions {
  logger?: AgiLogger;
  bannerTimeoutMs?: number;
  loginTimeoutMs?: number;
  /** Default response timeout of action(). */
  replyTimeoutMs?: number;
  closeLingerMs?: number;
  maxPendingActions?: number;
  parser?: AmiParserLimits;
}

export interface AmiActionOptions {
  /** Response timeout of this action (default: the connection's replyTimeoutMs). */
  timeoutMs?: number;
}

interface Pending {
  name: string;
  resolve: (message: AmiMessage) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
}

type Phase = 'banner' | 'login' | 'ready' | 'closed';

const noop = (): void => {};
let connectionSeq = 0;

/**
 * One AMI session over any Duplex (a socket in production, an in-memory pair in tests): waits for the banner, logs
 * in, then correlates actions and responses by ActionID and emits events.
 *
 * Events: 'event' (AmiMessage — only once logged in), 'close' (the reason, an AmiError, or undefined after close()).
 * Never 'error': socket errors are logged and end the connection; pending actions reject with AmiClosedError.
 */
export class AmiConnection extends EventEmitter {
  /** `new AmiConnection(...).ready`, for callers that need no listener before the login completes. */
  static open(stream: Duplex, login: AmiLogin, options: AmiConnectionOptions = {}): Promise<AmiConnection> {
    return new AmiConnection(stream, login, options).ready;
  }

  /**
   * Resolves once Asterisk accepted the login; rejects (and drops the connection) with AmiAuthError,
   * AmiProtocolError, AmiTimeoutError or AmiClosedError. Events that arrive with the login response go to the
   * listeners attached before it resolves.
   */
  readonly ready: Promise<AmiConnection>;

  /** The AMI version of the banner (`Asterisk Call Manager/<version>`). */
  version = '';
  private readonly log: AgiLogger;
  private readonly parser: AmiParser;
  private readonly pending = new Map<string, Pending>();
  private readonly replyTimeoutMs: number;
  private readonly loginTimeoutMs: number;
  private readonly closeLingerMs: number;
  private readonly maxPending: number;
  private readonly idPrefix: string;
  private resolveOpen: (c: AmiConnection) => void = noop;
  private rejectOpen: (err: unknown) => void = noop;
  private phase: Phase = 'banner';
  private nextId = 0;
  private reason: AmiError | undefined;
  private closeEmitted = false;
  private bannerTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: Duplex,
    private readonly login: AmiLogin,
    options: AmiConnectionOptions = {},
  ) {
    super();
    this.log = options.logger ?? noopLogger;
    this.parser = new AmiParser(options.parser);
    this.replyTimeoutMs = options.replyTimeoutMs ?? REPLY_TIMEOUT_MS;
    this.closeLingerMs = options.closeLingerMs ?? CLOSE_LINGER_MS;
    this.maxPending = options.maxPendingActions ?? MAX_PENDING_ACTIONS;
    connectionSeq += 1;
    this.idPrefix = `cf${process.pid.toString(36)}-${connectionSeq.toString(36)}`;
    this.ready = new Promise<AmiConnection>((resolve, reject) => {
      this.resolveOpen = resolve;
      this.rejectOpen = reject;
    });
    this.ready.catch(noop); // whoever awaits `ready` sees the rejection; an unawaited one must not crash the process
    const bannerTimeoutMs = options.bannerTimeoutMs ?? BANNER_TIMEOUT_MS;
    this.bannerTimer = setTimeout(
      () => this.fail(new AmiTimeoutError(`no AMI banner within ${bannerTimeoutMs} ms`)),
      bannerTimeoutMs,
    ).unref();
    this.loginTimeoutMs = options.loginTimeoutMs ?? LOGIN_TIMEOUT_MS;
    listenUntilClosed(stream, {
      data: (chunk) => this.onData(chunk),
      end: () => this.shutdown(new AmiClosedError('Asterisk closed the connection'), false),
      error: (err) => this.onError(err),
      close: () => this.onStreamClose(),
    });
  }

  /** True once the connection ended; actions then reject with AmiClosedError. */
  get closed(): boolean {
    return this.phase === 'closed';
  }

  /**
   * Sends an action and resolves with its response (`Response: Success`, or whatever Asterisk answers other than
   * `Error`); `Response: Error` rejects with AmiActionError carrying Asterisk's `Message:`. Rejects before anything
   * is written with TypeError / RangeError for fields Asterisk could not parse (see buildAction()).
   */
  action(name: string, fields: AmiFields = {}, options: AmiActionOptions = {}): Promise<AmiMessage> {
    if (this.phase !== 'ready')
      return Promise.reject(new AmiClosedError(`not logged in to Asterisk; ${name} not sent`));
    return this.send(name, fields, options.timeoutMs ?? this.replyTimeoutMs);
  }

  /** Logs off (when logged in) and closes. Idempotent. Pending actions reject with AmiClosedError. */
  close(): void {
    if (this.phase === 'ready') this.stream.write(buildAction('Logoff'), noop);
    this.shutdown(undefined, false);
  }

  /** Drops the connection at once (a keepalive that got no answer). Idempotent. */
  destroy(reason: AmiError): void {
    this.shutdown(reason, true);
  }

  private send(name: string, fields: AmiFields, timeoutMs: number): Promise<AmiMessage> {
    return new Promise<AmiMessage>((resolve, reject) => this.write(name, fields, timeoutMs, resolve, reject));
  }

  /** Writes one action and files it under its ActionID; `resolve` / `reject` run synchronously with the response. */
  private write(
    name: string,
    fields: AmiFields,
    timeoutMs: number,
    resolve: Pending['resolve'],
    reject: (err: unknown) => void,
  ): void {
    if (this.pending.size >= this.maxPending) {
      reject(new AmiError(`${this.maxPending} AMI actions are waiting for a response already; ${name} not sent`));
      return;
    }
    this.nextId += 1;
    const id = `${this.idPrefix}-${this.nextId}`;
    let text: string;
    try {
      text = buildAction(name, fields, id);
    } catch (err) {
      reject(err);
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(id);
      reject(new AmiTimeoutError(`no response to ${name} within ${timeoutMs} ms`));
    }, timeoutMs).unref();
    this.pending.set(id, { name, resolve, reject, timer });
    // Write errors arrive as 'error' too, which is where they are handled.
    this.stream.write(text, noop);
  }

  private onData(chunk: Buffer | string): void {
    const { banner, messages, error } = this.parser.push(chunk);
    if (banner !== undefined && this.phase === 'banner') this.onBanner(banner);
    for (const message of messages) this.dispatch(message);
    if (error) this.fail(error);
  }

  private onBanner(version: string): void {
    clearTimeout(this.bannerTimer);
    this.version = version;
    this.phase = 'login';
    const fields: [string, string][] = [
      ['Username', this.login.username],
      ['Secret', this.login.secret],
    ];
    if (this.login.events !== undefined) fields.push(['Events', this.login.events]);
    // Handled synchronously: action_login() answers a refused login and closes at once, and the refusal must win
    // over the end of the stream that follows it.
    this.write(
      'Login',
      fields,
      this.loginTimeoutMs,
      () => this.onLoggedIn(),
      (err: unknown) => this.onLoginFailed(err),
    );
  }

  private onLoggedIn(): void {
    if (this.phase !== 'login') return;
    this.phase = 'ready';
    this.log.debug({ version: this.version, username: this.login.username }, 'AMI login accepted');
    this.resolveOpen(this);
  }

  private onLoginFailed(err: unknown): void {
    if (err instanceof AmiActionError) {
      // action_login() answers `Authentication failed` and ends the session (it returns -1).
      this.fail(
        new AmiAuthError(
          `Asterisk refused the AMI login as "${this.login.username}": ${err.asteriskMessage}`,
          err.asteriskMessage,
        ),
      );
    } else if (err instanceof AmiError) {
      this.fail(err);
    } else {
      this.fail(new AmiError('the AMI login could not be sent', { cause: err }));
    }
  }

  private dispatch(message: AmiMessage): void {
    if (message.event !== undefined) {
      // Asterisk sends no events to a session that has not logged in (process_events() needs authenticated).
      if (this.phase === 'ready') this.safeEmit('event', message);
      return;
    }
    if (message.response === undefined) {
      this.log.debug({ message: message.toObject() }, 'AMI message that is neither an event nor a response; ignored');
      return;
    }
    const id = message.actionId;
    const cmd = id === undefined ? undefined : this.pending.get(id);
    if (!cmd || id === undefined) {
      this.log.debug({ response: message.response, actionId: id }, 'AMI response to no action of ours; ignored');
      return;
    }
    this.pending.delete(id);
    clearTimeout(cmd.timer);
    if (message.response.toLowerCase() === 'error')
      cmd.reject(new AmiActionError(cmd.name, message.get('Message') ?? ''));
    else cmd.resolve(message);
  }

  private onError(err: Error): void {
    if (isPeerGone(err)) this.log.debug({ err }, 'AMI connection reset');
    else this.log.warn({ err }, 'AMI connection error');
    this.shutdown(new AmiClosedError(`AMI connection error: ${err.message}`, { cause: err }), true);
  }

  private onStreamClose(): void {
    clearTimeout(this.lingerTimer);
    this.shutdown(new AmiClosedError('the AMI connection closed'), false);
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    this.safeEmit('close', this.reason);
  }

  /** A violation, a refused login or a timeout: logged, then the connection is dropped. */
  private fail(err: AmiError): void {
    if (this.phase === 'closed') return;
    if (err instanceof AmiAuthError) this.log.error({ username: this.login.username }, err.message);
    else if (err instanceof AmiProtocolError) this.log.warn({ err }, `AMI connection dropped: ${err.message}`);
    this.shutdown(err, true);
  }

  /** Ends the connection once; `reason` undefined means close() was called. */
  private shutdown(reason: AmiError | undefined, destroy: boolean): void {
    if (this.phase === 'closed') return;
    const wasOpening = this.phase !== 'ready';
    this.phase = 'closed';
    this.reason = reason;
    clearTimeout(this.bannerTimer);
    const err = reason ?? new AmiClosedError('the AMI connection was closed');
    for (const cmd of this.pending.values()) {
      clearTimeout(cmd.timer);
      cmd.reject(err instanceof AmiAuthError ? new AmiClosedError(err.message) : err);
    }
    this.pending.clear();
    if (wasOpening) this.rejectOpen(err);
    if (this.stream.destroyed) return;
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
      this.log.error({ err }, `an AMI connection '${event}' listener threw`);
    }
  }
}
