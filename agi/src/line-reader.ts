import { AgiProtocolError } from './errors.js';
import { MAX_LINE_BYTES } from './limits.js';

const LF = 0x0a;
const CR = 0x0d;

export interface LineReaderResult {
  /** The lines this chunk completed, in order, without `\n` (and without a trailing `\r`). */
  lines: string[];
  /** Set once a line grew past the cap; the lines completed before it are still in `lines`. */
  error?: AgiProtocolError;
}

/**
 * Bytes in, lines out — no socket knowledge. Splits on `\n` at the byte level, which is UTF-8 safe by
 * construction (0x0A never occurs inside a multi-byte sequence), so a character split across two chunks is
 * decoded whole; invalid UTF-8 becomes U+FFFD. A line longer than `maxLineBytes` (counted before the `\n`, a
 * `\r` included) is an error as soon as the excess arrives, not only at its end; after that the reader is spent
 * and every further push() returns the same error and no lines.
 */
export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private failed: AgiProtocolError | undefined;

  constructor(readonly maxLineBytes: number = MAX_LINE_BYTES) {}

  push(chunk: Uint8Array | string): LineReaderResult {
    if (this.failed) return { lines: [], error: this.failed };
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const lines: string[] = [];
    let start = 0;
    for (let lf = buf.indexOf(LF, start); lf !== -1; lf = buf.indexOf(LF, start)) {
      const piece = buf.subarray(start, lf);
      if (this.tooLong(this.pendingBytes + piece.length)) return { lines, error: this.fail() };
      lines.push(this.decode(this.pendingBytes === 0 ? piece : Buffer.concat([...this.pending, piece])));
      this.pending = [];
      this.pendingBytes = 0;
      start = lf + 1;
    }
    if (start < buf.length) {
      const rest = buf.subarray(start);
      if (this.tooLong(this.pendingBytes + rest.length)) return { lines, error: this.fail() };
      // Copied: the caller may reuse the chunk's memory once push() returns.
      this.pending.push(Buffer.from(rest));
      this.pendingBytes += rest.length;
    }
    return { lines };
  }

  /** Bytes of an unterminated last line (worth a log line when the stream ends). */
  get pendingLength(): number {
    return this.pendingBytes;
  }

  private tooLong(bytes: number): boolean {
    return bytes > this.maxLineBytes;
  }

  private fail(): AgiProtocolError {
    this.pending = [];
    this.pendingBytes = 0;
    this.failed = new AgiProtocolError(`line longer than ${this.maxLineBytes} bytes`);
    return this.failed;
  }

  private decode(line: Buffer): string {
    const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
    return line.toString('utf8', 0, end);
  }
}
