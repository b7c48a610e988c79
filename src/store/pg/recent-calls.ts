/**
 * A node's copy of the calls the repeat-caller rule counts (issue 22): the last minutes of the shared call log, so a
 * caller who tried node A and then node B is the same caller on both, and the call path never waits on the network
 * to count them. The node's own rows go in as they are logged; every other node's arrive by a poll once a second
 * (`pollMs`), so a count is at most that far behind.
 *
 * The poll reads by time, not by id: ids come from one sequence but are committed in any order, so "ids above the
 * last one seen" would skip a row committed late. It re-reads a few seconds back (`SLACK_MS`) and keeps the ids it
 * already has. It leaves out the node's own rows, which it holds from the moment they are logged: their keys carry
 * this process's tag (`newKey()`), so what a poll reads is the other nodes' calls, not six seconds of everything.
 * A row written long after its call (from a node's spool, after PostgreSQL was away) is not counted: the
 * repeat-caller rule is about the last minutes.
 *
 * The poll also finds what other nodes logged: `onOthers` hears those rows' ids (the web page's live view shows every
 * node's calls). The rows loaded at start are not news.
 *
 * How far back it keeps: the longest window asked for. A call that asks further back than what is loaded gets the
 * rows there are, and the next poll loads the rest.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../../logger.js';
import type { Action, Reason, RecentCall } from '../../policy/types.js';

/** A row committed this long after its call is still counted. */
export const SLACK_MS = 5_000;
export const POLL_MS = 1_000;
/** The default repeat window (policy/defaults.ts), loaded at start before any call asks. */
const INITIAL_WINDOW_MS = 5 * 60_000;

interface Row extends RecentCall {
  /** The row's log_key (every row a node logs has one), else its id: the same row read twice is kept once. */
  key: string;
  /** Undefined for a row that waits in this node's spool: it sorts as the newest of its millisecond. */
  id?: number;
  /** Null for a call without a number (withheld): held only so that the poll knows it, never counted. */
  caller: string | null;
}

export interface RecentCallsOptions {
  pool: pg.Pool;
  logger: Pick<Logger, 'warn' | 'info'>;
  clock?: () => number;
  pollMs?: number;
  /** How far back to load at start (default 5 minutes, the default repeat window). */
  windowMs?: number;
  /** The ids of rows another node logged, as each poll finds them. */
  onOthers?: (ids: number[]) => void;
}

export class RecentCalls {
  /** Per caller, oldest first. */
  private readonly byCaller = new Map<string, Row[]>();
  /** Every row held, in the order it came: pruned from the front. */
  private readonly arrived: Row[] = [];
  private readonly keys = new Set<string>();
  private readonly pool: pg.Pool;
  private readonly clock: () => number;
  private readonly logger: RecentCallsOptions['logger'];
  private readonly pollMs: number;
  private readonly onOthers: RecentCallsOptions['onOthers'];
  private windowMs: number;
  /** Rows from here on are loaded (epoch ms); undefined before the first read. */
  private loadedFrom: number | undefined;
  /** The last successful poll began here. */
  private polledAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  /** Begins the key of every row this process logs: unique to it, so its own rows can be told from the others'. */
  private readonly tag = `${randomUUID()}.`;
  private logged = 0;

  constructor(options: RecentCallsOptions) {
    this.pool = options.pool;
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger;
    this.pollMs = options.pollMs ?? POLL_MS;
    this.windowMs = options.windowMs ?? INITIAL_WINDOW_MS;
    this.onOthers = options.onOthers;
  }

