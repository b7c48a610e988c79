/**
 * The WAL checkpointer (src/store/checkpointer.ts) on real files: a real worker thread (the compiled one in dist/,
 * see WORKER_URL), the service connection's wal_autocheckpoint, the fallback to SQLite's default, close(), and a
 * database file moved or replaced under it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.js';
import {
  BACKSTOP_PAGES,
  type CheckpointerOptions,
  SQLITE_AUTOCHECKPOINT_PAGES,
  WORKER_URL,
} from '../../src/store/checkpointer.js';
import { type OpenStoreOptions, openStore, type SqliteStore } from '../../src/store/index.js';
import { captureLogs, startService } from '../helpers/service.js';
import { newCall, sqliteOf, tempDir, tempStore } from './helpers.js';

const STOPPED = 'WAL checkpointer stopped; SQLite checkpoints automatically again';
const CUED_WORKER = new URL('./cued-checkpointer-worker.mjs', import.meta.url);
/** Bounded polls: the worker boots in ~100 ms and checkpoints every 50 ms here. */
const WAIT = { timeout: 5_000, interval: 10 };

beforeAll(() => {
  if (!existsSync(fileURLToPath(WORKER_URL))) throw new Error('dist/ is missing: run npm run build first');
});

/** A store with a checkpointer (every 50 ms) and its log lines. */
function checkpointed(options: OpenStoreOptions = {}) {
  const { lines, stream } = captureLogs();
  const temp = tempStore({ logger: createLogger('debug', stream), checkpointer: { intervalMs: 50 }, ...options });
  return { ...temp, db: sqliteOf(temp.store).db, logs: lines, stopped: () => lines.filter((l) => l.msg === STOPPED) };
}

/**
 * A store whose checkpointer thread runs the real worker inside cued-checkpointer-worker.mjs: `cue('stall')` blocks
 * the thread until `clear('stall')`, `cue('crash')` makes it throw.
 */
function cued(checkpointer: Omit<CheckpointerOptions, 'workerUrl'> = {}) {
  const cues = tempDir().dir;
  process.env.CALLFILTER_TEST_CUES = cues; // read by the worker when it starts
  const temp = checkpointed({ checkpointer: { intervalMs: 50, ...checkpointer, workerUrl: CUED_WORKER } });
  return {
    ...temp,
    cue: (name: 'stall' | 'crash') => writeFileSync(join(cues, name), ''),
    clear: (name: 'stall' | 'crash') => rmSync(join(cues, name)),
  };
}

async function active(store: SqliteStore): Promise<void> {
  await vi.waitFor(() => expect(store.db.checkpointer?.state).toBe('active'), WAIT);
}

/**
 * The WAL's last frame and how far it is copied back, read from the -shm without a connection (a connection of our
 * own could checkpoint): WalIndexHdr.mxFrame at byte 16, WalCkptInfo.nBackfill at byte 96, native byte order
 * (https://sqlite.org/walformat.html, "The WAL-Index Format").
 */
function walIndex(file: string): { frames: number; backfilled: number } {
  const shm = readFileSync(`${file}-shm`);
  return { frames: shm.readUInt32LE(16), backfilled: shm.readUInt32LE(96) };
}

const call = (i: number) => newCall(5_000_000 + i, { uniqueId: `ckpt.${i}` });

