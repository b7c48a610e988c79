/**
 * A PostgreSQL LISTEN on one channel that stays up: the change feed that keeps each node's in-memory copy of what
 * screening reads fresh (issue 22).
 *
 * A notification is only delivered to sessions listening at the moment it is sent, so whenever the connection was
 * lost, changes may have been missed: after every connect (the first included) the feed LISTENs first and then calls
 * `onReload`, and the caller reloads everything. In that order nothing falls between the reload's snapshot and the
 * first notification.
 *
 * A connection can also die silently (a host that vanished sends no FIN): a `SELECT 1` every healthCheckMs, with a
 * deadline, finds that out; TCP keepalive is on as well.
 */
import { type BackoffOptions, backoffDelay } from 'asterisk-agi/ami';
import pg from 'pg';
import type { Logger } from '../../logger.js';

export type ChangeFeedState = 'idle' | 'connecting' | 'listening' | 'waiting' | 'closed';

export interface ChangeFeedOptions {
  /** `postgres://…` */
  connectionString: string;
  channel: string;
  /** A notification on the channel: its payload ('' when none). Exceptions are logged, never thrown back. */
  onNotify(payload: string): void;
  /**
   * LISTEN is in place after a connect: reload everything (`reconnected`: notifications may have been missed while
   * the connection was down). A rejection is logged; the feed stays up.
   */
  onReload(reason: 'connected' | 'reconnected'): void | Promise<void>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  backoff?: BackoffOptions;
  healthCheckMs?: number;
  healthTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Shown in pg_stat_activity, so an operator (or a test) can tell the feed's session apart. */
  applicationName?: string;
}

/** Reconnects start fast (a restart of PostgreSQL takes seconds) and settle at once per 30 s during an outage. */
const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 30_000, factor: 2, jitter: 0.2 };
/** A dead connection is noticed within about this plus HEALTH_TIMEOUT_MS. */
const HEALTH_CHECK_MS = 10_000;
/** `SELECT 1` on a healthy server answers in well under a millisecond; seconds mean the connection is gone. */
const HEALTH_TIMEOUT_MS = 5_000;
/** An unreachable host should not hold a connect attempt for minutes (the OS default). */
const CONNECT_TIMEOUT_MS = 5_000;
/** How long close() waits for a polite goodbye before it lets the connection go. */
const CLOSE_TIMEOUT_MS = 2_000;

export class ChangeFeed {
  private readonly options: ChangeFeedOptions;
  private client: pg.Client | undefined;
  private stateNow: ChangeFeedState = 'idle';
  private attempt = 0;
  private everListened = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;

  constructor(options: ChangeFeedOptions) {
    this.options = options;
  }

  get state(): ChangeFeedState {
    return this.stateNow;
  }

  /** A getter, so TypeScript does not narrow it away across the awaits in connect(). */
  private get closed(): boolean {
    return this.stateNow === 'closed';
  }

  /** Connects in the background and keeps listening until close(). Idempotent. */
  start(): void {
    if (this.stateNow !== 'idle') return;
    void this.connect();
  }

  /** Stops listening and reconnecting; resolves when the connection is closed. Idempotent. */
  async close(): Promise<void> {
    if (this.stateNow === 'closed') return;
    this.stateNow = 'closed';
    clearTimeout(this.retryTimer);
    clearInterval(this.healthTimer);
    const client = this.client;
    this.client = undefined;
    if (client) await endQuietly(client);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.stateNow = 'connecting';
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      keepAlive: true,
      application_name: this.options.applicationName ?? 'callfilter-change-feed',
    });
    this.client = client;
    // Both can come at any time after connect(); before it, connect() rejects instead.
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (message) => {
      if (message.channel !== this.options.channel || this.client !== client) return;
      try {
        this.options.onNotify(message.payload ?? '');
      } catch (err) {
        this.options.logger.error({ err, channel: message.channel }, 'change feed: notification handler failed');
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.options.channel)}`);
    } catch (err) {
      this.lost(client, err as Error);
      return;
    }
    if (this.client !== client || this.closed) return;
    const reason = this.everListened ? 'reconnected' : 'connected';
    if (this.everListened)
      this.options.logger.info(
        { channel: this.options.channel, attempts: this.attempt },
        'change feed: listening again',
      );
    this.everListened = true;
    this.attempt = 0;
    this.stateNow = 'listening';
    this.watch(client);
    try {
      await this.options.onReload(reason);
    } catch (err) {
      this.options.logger.error({ err, reason }, 'change feed: reload failed');
    }
  }

  /** The connection `client` failed or ended: drop it and try again after the backoff. */
  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    clearInterval(this.healthTimer);
    client.removeAllListeners('notification');
    void endQuietly(client);
    const delayMs = backoffDelay(this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF);
    this.options.logger.warn(
      { err: err.message, retryInMs: delayMs, attempt: this.attempt },
      'change feed: connection lost, changes may be missed until it is back',
    );
    this.stateNow = 'waiting';
    this.retryTimer = setTimeout(() => void this.connect(), delayMs);
    this.retryTimer.unref();
  }

  private watch(client: pg.Client): void {
    const timeoutMs = this.options.healthTimeoutMs ?? HEALTH_TIMEOUT_MS;
    let inFlight = false;
    this.healthTimer = setInterval(() => {
      // One check at a time: a slow answer is the next check's business only once it has its verdict.
      if (inFlight) return;
      inFlight = true;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer to the health check within ${timeoutMs} ms`)), timeoutMs);
      });
      Promise.race([client.query('SELECT 1'), deadline])
        .catch((err: Error) => this.lost(client, err))
        .finally(() => {
          clearTimeout(timer);
          inFlight = false;
        });
    }, this.options.healthCheckMs ?? HEALTH_CHECK_MS);
    this.healthTimer.unref();
  }
}

/** end() resolves once the server saw the goodbye; a dead socket never answers, so it gets a deadline. */
async function endQuietly(client: pg.Client): Promise<void> {
  client.on('error', () => {}); // a late socket error on a connection we gave up on
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => {}),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
}
