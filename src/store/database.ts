/**
 * The one owner of the better-sqlite3 handle (after atproto pds `src/db/db.ts`): pragmas and WAL at open, immediate
 * transactions, a statement cache, explicit SQLITE_BUSY handling, and an idempotent close. Repositories get this
 * object, never a raw handle of their own.
 */
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'pino';
import { type Checkpointer, type CheckpointerOptions, startCheckpointer } from './checkpointer.js';
import { isBusy, StoreError, toStoreError } from './errors.js';
import { ensurePrivateDir, ensurePrivateFile } from './file-modes.js';

/**
 * How long a write waits for another connection's lock before SQLITE_BUSY. Short on purpose: better-sqlite3 blocks
 * the event loop while it waits, and the service must answer every call within its 1 s decision deadline.
 * Readers never wait in WAL mode; only a second writing process (an import from the CLI) can make us wait.
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 250;
/** Page cache per connection: 16 MiB keeps the upper index levels of a million-row list hot, and fits a Pi. */
const CACHE_SIZE_KIB = 16 * 1024;
/** A big import grows the WAL to hundreds of MB; after a checkpoint SQLite truncates it back to this. */
const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
/**
 * Once a call-path write has waited out a whole busy_timeout (another process holds the lock: an import, a stuck
 * sqlite3 shell), later call-path writes try once without waiting — except one probe per BUSY_PROBE_MS that waits
 * the full busy_timeout — until one succeeds. better-sqlite3 waits synchronously, so without this ten calls arriving
 * during a long lock each block the event loop for busy_timeout (and again for their fail-open row), one after
 * the other: the last one waits seconds for an answer that should take milliseconds.
 */
export const BUSY_PROBE_MS = 1_000;
/** Retries for `retry()` (imports and other work that is not on the call path): waits 25, 50, 100, 200, 400 ms. */
const RETRY_ATTEMPTS = 6;
const RETRY_BASE_DELAY_MS = 25;

export interface OpenOptions {
  readonly?: boolean;
  busyTimeoutMs?: number;
  logger?: Logger;
}

export type Statement<P extends unknown[] = unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;

/** How the last call-path write (a call-log row, or a write probe) went: when (performance.now()), and its error. */
export interface WriteOutcome {
  at: number;
  error?: StoreError;
}

export class Database {
  /**
   * Opens (and creates, with its directory) the database file. `:memory:` works for unit tests. Pragmas:
   * - journal_mode=WAL: readers (the call path) never wait for a writer (an import), and vice versa.
   * - synchronous=NORMAL: in WAL mode a commit survives a process crash or kill -9; only a power loss or OS crash
   *   can lose the last commits (the database stays consistent). FULL would survive that too, at an fsync per
   *   logged call — too slow on an SD card for what it buys.
   * - foreign_keys=ON (SQLite's default is off, per connection), temp_store=MEMORY, a bounded cache and WAL size.
   */
  static open(file: string, options: OpenOptions = {}): Database {
    const readonly = options.readonly ?? false;
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const memory = file === ':memory:' || file === '';
    let handle: BetterSqlite3.Database | undefined;
    try {
      if (!memory && !readonly) {
        // Private from the start: the file, and the -wal and -shm SQLite creates with its mode (file-modes.ts).
        ensurePrivateDir(dirname(file));
        ensurePrivateFile(file);
      }
      handle = new BetterSqlite3(file, { readonly, fileMustExist: readonly, timeout: busyTimeoutMs });
      const db = new Database(handle, file, readonly, options.logger, busyTimeoutMs);
      db.applyPragmas(memory);
      return db;
    } catch (err) {
      handle?.close();
      throw openError(err, file);
    }
  }

