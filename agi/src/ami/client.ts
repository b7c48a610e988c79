import { EventEmitter } from 'node:events';
import net from 'node:net';
import { type AgiLogger, noopLogger } from '../logger.js';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { type AmiActionOptions, AmiConnection, type AmiConnectionOptions, type AmiLogin } from './connection.js';
import { AmiAuthError, AmiClosedError, type AmiError, AmiTimeoutError } from './errors.js';
import { CONNECT_TIMEOUT_MS, DEFAULT_AMI_PORT, KEEPALIVE_MS } from './limits.js';
import type { AmiFields, AmiMessage } from './message.js';

export interface AmiClientOptions extends AmiLogin {
  host: string;
  /** DEFAULT_AMI_PORT (5038). */
  port?: number;
  logger?: AgiLogger;
  /** A TCP connect that takes longer counts as a failed attempt (CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** Ping an idle connection this often and drop it when the Ping is not answered; 0 disables (KEEPALIVE_MS). */
  keepaliveMs?: number;
  /** Reconnect delays (limits.ts: 1 s doubling up to 60 s, ±20 %). */
  backoff?: Partial<BackoffOptions>;
  /** Timeouts and limits of each connection. */
  connection?: Omit<AmiConnectionOptions, 'logger'>;
  /** Random source of the backoff jitter (tests pass a fixed one). */
  random?: () => number;
}

/**
 * `idle` (not started) → `connecting` → `ready` (logged in) → `waiting` (for the next attempt after a lost or failed
 * connection) → `connecting` … ; `failed` when Asterisk refused the login (no retry); `closed` after close().
 */
export type AmiClientState = 'idle' | 'connecting' | 'ready' | 'waiting' | 'failed' | 'closed';

export interface AmiDisconnect {
  /** Why the connection ended or the attempt failed. */
  error: Error;
  /** When the next attempt starts. */
  retryInMs: number;
}

/**
 * Owns the TCP socket to Asterisk's manager interface and its lifecycle: connect, login, reconnect with exponential
 * backoff after a loss, keepalive Pings, close. A refused login is not retried (the secret will not change by
 * itself): the client goes to `failed` and says so once; start() tries again.
 *
 * Events: 'ready' ({ version }), 'event' (AmiMessage), 'disconnected' (AmiDisconnect), 'authFailed' (AmiAuthError),
 * 'closed'. Never 'error'. Events Asterisk raises while the client is disconnected are lost: AMI keeps no backlog
 * for a session that is gone.
 */
export class AmiClient extends EventEmitter {
  private readonly log: AgiLogger;
  private readonly port: number;
  private readonly connectTimeoutMs: number;
  private readonly keepaliveMs: number;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private _state: AmiClientState = 'idle';
  private _lastError: Error | undefined;
  private _version = '';
  private attempt = 0;
  private socket: net.Socket | undefined;
  private conn: AmiConnection | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private pingInFlight = false;
  private lastLogged = '';
  private closing: Promise<void> | undefined;

  constructor(private readonly options: AmiClientOptions) {
    super();
    this.log = options.logger ?? noopLogger;
    this.port = options.port ?? DEFAULT_AMI_PORT;
    this.connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.keepaliveMs = options.keepaliveMs ?? KEEPALIVE_MS;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.random = options.random ?? Math.random;
  }

  get state(): AmiClientState {
    return this._state;
  }

  /** Why the last connection or attempt ended; undefined while connected. */
  get lastError(): Error | undefined {
    return this._lastError;
  }

  /** The AMI version of the last banner. */
  get version(): string {
    return this._version;
  }

  /** Connects (in the background) and keeps the connection up. Idempotent; after `failed` it tries again. */
  start(): void {
    if (this._state !== 'idle' && this._state !== 'failed') return;
    this.attempt = 0;
    this.connect();
  }

  /** Sends an action on the current connection; rejects with AmiClosedError when there is none. */
  action(name: string, fields: AmiFields = {}, options: AmiActionOptions = {}): Promise<AmiMessage> {
    if (this._state !== 'ready' || !this.conn)
      return Promise.reject(new AmiClosedError(`not connected to Asterisk; ${name} not sent`));
    return this.conn.action(name, fields, options);
  }

