/**
 * Errors that say what went wrong with the database, not just which SQLite code came back. Callers branch on
 * `code` (the AGI handler fails open on anything; the API maps `unique` to 409, `not-found` to 404, `busy` to 503).
 * SQLite result codes: https://www.sqlite.org/rescode.html — better-sqlite3 reports the extended code as a string
 * (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_IOERR_SHORT_READ`…), so the primary code is its prefix.
 */
import BetterSqlite3 from 'better-sqlite3';
import { type Coded, render } from '../messages/index.js';

export type StoreErrorCode =
  /** Another connection holds the write lock longer than busy_timeout. Retryable. */
  | 'busy'
  /** The disk (or the file system's quota) is full. */
  | 'full'
  /** Opened read-only, or the file / its directory / its -wal, -shm files are not writable. */
  | 'readonly'
  /** The file or its directory cannot be opened or created. */
  | 'cantopen'
  /** The file is damaged, or not an SQLite database at all. */
  | 'corrupt'
  /** An I/O error below SQLite (failing SD card, NFS hiccup). */
  | 'io'
  /** A UNIQUE constraint: the thing already exists. */
  | 'unique'
  /** A referenced row does not exist (e.g. an entry for a deleted contact). */
  | 'foreign-key'
  /** A CHECK or NOT NULL constraint: the value is not allowed (the constraint name says which). */
  | 'invalid'
  /** The Database was closed. */
  | 'closed'
  | 'not-found'
  /** Someone else changed the same thing meanwhile (e.g. a newer list import won). */
  | 'conflict'
  /** The schema is not what this build expects (too new, or not migrated). */
  | 'schema'
  | 'unknown';

export interface StoreErrorOptions {
  cause?: unknown;
  sqliteCode?: string;
  details?: Record<string, unknown>;
  /** What a client is told, as a message of the code table (messages/); the error's message is its English. */
  problem?: Coded;
}

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  /** The SQLite extended result code, when SQLite raised it. */
  readonly sqliteCode: string | undefined;
  /** Worth trying again later (only `busy`). */
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;
  readonly problem: Coded | undefined;

  constructor(code: StoreErrorCode, message: string, options: StoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.sqliteCode = options.sqliteCode;
    this.retryable = code === 'busy';
    this.details = options.details;
    this.problem = options.problem;
  }

  /** An error whose message a client may have to word: the English text is the problem's. */
  static of(code: StoreErrorCode, problem: Coded, options: Omit<StoreErrorOptions, 'problem'> = {}): StoreError {
    return new StoreError(code, render(problem), { ...options, problem });
  }
}

/** [our code, what to tell a person] per primary SQLite code. */
const MEANINGS: Record<string, [StoreErrorCode, string]> = {
  SQLITE_BUSY: ['busy', 'the database is busy (another process holds the write lock)'],
  SQLITE_LOCKED: ['busy', 'the database table is locked'],
  SQLITE_FULL: ['full', 'the disk is full'],
  SQLITE_READONLY: [
    'readonly',
    'the database is read-only (opened read-only, or the file or its directory is not writable)',
  ],
  SQLITE_CANTOPEN: ['cantopen', 'the database file cannot be opened'],
  SQLITE_CORRUPT: ['corrupt', 'the database file is damaged'],
  SQLITE_NOTADB: ['corrupt', 'the file is not an SQLite database'],
  SQLITE_IOERR: ['io', 'an I/O error occurred while accessing the database'],
  SQLITE_PERM: ['readonly', 'no permission to access the database'],
};

const CONSTRAINTS: Record<string, StoreErrorCode> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign-key',
  SQLITE_CONSTRAINT_CHECK: 'invalid',
  SQLITE_CONSTRAINT_NOTNULL: 'invalid',
};

function primaryCode(code: string): string {
  const match = /^SQLITE_[A-Z]+/.exec(code);
  return match ? match[0] : code;
}

/**
 * Turns what better-sqlite3 throws into a StoreError with a meaning; anything else (a bug, a TypeError from bad
 * arguments) is returned unchanged. `context` (e.g. the file name) is prefixed to the message.
 */
export function toStoreError(err: unknown, context?: string): unknown {
  if (err instanceof StoreError) return err;
  const prefix = context ? `${context}: ` : '';
  if (err instanceof BetterSqlite3.SqliteError) {
    const sqliteCode = err.code;
    const constraint = CONSTRAINTS[sqliteCode];
    if (constraint) return new StoreError(constraint, `${prefix}${err.message}`, { cause: err, sqliteCode });
    const meaning = MEANINGS[primaryCode(sqliteCode)];
    if (meaning)
      return new StoreError(meaning[0], `${prefix}${meaning[1]}: ${err.message}`, { cause: err, sqliteCode });
    return new StoreError('unknown', `${prefix}${err.message}`, { cause: err, sqliteCode });
  }
  // better-sqlite3 throws a TypeError for any use of a closed connection.
  if (err instanceof TypeError && /database connection is not open/i.test(err.message)) {
    return new StoreError('closed', `${prefix}the database is closed`, { cause: err });
  }
  return err;
}

function codeOf(err: unknown): StoreErrorCode | undefined {
  const translated = toStoreError(err);
  return translated instanceof StoreError ? translated.code : undefined;
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

/** SQLITE_BUSY / SQLITE_LOCKED, raw or translated. */
export function isBusy(err: unknown): boolean {
  return codeOf(err) === 'busy';
}

export function isUniqueViolation(err: unknown): boolean {
  return codeOf(err) === 'unique';
}

type AnyFunction = (...args: never[]) => unknown;

/**
 * Wraps every method of a repository so what escapes it is a StoreError (sync throws and async rejections alike).
 * One place instead of a try/catch in every method. `translate` is the engine's: SQLite's by default, PostgreSQL's
 * for its repositories (pg/errors.ts).
 */
export function withStoreErrors<T extends object>(
  repository: T,
  translate: (err: unknown) => unknown = toStoreError,
): T {
  const wrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(repository)) {
    wrapped[key] = typeof value === 'function' ? translating(value as AnyFunction, translate) : value;
  }
  return wrapped as T;
}

function translating(fn: AnyFunction, translate: (err: unknown) => unknown): AnyFunction {
  return (...args) => {
    let result: unknown;
    try {
      result = fn(...args);
    } catch (err) {
      throw translate(err);
    }
    if (result instanceof Promise) return result.catch((err: unknown) => Promise.reject(translate(err)));
    return result;
  };
}
