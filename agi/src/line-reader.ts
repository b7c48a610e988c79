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
    const buf =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    // The line ends and the cap, on the bytes; then every complete line decoded in one go and split on '\n': a \n
    // never sits inside a UTF-8 sequence, so that equals decoding line by line, without a Buffer per line.
    let start = 0;
    let end = -1; // the \n of the last complete line within the cap
    let overflow = false;
    for (let lf = buf.indexOf(LF); lf !== -1; lf = buf.indexOf(LF, start)) {
      // The first line continues what earlier chunks left pending.
      if (this.tooLong(lf - start + (end === -1 ? this.pendingBytes : 0))) {
        overflow = true;
        break;
      }
      end = lf;
      start = lf + 1;
    }
    const lines: string[] = [];
    if (end !== -1) {
      const head = buf.subarray(0, end);
      const text =
        this.pendingBytes === 0 ? head.toString('utf8') : Buffer.concat([...this.pending, head]).toString('utf8');
      this.pending = [];
      this.pendingBytes = 0;
      let from = 0;
      for (let lf = text.indexOf('\n'); ; lf = text.indexOf('\n', from)) {
        const to = lf === -1 ? text.length : lf;
        lines.push(text.charCodeAt(to - 1) === CR ? text.slice(from, to - 1) : text.slice(from, to));
        if (lf === -1) break;
        from = lf + 1;
      }
    }
    if (overflow) return { lines, error: this.fail() };
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
}
