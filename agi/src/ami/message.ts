import { LineReader } from '../line-reader.js';
import { AmiProtocolError } from './errors.js';
import {
  MAX_ACTION_FIELDS,
  MAX_ACTION_LINE_BYTES,
  MAX_LINE_BYTES,
  MAX_MESSAGE_BYTES,
  MAX_MESSAGE_FIELDS,
} from './limits.js';

/** session_do() greets every connection with `Asterisk Call Manager/<AMI_VERSION>\r\n` before anything else. */
const BANNER = /^Asterisk Call Manager\/(\S+)\s*$/;
/** A header name we write: what Asterisk's own actions and events use. */
const FIELD_NAME = /^[A-Za-z0-9_()-]+$/;
const FORBIDDEN_IN_VALUE = /[\r\n\0]/;

/**
 * One AMI message: the `Key: Value` lines of a block, in order, duplicates kept (`Variable:` and `ChanVariable(...)`
 * repeat). Lookups ignore case, as astman_get_header() does (strcasecmp).
 */
export class AmiMessage {
  constructor(readonly fields: ReadonlyArray<readonly [string, string]>) {}

  /** The first value of `name` (any case), or undefined. */
  get(name: string): string | undefined {
    const want = name.toLowerCase();
    for (const [key, value] of this.fields) if (key.toLowerCase() === want) return value;
    return undefined;
  }

  /** Every value of `name` (any case), in order. */
  getAll(name: string): string[] {
    const want = name.toLowerCase();
    return this.fields.filter(([key]) => key.toLowerCase() === want).map(([, value]) => value);
  }

  /** `Event:` — set on events, undefined on responses. */
  get event(): string | undefined {
    return this.get('Event');
  }

  /** `Response:` — `Success`, `Error`, `Goodbye`…, undefined on events. */
  get response(): string | undefined {
    return this.get('Response');
  }

  get actionId(): string | undefined {
    return this.get('ActionID');
  }

  /** The first value per key, keys as received (for logs and tests). */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of this.fields) if (!(key in out)) out[key] = value;
    return out;
  }
}

export interface AmiParseResult {
  /** The version of the `Asterisk Call Manager/<version>` banner, when this chunk completed it. */
  banner?: string;
  /** The messages this chunk completed, in order. */
  messages: AmiMessage[];
  /** Set once the input broke a rule; the messages completed before are still in `messages`. The parser is spent. */
  error?: AmiProtocolError;
}

export interface AmiParserLimits {
  maxLineBytes?: number;
  maxMessageBytes?: number;
  maxMessageFields?: number;
}

/**
 * Bytes in, banner and messages out — no socket knowledge. The first line must be the banner; after it, messages are
 * `Key: Value` lines ended by an empty line. Asterisk ends lines with `\r\n` (a bare `\n` is accepted too, as
 * get_input() accepts it from clients). A line is split at its first `:` and the blanks after it are skipped
 * (astman_get_header() does ast_skip_blanks()); a line without `:` keeps the empty key and the whole line as value.
 * Empty lines between messages are passed over.
 */
export class AmiParser {
  private readonly reader: LineReader;
  private readonly maxMessageBytes: number;
  private readonly maxMessageFields: number;
  private sawBanner = false;
  private fields: [string, string][] = [];
  private bytes = 0;
  private failed: AmiProtocolError | undefined;

  constructor(limits: AmiParserLimits = {}) {
    this.reader = new LineReader(limits.maxLineBytes ?? MAX_LINE_BYTES);
    this.maxMessageBytes = limits.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.maxMessageFields = limits.maxMessageFields ?? MAX_MESSAGE_FIELDS;
  }

  push(chunk: Uint8Array | string): AmiParseResult {
    if (this.failed) return { messages: [], error: this.failed };
    const { lines, error } = this.reader.push(chunk);
    const out: AmiParseResult = { messages: [] };
    for (const line of lines) {
      const problem = this.line(line, out);
      if (problem) return { ...out, error: this.fail(problem) };
    }
    if (error) return { ...out, error: this.fail(error.message) };
    return out;
  }

  /** Bytes of a message (or line) still incomplete: worth a log line when the stream ends. */
  get pendingBytes(): number {
    return this.bytes + this.reader.pendingLength;
  }

  private line(line: string, out: AmiParseResult): string | undefined {
    if (!this.sawBanner) {
      const m = BANNER.exec(line);
      if (!m) return `not an Asterisk manager interface: the first line was ${JSON.stringify(line.slice(0, 80))}`;
      this.sawBanner = true;
      out.banner = m[1];
      return undefined;
    }
    if (line === '') {
      if (this.fields.length > 0) {
        out.messages.push(new AmiMessage(this.fields));
        this.fields = [];
        this.bytes = 0;
      }
      return undefined;
    }
    this.bytes += Buffer.byteLength(line) + 2;
    if (this.bytes > this.maxMessageBytes) return `a message longer than ${this.maxMessageBytes} bytes`;
    if (this.fields.length >= this.maxMessageFields) return `a message with more than ${this.maxMessageFields} lines`;
    const colon = line.indexOf(':');
    this.fields.push(colon === -1 ? ['', line] : [line.slice(0, colon), line.slice(colon + 1).replace(/^[ \t]+/, '')]);
    return undefined;
  }

  private fail(message: string): AmiProtocolError {
    this.fields = [];
    this.bytes = 0;
    this.failed = new AmiProtocolError(message);
    return this.failed;
  }
}

export type AmiFields = Record<string, string | number> | ReadonlyArray<readonly [string, string | number]>;

/**
 * The text of one action: `Action:`, `ActionID:` (when given), the fields, each line `\r\n`-ended, then the empty
 * line. Throws TypeError for a name or value that would break the framing (CR, LF, NUL, a `:` in a name) and
 * RangeError for a line or a field count Asterisk would refuse — before anything is written.
 */
export function buildAction(action: string, fields: AmiFields = {}, actionId?: string): string {
  const pairs: (readonly [string, string | number])[] = [['Action', action]];
  if (actionId !== undefined) pairs.push(['ActionID', actionId]);
  const rest = Array.isArray(fields)
    ? (fields as ReadonlyArray<readonly [string, string | number]>)
    : Object.entries(fields);
  for (const [name] of rest) {
    if (/^action(id)?$/i.test(name)) throw new TypeError(`${name} is set by buildAction itself, not as a field`);
  }
  pairs.push(...rest);
  if (pairs.length > MAX_ACTION_FIELDS)
    throw new RangeError(`an AMI action may have at most ${MAX_ACTION_FIELDS} lines`);
  let text = '';
  for (const [name, raw] of pairs) {
    const value = String(raw);
    if (!FIELD_NAME.test(name)) throw new TypeError(`${JSON.stringify(name)} is not an AMI header name`);
    if (FORBIDDEN_IN_VALUE.test(value)) throw new TypeError(`the value of ${name} contains CR, LF or NUL`);
    const line = `${name}: ${value}`;
    if (Buffer.byteLength(line) > MAX_ACTION_LINE_BYTES) {
      throw new RangeError(`the ${name} line is longer than ${MAX_ACTION_LINE_BYTES} bytes; Asterisk would drop it`);
    }
    text += `${line}\r\n`;
  }
  return `${text}\r\n`;
}
