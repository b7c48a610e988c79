/** Small helpers shared by the repositories: paging, LIKE patterns, NULL ↔ optional, booleans, the clock. */
import type { Page, PageQuery } from './types.js';

/** A page larger than this is a mistake (or an export, which should stream); the API caps it too. */
export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

export interface RepositoryOptions {
  /** Epoch ms; injectable so tests control created_at / updated_at. */
  clock?: () => number;
}

export function pageLimit(query: PageQuery): number {
  const limit = query.limit ?? DEFAULT_PAGE;
  return Math.min(Math.max(1, Math.trunc(limit)), MAX_PAGE);
}

/** Rows were fetched with `limit + 1`: the extra row only says there is a next page. */
export function toPage<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return last ? { items, nextCursor: last.id } : { items };
}

/** `%term%` for `LIKE ? ESCAPE '\'`, with the user's `%`, `_` and `\` taken literally. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** WHERE conditions with `?` placeholders and their values, added one filter at a time (the lists' filters). */
export function conditions(...initial: string[]): {
  where: string[];
  params: unknown[];
  add(sql: string, ...values: unknown[]): void;
} {
  const where = [...initial];
  const params: unknown[] = [];
  return {
    where,
    params,
    add(sql, ...values) {
      where.push(sql);
      params.push(...values);
    },
  };
}

export const bool = (value: boolean | undefined): 0 | 1 => (value ? 1 : 0);

/** `undefined` → NULL for binding (better-sqlite3 rejects undefined). */
export const orNull = <T>(value: T | undefined | null): T | null => (value === undefined ? null : value);

/** Copies the non-NULL columns to `target` under their new names (keeps "absent" distinct from a value). */
export function setOptional<T extends object>(target: T, values: { [K in keyof T]?: T[K] | null }): T {
  for (const [key, value] of Object.entries(values)) {
    if (value !== null && value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
  return target;
}

/** A patch value: a missing key keeps `current`, `null` clears it. */
export function patched<T>(next: T | null | undefined, current: T | null): T | null {
  return next === undefined ? current : next;
}

/** Operations as they are, each returning a promise of what it returned. */
export type Promised<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K];
};

/**
 * A repository's synchronous operations, each returning a promise: a second engine (PostgreSQL) will sit behind the
 * same interface; SQLite answers at once. What throws comes back as a rejection. The synchronous operations stay
 * for the store's own transactions, whose body better-sqlite3 runs synchronously.
 */
export function promising<T extends object>(operations: T): Promised<T> {
  const wrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(operations)) {
    wrapped[key] =
      typeof value === 'function'
        ? async (...args: unknown[]) => (value as (...a: unknown[]) => unknown)(...args)
        : value;
  }
  return wrapped as Promised<T>;
}