/** One autocommit per call, as the service logs them, until the WAL holds more than `frames` frames. */
async function logCallsUntil(store: SqliteStore, file: string, frames: number): Promise<void> {
  for (let i = 0; walIndex(file).frames <= frames; i++) {
    if (i === 10_000) throw new Error(`the WAL never got past ${frames} frames: something checkpointed it`);
    await store.calls.insert(call(i));
  }
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('the WAL checkpointer', () => {
  it('takes over from the service connection, which keeps only the backstop, and copies the WAL back', async () => {
    const { store, db, file, cue, clear } = cued();
    await active(store);
    expect(db.pragma('wal_autocheckpoint')).toBe(BACKSTOP_PAGES);
    // The worker stuck, nobody checkpoints: past SQLite's 1000 pages the service connection has copied nothing back.
    cue('stall');
    await new Promise((resolve) => setTimeout(resolve, 100)); // a tick already running when the stall began
    const before = walIndex(file).backfilled;
    await logCallsUntil(store, file, SQLITE_AUTOCHECKPOINT_PAGES + 200);
    expect(walIndex(file).backfilled).toBe(before);
    clear('stall');
    await vi.waitFor(() => expect(walIndex(file).backfilled).toBe(walIndex(file).frames), WAIT);
    expect(walIndex(file).frames).toBeGreaterThan(SQLITE_AUTOCHECKPOINT_PAGES);
    // Then a write starts the WAL over from its beginning (not one that meets the worker's lock: hence the retry).
    await vi.waitFor(async () => {
      await store.calls.insert(call(-1));
      expect(walIndex(file).frames).toBeLessThan(50);
    }, WAIT);
  });

  it('is off by default, and never for :memory: or a read-only store', async () => {
    const { store, reopen } = tempStore();
    expect(store.db.checkpointer).toBeUndefined();
    expect(store.db.pragma('wal_autocheckpoint')).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
    const memory = openStore(':memory:', { checkpointer: true });
    expect(memory.db.checkpointer).toBeUndefined();
    memory.db.close();
    expect(reopen({ readonly: true, checkpointer: true }).db.checkpointer).toBeUndefined();
  });

  it('falls back to SQLite’s default, with one warn line, when the worker crashes; the store goes on', async () => {
    const { store, db, stopped, cue } = cued();
    await active(store);
    cue('crash');
    await db.checkpointer?.exited;
    expect(db.checkpointer?.state).toBe('failed');
    expect(db.pragma('wal_autocheckpoint')).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
    expect(stopped()).toHaveLength(1);
    expect(stopped()[0]).toMatchObject({
      level: 40,
      reason: 'the worker failed',
      err: { message: 'checkpointer crash (test cue)' },
    });
    expect(await store.calls.get(await store.calls.insert(call(1)))).toMatchObject({ uniqueId: 'ckpt.1' });
  });

  it('falls back when the worker cannot start', async () => {
    const { db, stopped } = checkpointed({ checkpointer: { workerUrl: new URL('./no-such-worker.js', WORKER_URL) } });
    await db.checkpointer?.exited;
    await vi.waitFor(() => expect(db.checkpointer?.state).toBe('failed'), WAIT);
    expect(db.pragma('wal_autocheckpoint')).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
    expect(stopped()).toHaveLength(1);
  });

  it('falls back while the worker is stuck, and hands back once it goes on', async () => {
    const { store, db, logs, cue, clear } = cued({ intervalMs: 20, stallMs: 200 });
    await active(store);
    cue('stall');
    await vi.waitFor(() => expect(db.checkpointer?.state).toBe('stalled'), WAIT);
    expect(db.pragma('wal_autocheckpoint')).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
    clear('stall');
    await active(store);
    expect(db.pragma('wal_autocheckpoint')).toBe(BACKSTOP_PAGES);
    expect(logs.filter((l) => String(l.msg).startsWith('the WAL checkpointer is stuck'))).toHaveLength(1);
  });

  it('close() stops the worker first: idempotent, the thread ends, and the last close removes the -wal', async () => {
    const { store, db, file } = checkpointed();
    await active(store);
    await logCallsUntil(store, file, 100);
    const checkpointer = db.checkpointer;
    db.close();
    db.close();
    expect(checkpointer?.state).toBe('stopped');
    await checkpointer?.exited;
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('moved away: hands checkpoints back to SQLite and never creates a file at the path', async () => {
    const { store, db, file, dir, stopped } = checkpointed();
    await active(store);
    await logCallsUntil(store, file, 100);
    renameSync(file, join(dir, 'moved.db'));
    await db.checkpointer?.exited;
    expect(stopped()[0]).toMatchObject({
      reason: 'the database file at the path is no longer the one the service has open',
    });
    expect(db.pragma('wal_autocheckpoint')).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
    expect(existsSync(file)).toBe(false);
  });

  it('replaced: never touches the new file', async () => {
    const { store, db, file, dir, stopped } = checkpointed();
    await active(store);
    const other = join(dir, 'other.db');
    openStore(other).db.close(); // self-contained, as `callfilter backup` writes it
    const hash = sha(other);
    renameSync(other, file);
    await logCallsUntil(store, file, 100); // into the old file, whose -wal is still beside the new one
    await db.checkpointer?.exited;
    expect(stopped()).toHaveLength(1);
    db.close();
    expect(sha(file)).toBe(hash);
  });
});

describe('the service with the checkpointer (createContext walCheckpointer)', () => {
  it('follows the file guard: the reopened file gets a checkpointer of its own', async () => {
    const svc = await startService({ dataDir: tempDir().dir, overrides: { walCheckpointer: true, dbFileCheckMs: 50 } });
    const { dbFile } = svc.config;
    await active(sqliteOf(svc.ctx.store));
    const first = sqliteOf(svc.ctx.store).db;
    const other = join(tempDir().dir, 'other.db');
    openStore(other).db.close();
    renameSync(other, dbFile);
    await vi.waitFor(() => expect(svc.ctx.faults.get('dbFile', { event: 'reopened' })).toBe(1), WAIT);
    expect(first.checkpointer?.state).toBe('stopped');
    await active(sqliteOf(svc.ctx.store));
    expect(sqliteOf(svc.ctx.store).db.pragma('wal_autocheckpoint')).toBe(BACKSTOP_PAGES);
    await logCallsUntil(sqliteOf(svc.ctx.store), dbFile, SQLITE_AUTOCHECKPOINT_PAGES);
    await vi.waitFor(() => expect(walIndex(dbFile).backfilled).toBe(walIndex(dbFile).frames), WAIT);
    const checkpointer = sqliteOf(svc.ctx.store).db.checkpointer;
    await svc.close();
    expect(checkpointer?.state).toBe('stopped');
  });
});
