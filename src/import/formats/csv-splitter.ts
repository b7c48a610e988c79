import { coded } from '../../messages/index.js';
import { rowError } from './problems.js';
import { MAX_LINE_CHARS, type RowError } from './types.js';

/** One CSV record: its fields (quotes removed, `""` → `"`), where it starts, and its text as written. */
export interface CsvRecord {
  line: number;
  fields: string[];
  raw: string;
}

/** A record that could not be read: an unclosed quote at the end, or a row past MAX_LINE_CHARS. */
export type CsvProblem = RowError;

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const HASH = 0x23;
const BREAK = /[\r\n]/g;
/** Separators we detect, in order of preference when a first line has as many of one as of another. */
const SEPARATORS = [';', '\t', ','] as const;
/** Excel reads (and some tools write) a first line `sep=;` that names the separator. */
const SEP_LINE = /^"?sep=(.)"?$/i;
/** How much of an over-long row is quoted in its error. */
const RAW_EXCERPT = 80;

/**
 * Splits CSV text into records as Excel writes them (RFC 4180 plus what spreadsheets do): `"` quoting with `""`,
 * line breaks inside quoted fields, CRLF / LF / CR line ends, `#` comment lines and blank lines skipped. Text comes
 * in pieces (`push`), so a file of any size streams through with memory bounded by MAX_LINE_CHARS.
 *
 * The separator is `;`, tab or `,`, whichever the first line that is not a comment has most of outside quotes, or
 * the one a `sep=…` first line names.
 * Knows nothing of phone numbers; `CsvRowReader` gives the fields their meaning.
 */
export class CsvSplitter {
  private buf = '';
  /** Line of `buf[0]`. */
  private line = 1;
  /** Discarding the rest of an over-long row up to the next line break. */
  private skipping = false;
  /** Char code of the separator, once the first line has been seen. */
  private sep: number | undefined;

  push(text: string, out: Array<CsvRecord | CsvProblem>): void {
    this.buf = this.buf === '' ? text : this.buf + text;
    this.scan(false, out);
  }

  end(out: Array<CsvRecord | CsvProblem>): void {
    this.scan(true, out);
    this.buf = '';
  }

  private scan(final: boolean, out: Array<CsvRecord | CsvProblem>): void {
    const buf = this.buf;
    // A CR at the very end may be the first half of a CRLF: leave it for the next piece.
    const limit = !final && buf.charCodeAt(buf.length - 1) === CR ? buf.length - 1 : buf.length;
    let p = 0;
    while (p < limit) {
      if (this.skipping) {
        const b = nextBreak(buf, p, limit);
        if (b < 0) {
          p = limit;
          break;
        }
        p = afterBreak(buf, b);
        this.line++;
        this.skipping = false;
        continue;
      }
      const c = buf.charCodeAt(p);
      if (c === CR || c === LF) {
        p = afterBreak(buf, p);
        this.line++;
        continue;
      }
      if (c === HASH) {
        const b = nextBreak(buf, p, limit);
        if (b < 0 && !final) {
          if (limit - p > MAX_LINE_CHARS) {
            this.skipping = true;
            p = limit;
          }
          break;
        }
        p = b < 0 ? limit : afterBreak(buf, b);
        this.line++;
        continue;
      }
      if (this.sep === undefined) {
        const b = nextBreak(buf, p, limit);
        if (b < 0 && !final && limit - p <= MAX_LINE_CHARS) break;
        const first = buf.slice(p, b < 0 ? Math.min(limit, p + MAX_LINE_CHARS) : b);
        const declared = SEP_LINE.exec(first)?.[1];
        if (declared !== undefined) {
          // Excel's `sep=;` first line names the separator and is no data.
          this.sep = declared.charCodeAt(0);
          p = b < 0 ? limit : afterBreak(buf, b);
          this.line++;
          continue;
        }
        this.sep = detectSeparator(first);
      }
      const r = this.record(buf, p, limit, final);
      if (r === undefined) break; // needs more text
      if (r.overlong) {
        out.push(
          rowError(this.line, `${buf.slice(p, p + RAW_EXCERPT)}…`, coded('row.too_long', { max: MAX_LINE_CHARS })),
        );
        this.line += countBreaks(buf, p, p + MAX_LINE_CHARS);
        this.skipping = true;
        p = p + MAX_LINE_CHARS;
        continue;
      }
      if (r.unclosed) {
        out.push(rowError(this.line, buf.slice(p, r.end), coded('row.unclosed_quote')));
      } else {
        out.push({ line: this.line, fields: r.fields, raw: buf.slice(p, r.end) });
      }
      this.line += 1 + r.breaks;
      p = r.next;
    }
    this.buf = p >= buf.length ? '' : buf.slice(p);
  }

