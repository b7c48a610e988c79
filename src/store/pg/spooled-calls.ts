/**
 * The call log of a cluster node (issue 22): rows go to PostgreSQL, and whenever PostgreSQL does not commit one in
 * time, to the node's spool (../../cluster/spool.ts, a file in its data folder) — so a decided call's row is durable
 * before its AGI session ends, also while PostgreSQL is away, and no call waits on it for longer than `waitMs`.
 *
 * Once a row has gone to the spool, the node takes PostgreSQL for away: the next rows go straight to the spool, and
 * every `retryMs` the spool is written to PostgreSQL; when it is empty, rows go to PostgreSQL again. Every row
 * carries a key (calls.log_key, unique): an INSERT that outlived its wait and committed after all, and the same row
 * from the spool, are kept once.
 *
 * Rows go to PostgreSQL in batches: at most INSERTS_IN_FLIGHT statements are on their way, and the rows decided
 * while they are go together in the next one (one multi-row INSERT … RETURNING). A lone call's row is sent at once;
 * when calls are decided faster than INSERTs commit (a burst), one statement and one commit serve many calls —
 * per-statement work (the round trip, parse and bind, the commit) is most of what a row costs the node and
 * PostgreSQL. Under a steady load (the bench's c=50 included) an INSERT mostly commits before the next call is
 * decided, and most rows go alone. Each call still learns its id only once its own row is committed.
 *
 * A row in the spool has no id yet: the call gets no CALLFILTER_CALL_ID (the dialplan contract allows that). The
 * node's own repeat-caller counts include it at once (RecentCalls); other nodes see it when it reaches PostgreSQL,
 * and `onWritten` hears its id then (the household's notifications and the live view, which waited for it).
 */
import type pg from 'pg';
import type { CallLogSpool, SpoolEntry } from '../../cluster/spool.js';
import type { Logger } from '../../logger.js';
import { FIELDS, INSERT_COLUMNS, toParams } from '../call-rows.js';
import type { Queued } from '../group-commit.js';
import type { NewCall } from '../types.js';
import type { RecentCalls } from './recent-calls.js';

/** A commit takes milliseconds; this long means PostgreSQL is away or swamped, and the spool is the better place. */
export const LOG_WAIT_MS = 500;
/** While PostgreSQL is away, the spool is tried this often. */
export const SPOOL_RETRY_MS = 1_000;
/** INSERTs of the call path on their way at once: one being committed while the next batch gathers, and a spare. */
export const INSERTS_IN_FLIGHT = 2;
/** Rows per INSERT at most (a statement is prepared per batch size a connection meets, so this bounds them too). */
export const MAX_BATCH_ROWS = 64;

const COLUMNS = FIELDS.length + 1; // and log_key
const ON_CONFLICT = 'ON CONFLICT (log_key) WHERE log_key IS NOT NULL';

/** `(…), (…)` with `$n` placeholders for `rows` rows of COLUMNS values. */
function valuesList(rows: number): string {
  return Array.from(
    { length: rows },
    (_, r) => `(${Array.from({ length: COLUMNS }, (_, c) => `$${r * COLUMNS + c + 1}`).join(', ')})`,
  ).join(', ');
}

/** The call path's INSERT of `rows` rows, named so that each connection parses and plans it once. */
const inserts = new Map<number, { name: string; text: string }>();
function insertOf(rows: number): { name: string; text: string } {
  let statement = inserts.get(rows);
  if (statement === undefined)
    inserts.set(
      rows,
      (statement = {
        name: `calls-insert-keyed-${rows}`,
        text: `INSERT INTO calls (${INSERT_COLUMNS}, log_key) VALUES ${valuesList(rows)} ${ON_CONFLICT} DO NOTHING RETURNING id, log_key`,
      }),
    );
  return statement;
}

function paramsOf(rows: readonly { call: NewCall; key: string }[]): unknown[] {
  const values: unknown[] = [];
  for (const { call, key } of rows) values.push(...toParams(call), key);
  return values;
}

/** A row waiting for its INSERT. */
interface Waiting {
  call: NewCall;
  key: string;
  resolve: (id: number | undefined) => void;
  reject: (err: unknown) => void;
}

export interface SpooledCallLogOptions {
  pool: pg.Pool;
  spool: CallLogSpool<NewCall>;
  recent: RecentCalls;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  waitMs?: number;
  retryMs?: number;
  /** The ids of spooled rows once they are in PostgreSQL (also of a row whose late INSERT got there first). */
  onWritten?: (ids: number[]) => void;
}

export interface CallLogState {
  /** Since when rows go to the spool (epoch ms); undefined while PostgreSQL takes them. */
  spoolingSince?: number;
  /** Rows waiting in the spool. */
  pending: number;
  /** Rows refused by a full spool since start. */
  dropped: number;
}