  readonly file: string;
  readonly readonly: boolean;
  readonly logger: Logger | undefined;
  /** The raw handle, for repositories only (they live in this folder). */
  readonly handle: BetterSqlite3.Database;
  readonly busyTimeoutMs: number;
  private readonly statements = new Map<string, Statement>();
  private closed = false;
  /** Set while call-path writes find the database locked (see BUSY_PROBE_MS); when the last full wait started. */
  private lockedProbeAt: number | undefined;
  private lastWrite: WriteOutcome | undefined;
  private walCheckpointer: Checkpointer | undefined;
  /** better-sqlite3's transaction wrapper, made once: building one per call cost ~2.5 KB of garbage each time. */
  private readonly inTransaction: BetterSqlite3.Transaction<(fn: () => unknown) => unknown>;

  private constructor(
    handle: BetterSqlite3.Database,
    file: string,
    readonly: boolean,
    logger: Logger | undefined,
    busyTimeoutMs: number,
  ) {
    this.handle = handle;
    this.file = file;
    this.readonly = readonly;
    this.logger = logger;
    this.busyTimeoutMs = busyTimeoutMs;
    this.inTransaction = handle.transaction((fn: () => unknown) => fn());
  }

  private applyPragmas(memory: boolean): void {
    const h = this.handle;
    h.pragma('foreign_keys = ON');
    h.pragma('temp_store = MEMORY');
    h.pragma(`cache_size = -${CACHE_SIZE_KIB}`);
    if (this.readonly) return;
    const mode = h.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal' && !memory)
      this.logger?.warn({ file: this.file, mode }, 'could not switch the database to WAL mode');
    h.pragma('synchronous = NORMAL');
    h.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** The worker that checkpoints the WAL for this connection, once startCheckpointer() started one. */
  get checkpointer(): Checkpointer | undefined {
    return this.walCheckpointer;
  }

  /**
   * Hands WAL checkpoints to a worker thread (checkpointer.ts) — for the long-running service; a one-shot command
   * keeps SQLite's automatic checkpoint. Only for a file in WAL mode opened read-write; close() stops it.
   */
  startCheckpointer(options: CheckpointerOptions = {}): Checkpointer | undefined {
    const memory = this.file === ':memory:' || this.file === '';
    if (this.closed || this.readonly || memory || this.walCheckpointer) return this.walCheckpointer;
    if (this.pragma('journal_mode') !== 'wal') return undefined;
    this.walCheckpointer = startCheckpointer(this, options);
    return this.walCheckpointer;
  }

  /** A prepared statement, compiled once per SQL text and reused (statements are cheap to run, not to compile). */
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    let statement = this.statements.get(sql);
    if (!statement) {
      try {
        statement = this.handle.prepare(sql) as Statement;
      } catch (err) {
        throw toStoreError(err);
      }
      this.statements.set(sql, statement);
    }
    return statement as unknown as Statement<P, R>;
  }

  /** Runs SQL with no parameters and no result (migrations). */
  exec(sql: string): void {
    try {
      this.handle.exec(sql);
    } catch (err) {
      throw toStoreError(err);
    }
  }

  pragma(source: string): unknown {
    try {
      return this.handle.pragma(source, { simple: true });
    } catch (err) {
      throw toStoreError(err);
    }
  }

  /**
   * Runs `fn` in a BEGIN IMMEDIATE transaction: the write lock is taken up front, so a busy database fails at BEGIN
   * (after busy_timeout) instead of halfway through, and a read-then-write inside cannot hit SQLITE_BUSY_SNAPSHOT.
   * Nested calls become savepoints. `fn` must be synchronous. Throws StoreError (`busy` is retryable).
   */
  transaction<T>(fn: () => T): T {
    try {
      return this.inTransaction.immediate(fn) as T;
    } catch (err) {
      throw toStoreError(err);
    }
  }

  /**
   * Runs `fn`'s reads on one snapshot: a deferred BEGIN, so the WAL read lock is taken once for all of them instead
   * of once per statement (two fcntl calls each), and they all see the same state. `fn` must be synchronous and
   * should only read. Throws StoreError.
   */
  read<T>(fn: () => T): T {
    try {
      return this.inTransaction.deferred(fn) as T;
    } catch (err) {
      throw toStoreError(err);
    }
  }