  /** Loads the window and starts polling; rejects when PostgreSQL cannot be read (the caller decides what then). */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => {
      this.polling ??= this.poll()
        .catch((err: unknown) =>
          this.logger.warn({ err }, 'recent calls: cannot read the shared call log; counting what this node has'),
        )
        .finally(() => {
          this.polling = undefined;
        });
    }, this.pollMs);
    this.timer.unref();
  }

  /** The log_key for a row this node logs: the poll leaves rows with such keys out, as `add()` has them already. */
  newKey(): string {
    return `${this.tag}${++this.logged}`;
  }

  /** A row this node logged (`id` once PostgreSQL has it): counted at once, without waiting for the poll. */
  add(key: string, call: { caller?: string; at: number; action: Action; reason: Reason }, id?: number): void {
    const { at, action, reason } = call;
    this.put({ key, ...(id !== undefined && { id }), caller: call.caller ?? null, at, action, reason });
  }

  /** The caller's calls since `since`, newest first, at most `limit`: what SQL's `ORDER BY at DESC, id DESC` gives. */
  recent(caller: string, since: number, limit = 10): RecentCall[] {
    this.windowMs = Math.max(this.windowMs, this.clock() - since); // further back: the next poll loads the rest
    const rows = this.byCaller.get(caller);
    const out: RecentCall[] = [];
    for (let i = (rows?.length ?? 0) - 1; i >= 0 && out.length < limit; i--) {
      const r = rows?.[i] as Row;
      if (r.at < since) break;
      out.push({ at: r.at, action: r.action, reason: r.reason });
    }
    return out;
  }

  /** Rows held. */
  get size(): number {
    return this.keys.size;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.polling;
  }

  private async poll(): Promise<void> {
    const now = this.clock();
    const from = now - this.windowMs;
    if (this.loadedFrom === undefined || from < this.loadedFrom) {
      await this.read(from, this.loadedFrom ?? Number.MAX_SAFE_INTEGER);
      this.loadedFrom = from;
      this.polledAt ||= now;
    }
    const first = this.polledAt === now;
    // After an outage, no further back than the window: older rows would be pruned at once.
    const found = await this.read(Math.max(this.polledAt, from) - SLACK_MS, Number.MAX_SAFE_INTEGER, this.tag);
    this.polledAt = now;
    this.prune(from - SLACK_MS);
    if (!first && found.length > 0) this.onOthers?.(found);
  }

  /**
   * Puts the rows logged in [from, to), but those whose key begins with `leaveOut`; returns the ids of those it did
   * not have. Reading further back takes this node's rows too: those it held once were let go with the shorter window.
   */
  private async read(from: number, to: number, leaveOut = ''): Promise<number[]> {
    const r = await this.pool.query<Row>({
      name: leaveOut ? 'recent-calls-others' : 'recent-calls-all',
      text: `SELECT COALESCE(log_key, id::text) AS key, id, caller, at, action, reason FROM calls
       WHERE at >= $1 AND at < $2 ${leaveOut ? 'AND (log_key IS NULL OR NOT starts_with(log_key, $3))' : ''}
       ORDER BY at, id`,
      values: leaveOut ? [from, to, leaveOut] : [from, to],
    });
    const news: number[] = [];
    for (const row of r.rows) if (this.put(row) && row.id !== undefined) news.push(row.id);
    return news;
  }

  /** False when the row was held already. */
  private put(row: Row): boolean {
    if (this.keys.has(row.key)) return false;
    this.keys.add(row.key);
    this.arrived.push(row);
    if (row.caller === null) return true;
    let rows = this.byCaller.get(row.caller);
    if (!rows) this.byCaller.set(row.caller, (rows = []));
    // Oldest first; a row usually belongs last, so its place is looked for from the end.
    let i = rows.length;
    while (i > 0 && later(rows[i - 1] as Row, row)) i--;
    rows.splice(i, 0, row);
    return true;
  }

  /** Drops what came before `cutoff` from the front of the arrivals (a late straggler waits for its turn). */
  private prune(cutoff: number): void {
    let n = 0;
    while (n < this.arrived.length && (this.arrived[n] as Row).at < cutoff) {
      const row = this.arrived[n++] as Row;
      this.keys.delete(row.key);
      if (row.caller === null) continue;
      const rows = this.byCaller.get(row.caller) as Row[];
      rows.splice(rows.indexOf(row), 1);
      if (rows.length === 0) this.byCaller.delete(row.caller);
    }
    if (n > 0) this.arrived.splice(0, n);
  }
}

const later = (a: Row, b: Row) =>
  a.at > b.at || (a.at === b.at && (a.id ?? Number.POSITIVE_INFINITY) > (b.id ?? Number.POSITIVE_INFINITY));