  /** Logs off, stops reconnecting and resolves once the socket is closed. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private connect(): void {
    this._state = 'connecting';
    const socket = net.connect({ host: this.options.host, port: this.port, noDelay: true });
    this.socket = socket;
    const timer = setTimeout(
      () =>
        socket.destroy(
          new AmiTimeoutError(`TCP connect to ${this.where()} took longer than ${this.connectTimeoutMs} ms`),
        ),
      this.connectTimeoutMs,
    ).unref();
    const onConnectError = (err: Error): void => {
      clearTimeout(timer);
      if (this.socket === socket) this.socket = undefined;
      this.lost(err);
    };
    socket.once('error', onConnectError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onConnectError);
      if (this._state === 'closed') {
        socket.destroy();
        return;
      }
      // TCP keepalive too: it notices a dead peer even while the keepalive Ping is off.
      socket.setKeepAlive(true, this.keepaliveMs > 0 ? this.keepaliveMs : KEEPALIVE_MS);
      this.attach(socket);
    });
  }

  private attach(socket: net.Socket): void {
    const conn = new AmiConnection(
      socket,
      { username: this.options.username, secret: this.options.secret, events: this.options.events },
      { ...this.options.connection, logger: this.log },
    );
    this.conn = conn;
    conn.on('event', (message: AmiMessage) => this.safeEmit('event', message));
    conn.once('close', (reason: AmiError | undefined) => this.onConnectionClosed(conn, socket, reason));
    conn.ready.then(
      () => this.onReady(conn),
      () => {}, // the 'close' that follows says why
    );
  }

  private onReady(conn: AmiConnection): void {
    if (this.conn !== conn || this._state === 'closed') return;
    const recovered = this._lastError !== undefined;
    this._state = 'ready';
    this._version = conn.version;
    this._lastError = undefined;
    this.attempt = 0;
    this.lastLogged = '';
    this.log.info(
      { host: this.options.host, port: this.port, version: conn.version },
      recovered ? 'AMI connection restored' : 'AMI connected',
    );
    this.startKeepalive(conn);
    this.safeEmit('ready', { version: conn.version });
  }

  private onConnectionClosed(conn: AmiConnection, socket: net.Socket, reason: AmiError | undefined): void {
    if (this.socket === socket) this.socket = undefined;
    if (this.conn !== conn) return;
    this.conn = undefined;
    this.stopKeepalive();
    if (this._state === 'closed') return;
    const error = reason ?? new AmiClosedError('the AMI connection closed');
    if (error instanceof AmiAuthError) {
      this._state = 'failed';
      this._lastError = error;
      this.log.error(
        { host: this.options.host, port: this.port, username: this.options.username },
        `${error.message}; not retrying (check manager.conf's secret, permit and read = cdr)`,
      );
      this.safeEmit('authFailed', error);
      return;
    }
    this.lost(error);
  }

  /** A lost connection or a failed attempt: log (once per distinct reason), then wait and try again. */
  private lost(error: Error): void {
    if (this._state === 'closed' || this._state === 'failed') return;
    this._lastError = error;
    const retryInMs = backoffDelay(this.attempt, this.backoff, this.random);
    this.attempt += 1;
    this._state = 'waiting';
    const line = `AMI connection to ${this.where()} failed: ${error.message}`;
    if (line !== this.lastLogged)
      this.log.warn({ err: error, retryInMs }, `${line}; retrying in ${retryInMs} ms, then with growing delays`);
    else this.log.debug({ retryInMs, attempt: this.attempt }, `${line}; retrying in ${retryInMs} ms`);
    this.lastLogged = line;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this._state === 'waiting') this.connect();
    }, retryInMs).unref();
    this.safeEmit('disconnected', { error, retryInMs } satisfies AmiDisconnect);
  }

  private startKeepalive(conn: AmiConnection): void {
    if (this.keepaliveMs <= 0) return;
    this.keepaliveTimer = setInterval(() => {
      if (this.pingInFlight || this.conn !== conn) return;
      this.pingInFlight = true;
      conn.action('Ping').then(
        () => {
          this.pingInFlight = false;
        },
        (err: unknown) => {
          this.pingInFlight = false;
          if (err instanceof AmiTimeoutError && this.conn === conn) {
            conn.destroy(new AmiTimeoutError(`Asterisk did not answer the keepalive Ping (${err.message})`));
          }
        },
      );
    }, this.keepaliveMs).unref();
  }

  private stopKeepalive(): void {
    clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    this.pingInFlight = false;
  }

  private async shutdown(): Promise<void> {
    this._state = 'closed';
    clearTimeout(this.retryTimer);
    this.stopKeepalive();
    const socket = this.socket;
    const conn = this.conn;
    this.conn = undefined;
    if (socket && !socket.destroyed) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      if (conn) conn.close();
      else socket.destroy();
      await closed;
    }
    this.socket = undefined;
    this.log.debug({ host: this.options.host, port: this.port }, 'AMI client closed');
    this.safeEmit('closed');
  }

  private where(): string {
    return `${this.options.host}:${this.port}`;
  }

  private safeEmit(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (err) {
      this.log.error({ err }, `an AMI client '${event}' listener threw`);
    }
  }
}