  /**
   * For a write on the call path (the call-log row): `fn` runs with the full busy_timeout normally, but without
   * waiting while the database is known to be locked by someone else (BUSY_PROBE_MS). Throws StoreError.
   */
  callPathWrite<T>(fn: () => T): T {
    const now = performance.now();
    const locked = this.lockedProbeAt !== undefined;
    const probe = !locked || now - (this.lockedProbeAt ?? 0) >= BUSY_PROBE_MS;
    if (!probe) this.handle.pragma('busy_timeout = 0');
    try {
      const result = fn();
      if (locked) this.logger?.info('the database is writable again');
      this.lockedProbeAt = undefined;
      this.lastWrite = { at: performance.now() };
      return result;
    } catch (err) {
      if (isBusy(err) && probe) this.lockedProbeAt = now;
      const error = toStoreError(err);
      if (error instanceof StoreError) this.lastWrite = { at: performance.now(), error };
      throw error;
    } finally {
      if (!probe && this.handle.open) this.handle.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  /** How the last call-path write went (/healthz); undefined before the first one. */
  get lastCallPathWrite(): WriteOutcome | undefined {
    return this.lastWrite;
  }

  /**
   * Proves that a call-log row could be committed now, and leaves no trace: rewrites the schema version with its own
   * value in an IMMEDIATE transaction. That is a real commit (page 1 goes to the WAL, ~4 KB), so a read-only file,
   * a full disk or a failing write show up as they would for a call; the value cannot change meanwhile, as the
   * transaction holds the write lock. A call-path write: no waiting while another process holds the lock.
   */
  probeWrite(): void {
    this.callPathWrite(() =>
      this.transaction(() => {
        const version = Number(this.handle.pragma('user_version', { simple: true }));
        this.handle.pragma(`user_version = ${version}`);
      }),
    );
  }

  /**
   * For work off the call path (imports, cleanup): runs `fn`, and on SQLITE_BUSY waits (without blocking the event
   * loop, unlike busy_timeout) and tries again, up to RETRY_ATTEMPTS times. `fn` must be safe to repeat — a whole
   * transaction is.
   */
  async retry<T>(fn: () => T, what = 'database write'): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return fn();
      } catch (err) {
        if (!isBusy(err) || attempt >= RETRY_ATTEMPTS) throw toStoreError(err);
        const delay = RETRY_BASE_DELAY_MS * 2 ** (attempt - 1);
        this.logger?.warn({ attempt, delay, what }, 'database busy; retrying');
        await sleep(delay);
      }
    }
  }

  /**
   * Copies the WAL back into the database file now (PASSIVE: never waits for readers). Long jobs call this after
   * each of their transactions, so a call's log write does not find a big WAL and pay for the automatic
   * checkpoint (wal_autocheckpoint runs in whichever commit crosses 1000 pages). With the checkpointer running
   * the automatic one is only a backstop at 10,000 pages, but this still lets the next write restart the WAL
   * instead of growing it.
   */
  checkpoint(): void {
    if (this.readonly || this.closed) return;
    try {
      this.handle.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      // Harmless: the automatic checkpoint catches up later. Not thrown, so a caller never repeats a committed batch.
      this.logger?.warn({ err }, 'WAL checkpoint failed');
    }
  }

  /**
   * Closes the handle; later calls do nothing. Stops the checkpointer first (its connection closes before this one),
   * and runs `PRAGMA optimize`, as SQLite recommends.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.walCheckpointer?.stop();
    this.statements.clear();
    try {
      if (!this.readonly && this.handle.open) this.handle.pragma('optimize');
    } catch (err) {
      this.logger?.warn({ err }, 'PRAGMA optimize failed at close');
    } finally {
      this.handle.close();
    }
  }
}

function openError(err: unknown, file: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EEXIST') {
    return new StoreError('cantopen', `${file}: cannot create the database file or its directory (${code})`, {
      cause: err,
    });
  }
  return toStoreError(err, file);
}
