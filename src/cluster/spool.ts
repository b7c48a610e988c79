/**
 * The local spool for call-log rows while PostgreSQL is unreachable: calls are still decided, and their rows go to
 * an append-only file in the node's data folder, so a decided call is durable before its AGI session ends
 * (DESIGN.md) also without the database. When PostgreSQL is back, drain() hands the rows to a writer in the order
 * they were appended.
 *
 * File format: one JSON line per row, `{"k":"<key>","r":<row>}\n`. A line without its `\n` is a torn write (a crash
 * mid-append): it is cut off when the spool opens, so the next append does not glue onto it.
 *
 * Each row once: every row carries a unique key (a random UUID unless the caller gives one, e.g. the call's id). The
 * writer must skip keys it already has (PostgreSQL: a unique key column and `ON CONFLICT (key) DO NOTHING`). Rows
 * leave the spool only after the writer resolved; a crash between the two replays them, and the key makes the
 * replay harmless.
 *
 * Durability per row: write(2) without fsync. Once write() returns, the bytes are in the kernel's page cache, which
 * survives the death of this process (kill -9 included); only a power loss or an OS crash can lose them. That is the
 * guarantee the SQLite store gives with WAL and synchronous=NORMAL, and an fsync per row would cost the call path a
 * disk flush (bench/spool-append.ts measures both).
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { Logger } from '../logger.js';

export interface SpoolEntry<T> {
  key: string;
  row: T;
}

/** Writes entries idempotently by key, in the order given; rejects to leave them in the spool. */
export type SpoolWriter<T> = (entries: SpoolEntry<T>[]) => Promise<void>;

export interface SpoolOptions {
  file: string;
  /** Appends that would grow the file past this are refused (counted and logged; the call goes on). */
  maxBytes?: number;
  /** fsync after every append (slower; survives a power loss too). Default false, see the file comment. */
  fsync?: boolean;
  /** Rows per writer call during drain(). */
  batchRows?: number;
  logger: Pick<Logger, 'warn' | 'error'>;
}

export interface SpoolStats {
  pendingRows: number;
  pendingBytes: number;
  /** Rows refused because the spool was full, since the spool was opened. */
  dropped: number;
  /** Complete lines that did not parse (skipped; logged). */
  corrupt: number;
}

/** The file in a node's data folder its call-log rows wait in while PostgreSQL is away. */
export const SPOOL_FILE = 'call-log.spool';
/**
 * 64 MiB: a call-log row is ~300 bytes as JSON, so about 200,000 calls — days of PostgreSQL outage for an office,
 * hours for a busy hosting node; past that, losing log rows beats filling the data folder's disk.
 */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** One multi-row INSERT per batch: large enough to drain fast, small enough to keep a statement modest. */
export const DEFAULT_BATCH_ROWS = 500;
/** drain() reads the file in pieces of this size. */
const READ_CHUNK_BYTES = 1024 * 1024;
/** A full spool logs its first refusal, then one line per this many more. */
const DROP_LOG_EVERY = 1_000;

export class CallLogSpool<T> {
  private readonly fd: number;
  private readonly maxBytes: number;
  private readonly fsync: boolean;
  private readonly batchRows: number;
  private readonly logger: SpoolOptions['logger'];
  /** Bytes in the file; everything before `offset` has been written by the writer. */
  private size: number;
  private offset = 0;
  private rows: number;
  private dropped = 0;
  private corrupt = 0;
  private draining: Promise<number> | undefined;
  private closed = false;

