/** Test helpers: a real database file in a fresh temp dir, closed and removed when the test ends. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { ensureDatabase } from '../../bench/build-db.js';
import type { DatasetSize } from '../../bench/dataset.js';
import { type NewCall, type OpenStoreOptions, openStore, type SqliteStore, type Store } from '../../src/store/index.js';

/** A temp dir removed after the test, after every store opened in it is closed. */
export function tempDir(): { dir: string; track: (close: () => void) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'callfilter-store-'));
  const closers: (() => void)[] = [];
  onTestFinished(() => {
    for (const close of closers.reverse()) close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, track: (close) => closers.push(close) };
}

export interface TempStore {
  store: SqliteStore;
  file: string;
  dir: string;
  /** Opens the same file again (another connection, or after close), also closed at the end of the test. */
  reopen(options?: OpenStoreOptions): SqliteStore;
}

export function tempStore(options: OpenStoreOptions = {}): TempStore {
  const { dir, track } = tempDir();
  const file = join(dir, 'data', 'callfilter.db');
  const open = (o: OpenStoreOptions) => {
    const store = openStore(file, o);
    track(() => store.db.close());
    return store;
  };
  return { store: open(options), file, dir, reopen: (o = options) => open(o) };
}

/** Call-log row number `n` (its own caller and time), as the /screen handler writes one for an unknown caller. */
export function newCall(n: number, overrides: Partial<NewCall> = {}): NewCall {
  return {
    at: 1_700_000_000_000 + n,
    callerRaw: `030${n}`,
    caller: `+4930${n}`,
    callerKind: 'number',
    action: 'voicemail',
    reason: 'unknown',
    ...overrides,
  };
}

/** Every leading part of an E.164 number: '+4', '+49', …, the number itself (as src/numbers passes them). */
export function leadingParts(e164: string): string[] {
  const parts: string[] = [];
  for (let i = 2; i <= e164.length; i++) parts.push(e164.slice(0, i));
  return parts;
}

/** EXPLAIN QUERY PLAN as one string per step. */
export function queryPlan(store: SqliteStore, sql: string, params: unknown[]): string[] {
  const rows = store.db.handle.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
  return rows.map((r) => r.detail);
}

/**
 * A database with the benchmark's data at `size` (bench/build-db.ts: entries, prefixes, contacts, a spam list, logged
 * calls), in a temp dir removed after the test.
 */
export async function benchStore(size: DatasetSize): Promise<SqliteStore> {
  const { dir, track } = tempDir();
  const built = await ensureDatabase(dir, size, () => {});
  const store = openStore(built.cached);
  track(() => store.db.close());
  return store;
}

/** A store the test opened on SQLite, as such (for its `db`); fails the test on another engine. */
export function sqliteOf(store: Store): SqliteStore {
  if (store.engine !== 'sqlite') throw new Error(`the test needs the SQLite engine, not ${store.engine}`);
  return store;
}
