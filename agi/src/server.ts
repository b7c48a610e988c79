import { EventEmitter } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type AgiRequest, normalisePath } from './env.js';
import { AgiHangupError } from './errors.js';
import { CLOSE_GRACE_MS, MAX_CONNECTIONS } from './limits.js';
import { LogLimiter, type LogLimiterOptions } from './log-limit.js';
import { type AgiLogger, isPeerGone, LazyChildLogger, noopLogger } from './logger.js';
import { AgiSession, type AgiSessionOptions } from './session.js';

export type AgiHandler = (session: AgiSession) => Promise<void> | void;

export interface AgiServerOptions {
  logger?: AgiLogger;
  /** Connections served at once; more are dropped at once (MAX_CONNECTIONS). */
  maxConnections?: number;
  /**
   * Connections served at once from one peer address; more from it are dropped at once, so that a flood from one
   * address cannot take the slots of another. Unset: no cap but maxConnections.
   */
  maxPerAddress?: number;
  /** Called with the peer address of every connection; false drops it. */
  allow?: (remoteAddress: string) => boolean;
  /**
   * Called with the request (path, query, arguments) once the environment is read, before routing; false closes the
   * session without a word (no command is sent) and emits 'rejected' with reason 'unauthorized'. A throwing hook
   * counts as false.
   */
  authorize?: (request: AgiRequest, remoteAddress: string) => boolean;
  /** How long close() lets live sessions finish before destroying them (CLOSE_GRACE_MS). */
  closeGraceMs?: number;
  /** listen() backlog; Node's default is 511. */
  backlog?: number;
  session?: AgiSessionOptions;
  /** How many per-connection warn lines of a kind are written per window before they are only counted (log-limit.ts). */
  logLimit?: LogLimiterOptions;
}

export type AgiRejectReason = 'allow' | 'max-connections' | 'max-per-address' | 'closing' | 'unauthorized';

/**
 * Owns net.Server and the lifecycle: accepts, applies the allow hook and the connection caps, starts a session,
 * applies the authorize hook, routes on its request path, and closes the connection as soon as the handler is done
 * (Asterisk keeps the call in AGI() until the socket closes, res_agi.c run_agi()).
 *
 * Events: 'session' (session), 'rejected' ({ reason, remoteAddress }: dropped before a word was answered),
 * 'sessionError' (err, session?), 'unknownScript' (path, session). Never 'error'.
 */
