/**
 * Worker thread: `PRAGMA wal_checkpoint(PASSIVE)` every intervalMs on a connection of its own, so that the service's
 * connection does not copy the WAL back inside a call's commit. Parent side, and the reasons, in checkpointer.ts.
 *
 * It must never checkpoint into, or create, a file other than the one the service has open — a -wal replayed into
 * the wrong database corrupts it (file-guard.ts). SQLite finds a connection's files by name, so each name is compared
 * (dev:ino) with what the service opened, before and after SQLite opens it:
 * - the database around `new BetterSqlite3()`, which reads no page: on a mismatch the connection is closed before it
 *   has opened a WAL, so it has neither recovered one nor will it checkpoint at close;
 * - the -wal around the first read (the -shm is not opened by name again: SQLite shares it between the connections of
 *   one process, and the service's is open).
 * From then on the connection works through its own descriptors, whatever the names point to. Each tick compares the
 * database name once more, only to hand checkpoints back to SQLite once the service's file is no longer at the path.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { type CheckpointerData, CLOSED, type FromWorker, TICKS, type ToWorker } from './checkpointer-protocol.js';
import { fileId } from './file-id.js';

const MOVED = 'the database file at the path is no longer the one the service has open';

const data = workerData as CheckpointerData;
const port = parentPort as NonNullable<typeof parentPort>;
const shared = new Int32Array(data.shared);
const wal = `${data.file}-wal`;
let db: BetterSqlite3.Database | undefined;
let timer: NodeJS.Timeout | undefined;

const post = (message: FromWorker) => port.postMessage(message);
const ours = () => fileId(data.file) === data.fileId;
const oursWal = () => fileId(wal) === data.walId;

function shutdown(): void {
  clearInterval(timer);
  try {
    db?.close();
  } finally {
    db = undefined;
    Atomics.store(shared, CLOSED, 1);
    Atomics.notify(shared, CLOSED);
    port.close(); // nothing else keeps this thread alive: it ends
  }
}

function lose(reason: string): void {
  post({ type: 'lost', reason });
  shutdown();
}

/** Any failure hands the job back to SQLite (the parent restores wal_autocheckpoint); nothing is thrown. */
function guarded(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    lose((err as Error).message);
  }
}

function open(): void {
  if (!ours() || !oursWal()) return lose(MOVED);
  // fileMustExist: never create a database. timeout 0: a tick that finds another checkpoint running just skips.
  db = new BetterSqlite3(data.file, { fileMustExist: true, timeout: 0 });
  if (!ours()) return lose(MOVED);
  db.pragma('schema_version'); // the first read: opens the -wal
  if (!ours() || !oursWal()) return lose(MOVED);
  // query_only: this connection checkpoints, and can never change a row. synchronous=NORMAL: the checkpoint syncs
  // the database file before the WAL may be restarted (with OFF a power cut could lose committed calls).
  db.pragma('query_only = ON');
  db.pragma('synchronous = NORMAL');
  db.pragma(`cache_size = -${data.cacheKib}`);
  post({ type: 'ready' });
  timer = setInterval(() => guarded(tick), data.intervalMs);
}

function tick(): void {
  if (!db) return;
  if (!ours()) return lose(MOVED);
  // PASSIVE never waits for the service's readers or its writer, and never makes them wait.
  db.pragma('wal_checkpoint(PASSIVE)');
  Atomics.add(shared, TICKS, 1);
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') shutdown();
});
guarded(open);