  /**
   * Reads the record at `p`, or returns undefined when it runs past the text read so far. `end` is where its text
   * ends (before the line break), `next` where the next record starts, `breaks` the line breaks inside quotes.
   */
  private record(
    buf: string,
    p: number,
    limit: number,
    final: boolean,
  ): { fields: string[]; end: number; next: number; breaks: number; overlong?: true; unclosed?: true } | undefined {
    const sep = this.sep!;
    const cap = Math.min(limit, p + MAX_LINE_CHARS);
    // Past `cap` the row is over-long — unless the text simply ends there and more may follow.
    const more = (): undefined | { fields: string[]; end: number; next: number; breaks: number; overlong: true } =>
      cap < limit || cap === p + MAX_LINE_CHARS
        ? { fields: [], end: cap, next: cap, breaks: 0, overlong: true }
        : undefined;
    const fields: string[] = [];
    let breaks = 0;
    let i = p;
    for (;;) {
      if (i < cap && buf.charCodeAt(i) === QUOTE) {
        let value = '';
        let j = i + 1;
        for (;;) {
          const q = buf.indexOf('"', j);
          if (q < 0 || q >= cap) {
            if (cap === limit && final && cap < p + MAX_LINE_CHARS) {
              return { fields: [], end: limit, next: limit, breaks: countBreaks(buf, p, limit), unclosed: true };
            }
            return more();
          }
          value += buf.slice(j, q);
          if (q + 1 >= cap && !(final && cap === limit)) return more(); // `""` may continue in the next piece
          if (buf.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            j = q + 2;
            continue;
          }
          breaks += countBreaks(buf, i, q);
          j = q + 1;
          break;
        }
        // Text after the closing quote (`"a"b`) is kept, as spreadsheets do.
        let k = j;
        while (k < cap && !isEnd(buf.charCodeAt(k), sep)) k++;
        if (k === cap && !(final && cap === limit)) return more();
        fields.push(k === j ? value : value + buf.slice(j, k));
        i = k;
      } else {
        let k = i;
        while (k < cap && !isEnd(buf.charCodeAt(k), sep)) k++;
        if (k === cap && !(final && cap === limit)) return more();
        fields.push(buf.slice(i, k));
        i = k;
      }
      if (i >= limit) return { fields, end: i, next: i, breaks };
      const c = buf.charCodeAt(i);
      if (c === sep) {
        i++;
        continue;
      }
      return { fields, end: i, next: afterBreak(buf, i), breaks };
    }
  }
}

function isEnd(c: number, sep: number): boolean {
  return c === sep || c === LF || c === CR;
}

function nextBreak(buf: string, from: number, limit: number): number {
  BREAK.lastIndex = from;
  const m = BREAK.exec(buf);
  return m === null || m.index >= limit ? -1 : m.index;
}

/** Position after the line break at `i` (CRLF counts as one). */
function afterBreak(buf: string, i: number): number {
  return buf.charCodeAt(i) === CR && buf.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
}

/** Line breaks in `buf[from, to)`: LF, CRLF and a lone CR each count once. */
export function countBreaks(buf: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = buf.charCodeAt(i);
    if (c === LF) n++;
    else if (c === CR && buf.charCodeAt(i + 1) !== LF) n++;
  }
  return n;
}

/** The separator a first line uses most outside quotes; `,` when it has none (a one-column list). */
export function detectSeparator(line: string): number {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (SEPARATORS as readonly string[]).includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: string = ',';
  let most = 0;
  for (const s of SEPARATORS) {
    const n = counts.get(s) ?? 0;
    if (n > most) {
      best = s;
      most = n;
    }
  }
  return best.charCodeAt(0);
}
