import { isUtf8 } from 'node:buffer';

/**
 * Windows-1252 bytes 0x80–0x9F (the rest is Latin-1). Written out by hand: Node's `TextDecoder('windows-1252')`
 * decodes this range as Latin-1 C1 controls (0x80 → U+0080 instead of €). Undefined bytes (0x81, 0x8D, 0x8F, 0x90,
 * 0x9D) map to the C1 control of the same value, as the WHATWG Encoding Standard does.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Decodes Windows-1252 bytes (German Excel's plain CSV, Outlook vCards with CHARSET=Windows-1252). */
export function decodeCp1252(buf: Uint8Array): string {
  const latin1 = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
  let hasHigh = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b >= 0x80 && b <= 0x9f) {
      hasHigh = true;
      break;
    }
  }
  if (!hasHigh) return latin1;
  return latin1.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

const BOM = 0xfeff;

/** Strips a leading byte-order mark from decoded text. */
export function stripBom(s: string): string {
  return s.charCodeAt(0) === BOM ? s.slice(1) : s;
}

/**
 * UTF-8 (BOM stripped) when the bytes are valid UTF-8, else Windows-1252. Text in Windows-1252 with any letter
 * beyond ASCII is almost never valid UTF-8 (an `ä` is the lone byte 0xE4), so the test is safe in practice.
 */
export function decodeText(buf: Uint8Array): string {
  // A UTF-8 BOM goes even when the rest turns out not to be UTF-8 (a list edited in two programs).
  const body = hasUtf8Bom(buf) ? buf.subarray(3) : buf;
  if (isUtf8(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return decodeCp1252(body);
}

function hasUtf8Bom(buf: Uint8Array): boolean {
  return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
}

/**
 * Bytes in the character set a vCard or XML declaration names. UTF-8 and Windows-1252 (with its aliases Latin-1 /
 * ISO-8859-1 / ASCII, which it extends) are decoded exactly; any other name falls back to `decodeText`'s guess.
 */
export function decodeCharset(buf: Uint8Array, charset: string | undefined): string {
  const cs = charset?.trim().toLowerCase().replace(/^"|"$/g, '');
  if (cs === 'utf-8' || cs === 'utf8') {
    return isUtf8(buf) ? stripBom(Buffer.from(buf).toString('utf8')) : decodeCp1252(buf);
  }
  if (cs !== undefined && CP1252_NAMES.has(cs)) return decodeCp1252(buf);
  return decodeText(buf);
}

const CP1252_NAMES: ReadonlySet<string> = new Set([
  'windows-1252',
  'cp1252',
  'iso-8859-1',
  'iso8859-1',
  'latin1',
  'latin-1',
  'us-ascii',
  'ascii',
]);

/** The longest UTF-8 sequence is 4 bytes: a chunk can end in at most 3 bytes of an unfinished one. */
const MAX_UTF8_TAIL = 3;

/**
 * Chunk-by-chunk `decodeText` for streams. Starts as UTF-8 and switches to Windows-1252 for good at the first chunk
 * that is not valid UTF-8. Chunks before that one were pure ASCII or valid UTF-8, and ASCII reads the same in both,
 * so a Windows-1252 file decodes exactly; only a file mixing both encodings gets its earlier part as UTF-8.
 */
export class TextStreamDecoder {
  private cp1252 = false;
  private carry: Buffer | undefined;
  private first = true;

  write(chunk: Buffer | string): string {
    if (typeof chunk === 'string') return this.start(chunk);
    let buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    if (this.cp1252) return this.start(decodeCp1252(buf));
    const cut = utf8CompleteLength(buf);
    if (cut < buf.length) {
      this.carry = Buffer.from(buf.subarray(cut));
      buf = buf.subarray(0, cut);
    }
    if (isUtf8(buf)) return this.start(buf.toString('utf8'));
    this.cp1252 = true;
    let all = this.carry ? Buffer.concat([buf, this.carry]) : buf;
    this.carry = undefined;
    if (this.first && hasUtf8Bom(all)) all = all.subarray(3);
    return this.start(decodeCp1252(all));
  }

  /** What is left at the end: an unfinished UTF-8 sequence is not UTF-8, so it reads as Windows-1252. */
  end(): string {
    const rest = this.carry;
    this.carry = undefined;
    return rest ? this.start(decodeCp1252(rest)) : '';
  }

  private start(s: string): string {
    if (!this.first || s === '') return s;
    this.first = false;
    return stripBom(s);
  }
}

/** Length of `buf` without a trailing, unfinished UTF-8 sequence. */
function utf8CompleteLength(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= MAX_UTF8_TAIL && back <= n; back++) {
    const b = buf[n - back]!;
    if (b < 0x80) return n; // ASCII: nothing unfinished
    if (b >= 0xc0) {
      // A lead byte `back` bytes from the end: is its sequence complete?
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? n - back : n;
    }
  }
  return n;
}