export class AgiServer extends EventEmitter {
  private readonly log: AgiLogger;
  private readonly routes = new Map<string, AgiHandler>();
  private readonly live = new Set<Duplex>();
  /** Live connections per peer address; an address leaves the map with its last connection. */
  private readonly perAddress = new Map<string, number>();
  private readonly maxConnections: number;
  private readonly maxPerAddress: number;
  private readonly closeGraceMs: number;
  private readonly limiter: LogLimiter;
  private netServer: net.Server | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: AgiServerOptions = {}) {
    super();
    this.log = options.logger ?? noopLogger;
    this.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
    this.maxPerAddress = options.maxPerAddress ?? Number.POSITIVE_INFINITY;
    this.closeGraceMs = options.closeGraceMs ?? CLOSE_GRACE_MS;
    this.limiter = new LogLimiter(this.log, options.logLimit);
  }

  /** Connections currently open (environment being read, handler running, or closing). */
  get liveSessions(): number {
    return this.live.size;
  }

  /** Registers a handler for a script path; 'screen' and '/screen' are the same route. */
  route(path: string, handler: AgiHandler): this {
    this.routes.set(normalisePath(path), handler);
    return this;
  }

  /** Serves one connection. Production passes a socket, tests an in-memory Duplex. Never throws. */
  handle(stream: Duplex, remoteAddress = ''): void {
    const reason = this.closing ? 'closing' : this.rejectReason(remoteAddress);
    if (reason) {
      // Dropped before reading anything: Asterisk sees the socket close and continues the dialplan.
      stream.on('error', (err) => this.log.debug({ err, remoteAddress }, 'error on a rejected AGI connection'));
      stream.destroy();
      if (this.limiter.allow(`AGI connection rejected (${reason})`))
        this.log.warn({ remoteAddress, reason }, 'AGI connection rejected');
      this.safeEmit('rejected', { reason, remoteAddress });
      return;
    }
    this.live.add(stream);
    this.perAddress.set(remoteAddress, (this.perAddress.get(remoteAddress) ?? 0) + 1);
    stream.once('close', () => {
      this.live.delete(stream);
      const left = (this.perAddress.get(remoteAddress) ?? 1) - 1;
      if (left > 0) this.perAddress.set(remoteAddress, left);
      else this.perAddress.delete(remoteAddress);
    });
    // One warn line per bad connection is fine; one per connection of a flood is not (log-limit.ts).
    const log = this.limiter.wrap(new LazyChildLogger(this.log, { remoteAddress }), warnKind);
    AgiSession.start(stream, { ...this.options.session, logger: log })
      .then(
        (session) => this.serve(session, log, remoteAddress),
        (err: unknown) => {
          // The session has logged the violation (or the peer just went away) and dropped the connection.
          if (err instanceof AgiHangupError)
            log.debug({ err }, 'AGI connection ended before the environment was complete');
          this.safeEmit('sessionError', err);
        },
      )
      .catch((err: unknown) => log.error({ err }, 'AGI connection handling failed'));
  }

  /** Listens on TCP; resolves with the bound address (port 0 picks a free one). */
  listen(port: number, host?: string): Promise<AddressInfo> {
    if (this.netServer) return Promise.reject(new Error('AgiServer is already listening'));
    if (this.closing) return Promise.reject(new Error('AgiServer is closed'));
    const server = net.createServer({ noDelay: true });
    this.netServer = server;
    server.on('connection', (socket) => {
      socket.setNoDelay(true);
      this.handle(socket, socket.remoteAddress ?? '');
    });
    return new Promise<AddressInfo>((resolve, reject) => {
      const onListenError = (err: Error): void => {
        this.netServer = undefined;
        reject(err);
      };
      server.once('error', onListenError);
      server.listen({ port, host, backlog: this.options.backlog }, () => {
        server.off('error', onListenError);
        server.on('error', (err) => this.log.error({ err }, 'AGI server error'));
        this.log.info({ address: server.address() }, 'AGI server listening');
        resolve(server.address() as AddressInfo);
      });
    });
  }

  /**
   * Stops accepting, lets live sessions finish within closeGraceMs, then destroys the rest. Idempotent: every
   * call returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const server = this.netServer;
    const stopped = server?.listening
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : Promise.resolve();
    if (this.live.size > 0) {
      this.log.info(
        { liveSessions: this.live.size, graceMs: this.closeGraceMs },
        'AGI server closing; waiting for live sessions',
      );
      await this.allClosed(this.closeGraceMs);
    }
    if (this.live.size > 0) {
      this.log.warn(
        { liveSessions: this.live.size },
        'AGI server closing; destroying sessions that outlived the grace period',
      );
      for (const stream of this.live) stream.destroy();
      await this.allClosed(this.closeGraceMs);
    }
    await stopped;
    this.limiter.flush(true);
    this.log.info('AGI server closed');
  }

  /** Resolves when no connection is live, or after `ms`. */
  private allClosed(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const pending = [...this.live];
      let left = pending.length;
      if (left === 0) return resolve();
      const timer = setTimeout(resolve, ms).unref();
      for (const stream of pending) {
        const done = (): void => {
          left -= 1;
          if (left === 0) {
            clearTimeout(timer);
            resolve();
          }
        };
        if (stream.destroyed && !this.live.has(stream)) done();
        else stream.once('close', done);
      }
    });
  }

  private rejectReason(remoteAddress: string): 'allow' | 'max-connections' | 'max-per-address' | undefined {
    if (this.options.allow) {
      let allowed: boolean;
      try {
        allowed = this.options.allow(remoteAddress);
      } catch (err) {
        this.log.error({ err, remoteAddress }, 'AGI allow hook threw; rejecting the connection');
        allowed = false;
      }
      if (!allowed) return 'allow';
    }
    // The per-address cap first: when both are reached, the address that floods is the one to name.
    if ((this.perAddress.get(remoteAddress) ?? 0) >= this.maxPerAddress) return 'max-per-address';
    return this.live.size >= this.maxConnections ? 'max-connections' : undefined;
  }

  private authorized(session: AgiSession, remoteAddress: string): boolean {
    if (!this.options.authorize) return true;
    try {
      return this.options.authorize(session.request, remoteAddress);
    } catch (err) {
      this.log.error({ err, remoteAddress }, 'AGI authorize hook threw; closing the session');
      return false;
    }
  }

  private async serve(session: AgiSession, log: AgiLogger, remoteAddress: string): Promise<void> {
    if (!this.authorized(session, remoteAddress)) {
      // Closed without a command: Asterisk continues the dialplan as if the server had nothing to say.
      log.warn({ remoteAddress }, 'AGI session not authorized; closing unanswered');
      this.safeEmit('rejected', { reason: 'unauthorized', remoteAddress });
      session.close();
      return;
    }
    const { path } = session.request;
    const handler = this.routes.get(path);
    this.safeEmit('session', session);
    if (!handler) {
      // The URL without its query: a query may carry a key (agi://host/screen?key=…), which must not reach a log.
      log.warn({ path, request: session.env.request.split('?')[0] }, 'unknown AGI script; closing');
      this.safeEmit('unknownScript', path, session);
      session.close();
      return;
    }
    try {
      await handler(session);
    } catch (err) {
      if (isPeerGone(err) || (err instanceof AgiHangupError && session.closed))
        log.info({ err, path }, 'AGI handler stopped: the connection ended');
      else log.error({ err, path }, 'AGI handler failed');
      this.safeEmit('sessionError', err, session);
    } finally {
      session.close();
    }
  }

  private safeEmit(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (err) {
      this.log.error({ err }, `an AGI server '${event}' listener threw`);
    }
  }
}

/** The kind of a per-connection warn line: its message up to the first ':' plus the error's class, if any. */
function warnKind(obj: object | string, msg?: string): string {
  const text = typeof obj === 'string' ? obj : (msg ?? '');
  const err = typeof obj === 'object' ? (obj as { err?: unknown }).err : undefined;
  const head = text.split(':')[0] ?? text;
  return err instanceof Error ? `${head} (${err.name})` : head;
}
