/**
 * PostgreSQL's errors as the store's (../errors.ts): the same codes for the same causes as on SQLite, so callers
 * (routes, the CLI, the call path's fail-open) do not care which engine refused.
 */
import { StoreError, type StoreErrorCode, withStoreErrors } from '../errors.js';

/** SQLSTATE → code; by class where the whole class means one thing. */
const STATES: Record<string, StoreErrorCode> = {
  '23505': 'unique',
  '23503': 'foreign-key',
  '23514': 'invalid',
  '23502': 'invalid',
  '22P02': 'invalid', // a value of the wrong type (text where a number belongs)
  '40001': 'busy', // serialization failure: try again
  '40P01': 'busy', // deadlock detected: one side gave way
  '55P03': 'busy', // lock not available in time
  '53100': 'full', // disk full
  '58030': 'io',
};
const CLASSES: Record<string, StoreErrorCode> = { '08': 'io', '57': 'io', '53': 'full' };

export function toPostgresStoreError(err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const state = (err as { code?: unknown })?.code;
  if (typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state)) {
    const code = STATES[state] ?? CLASSES[state.slice(0, 2)] ?? 'unknown';
    return new StoreError(code, (err as Error).message, { cause: err, details: { sqlstate: state } });
  }
  // No SQLSTATE: the connection itself (refused, reset, timed out).
  if (
    err instanceof Error &&
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|not queryable|timeout/i.test(err.message)
  )
    return new StoreError('io', `PostgreSQL is not reachable: ${err.message}`, { cause: err });
  return err;
}

/** Every operation of a repository with PostgreSQL's errors turned into the store's. */
export function withPostgresErrors<T extends object>(repository: T): T {
  return withStoreErrors(repository, toPostgresStoreError);
}