export class SpooledCallLog {
  private readonly options: Required<Pick<SpooledCallLogOptions, 'waitMs' | 'retryMs'>>;
  private spoolingSince: number | undefined;
  private readonly timer: NodeJS.Timeout;
  private draining: Promise<void> | undefined;
  /** Rows decided while INSERTS_IN_FLIGHT statements were on their way: the next batch. */
  private waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly parts: SpooledCallLogOptions) {
    this.options = { waitMs: parts.waitMs ?? LOG_WAIT_MS, retryMs: parts.retryMs ?? SPOOL_RETRY_MS };
    // Rows a previous run left in the spool are written first, as those of an outage are.
    if (parts.spool.stats().pendingRows > 0) this.spoolingSince = Date.now();
    this.timer = setInterval(() => void this.drain(), this.options.retryMs);
    this.timer.unref();
  }

  log(call: NewCall): Queued<number | undefined> {
    const key = this.parts.recent.newKey();
    if (this.spoolingSince !== undefined) {
      const kept = this.toSpool(call, key);
      return { committed: () => kept };
    }
    const written = this.insert(call, key).then(
      (id) => {
        this.parts.recent.add(key, call, id);
        return id;
      },
      (err: unknown) => {
        this.goSpooling(err);
        return this.toSpool(call, key);
      },
    );
    return { committed: () => written };
  }

  state(): CallLogState {
    const { pendingRows, dropped } = this.parts.spool.stats();
    return {
      ...(this.spoolingSince !== undefined && { spoolingSince: this.spoolingSince }),
      pending: pendingRows,
      dropped,
    };
  }

  /** Writes what waits in the spool; resolves when it is written or could not be (logged). */
  drain(): Promise<void> {
    if (this.spoolingSince === undefined) return Promise.resolve();
    this.draining ??= this.parts.spool
      .drain((entries) => this.insertMany(entries))
      .then(
        (written) => {
          if (this.parts.spool.stats().pendingRows > 0) return;
          this.parts.logger.info(
            { written, spoolingMs: Date.now() - (this.spoolingSince ?? Date.now()) },
            'PostgreSQL takes the call log again; the spooled rows are written',
          );
          this.spoolingSince = undefined;
        },
        (err: unknown) => this.parts.logger.warn({ err: String(err) }, 'the spooled call-log rows wait for PostgreSQL'),
      )
      .finally(() => {
        this.draining = undefined;
      });
    return this.draining;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.draining;
    this.parts.spool.close();
  }

  /**
   * The row's id once its batch is committed (undefined: the row was there already), or a rejection when the batch is
   * refused or not committed within waitMs (it may still commit later). A row queued behind a batch that fails is
   * rejected with it: PostgreSQL is taken for away, and the row is better in the spool than waiting its turn.
   */
  private insert(call: NewCall, key: string): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ call, key, resolve, reject });
      if (this.inFlight < INSERTS_IN_FLIGHT) this.sendBatch();
    });
  }

  private sendBatch(): void {
    const batch = this.waiting.splice(0, MAX_BATCH_ROWS);
    if (batch.length === 0) return;
    this.inFlight++;
    const query = this.parts.pool.query<{ id: number; log_key: string }>({
      ...insertOf(batch.length),
      values: paramsOf(batch),
    });
    query.catch(() => {}); // a late failure after the wait is the spool's business, not an unhandled rejection
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`PostgreSQL did not commit within ${this.options.waitMs} ms`)),
        this.options.waitMs,
      );
    });
    Promise.race([query, late])
      .then(
        (r) => {
          const ids = new Map(r.rows.map((row) => [row.log_key, row.id]));
          for (const w of batch) w.resolve(ids.get(w.key));
          this.inFlight--;
          this.sendBatch();
        },
        (err: unknown) => {
          for (const w of batch) w.reject(err);
          for (const w of this.waiting.splice(0)) w.reject(err);
          this.inFlight--;
        },
      )
      .finally(() => clearTimeout(timer));
  }

  private async toSpool(call: NewCall, key: string): Promise<undefined> {
    if (!this.parts.spool.append(call, key)) throw new Error('the call-log spool is full: the row is lost');
    this.parts.recent.add(key, call);
    return undefined;
  }

  private goSpooling(err: unknown): void {
    if (this.spoolingSince !== undefined) return;
    this.spoolingSince = Date.now();
    this.parts.logger.error(
      { err: String(err) },
      'PostgreSQL does not take the call log: calls are decided as before, their rows go to the spool',
    );
  }

  /**
   * One statement for the batch. A row already there (by key: its late INSERT committed after all) is kept as it is
   * — the no-op update only makes RETURNING give its id too, for `onWritten`: that call was not told its id either.
   */
  private async insertMany(entries: SpoolEntry<NewCall>[]): Promise<void> {
    // A key twice in one statement would make ON CONFLICT DO UPDATE fail; a row is in the spool once.
    const rows = [...new Map(entries.map(({ row, key }) => [key, { call: row, key }])).values()];
    const r = await this.parts.pool.query<{ id: number }>(
      `INSERT INTO calls (${INSERT_COLUMNS}, log_key) VALUES ${valuesList(rows.length)} ${ON_CONFLICT} DO UPDATE SET log_key = EXCLUDED.log_key RETURNING id`,
      paramsOf(rows),
    );
    this.parts.onWritten?.(r.rows.map((row) => row.id));
  }
}