  constructor(options: SpoolOptions) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.fsync = options.fsync ?? false;
    this.batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
    this.logger = options.logger;
    this.fd = openSync(options.file, 'a+', 0o600);
    const { size, rows } = this.recover(fstatSync(this.fd).size);
    this.size = size;
    this.rows = rows;
  }

  /**
   * Appends one row; true once it is in the file. False when the spool is full or closed: the row is counted as
   * dropped and the caller carries on (a full spool never blocks a call).
   */
  append(row: T, key: string = randomUUID()): boolean {
    const line = Buffer.from(`${JSON.stringify({ k: key, r: row })}\n`, 'utf8');
    if (this.closed || this.size + line.length > this.maxBytes) {
      this.dropped++;
      if (this.dropped === 1 || this.dropped % DROP_LOG_EVERY === 0) {
        this.logger.error(
          { dropped: this.dropped, spoolBytes: this.size, maxBytes: this.maxBytes, closed: this.closed },
          'call-log spool full: row dropped',
        );
      }
      return false;
    }
    let written = 0;
    while (written < line.length) written += writeSync(this.fd, line, written);
    if (this.fsync) fsyncSync(this.fd);
    this.size += line.length;
    this.rows++;
    return true;
  }

  stats(): SpoolStats {
    return {
      pendingRows: this.rows,
      pendingBytes: this.size - this.offset,
      dropped: this.dropped,
      corrupt: this.corrupt,
    };
  }

  /**
   * Hands every pending row to `writer`, in batches, in append order; rows appended meanwhile are included. Resolves
   * with the number written; rejects with the writer's error (the unwritten rows stay). One drain at a time: a
   * call during a drain gets the running one.
   */
  drain(writer: SpoolWriter<T>): Promise<number> {
    this.draining ??= this.drainAll(writer).finally(() => (this.draining = undefined));
    return this.draining;
  }

  /** Idempotent. Appends after close() are refused and counted. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private async drainAll(writer: SpoolWriter<T>): Promise<number> {
    let total = 0;
    while (!this.closed && this.offset < this.size) {
      const batch = this.readBatch();
      if (batch.entries.length > 0) await writer(batch.entries);
      if (this.closed) break;
      this.offset += batch.bytes;
      this.rows -= batch.lines;
      total += batch.entries.length;
      // Everything written and nothing appended while the writer ran: start the file afresh. Synchronous, so no
      // append can come between the check and the truncation.
      if (this.offset === this.size) {
        ftruncateSync(this.fd, 0);
        this.offset = 0;
        this.size = 0;
        this.rows = 0;
      }
    }
    return total;
  }

  /** Up to batchRows rows from `offset`; `lines` and `bytes` also cover the corrupt lines skipped among them. */
  private readBatch(): { entries: SpoolEntry<T>[]; lines: number; bytes: number } {
    const entries: SpoolEntry<T>[] = [];
    let lines = 0;
    let bytes = 0;
    let pending = Buffer.alloc(0);
    let position = this.offset;
    while (entries.length < this.batchRows && position < this.size) {
      const chunk = Buffer.alloc(Math.min(READ_CHUNK_BYTES, this.size - position));
      const n = readSync(this.fd, chunk, 0, chunk.length, position);
      if (n === 0) break;
      position += n;
      pending = pending.length === 0 ? chunk.subarray(0, n) : Buffer.concat([pending, chunk.subarray(0, n)]);
      let start = 0;
      for (
        let lf = pending.indexOf(0x0a);
        lf !== -1 && entries.length < this.batchRows;
        lf = pending.indexOf(0x0a, start)
      ) {
        const entry = this.parse(pending.subarray(start, lf));
        if (entry) entries.push(entry);
        lines++;
        bytes += lf + 1 - start;
        start = lf + 1;
      }
      pending = pending.subarray(start);
    }
    return { entries, lines, bytes };
  }

  private parse(line: Buffer): SpoolEntry<T> | undefined {
    try {
      const value = JSON.parse(line.toString('utf8')) as { k?: unknown; r?: T };
      if (typeof value.k === 'string' && 'r' in value) return { key: value.k, row: value.r as T };
    } catch {
      // counted below
    }
    this.corrupt++;
    this.logger.error({ line: line.toString('utf8').slice(0, 200) }, 'call-log spool: unreadable line skipped');
    return undefined;
  }

  /** Counts the complete lines and cuts a torn last line off, so appends continue on a clean line. */
  private recover(size: number): { size: number; rows: number } {
    let rows = 0;
    let lastLf = -1;
    const chunk = Buffer.alloc(READ_CHUNK_BYTES);
    for (let position = 0; position < size; ) {
      const n = readSync(this.fd, chunk, 0, Math.min(chunk.length, size - position), position);
      if (n === 0) break;
      for (let i = chunk.indexOf(0x0a); i !== -1 && i < n; i = chunk.indexOf(0x0a, i + 1)) {
        rows++;
        lastLf = position + i;
      }
      position += n;
    }
    const clean = lastLf + 1;
    if (clean < size) {
      this.logger.warn({ tornBytes: size - clean }, 'call-log spool: torn last line (a crash mid-append) cut off');
      ftruncateSync(this.fd, clean);
    }
    return { size: clean, rows };
  }
}
