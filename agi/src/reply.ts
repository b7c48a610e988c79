import { AgiDeadChannelError, AgiError, AgiProtocolError, AgiUnknownCommandError, AgiUsageError } from './errors.js';
import { MAX_USAGE_LINES } from './limits.js';

/** One `200` reply. */
export interface AgiReply {
  code: number;
  /** `result=N` as a number; NaN when it is not an integer (GET DATA answers with the digits, e.g. `12#`). */
  result: number;
  /** `result=…` exactly as sent. */
  resultText: string;
  /** The `(…)` part, running to the LAST `)` of the line (GET VARIABLE values may contain parentheses). */
  data?: string;
  /** Trailing `key=value` pairs, e.g. `endpos` of STREAM FILE. */
  extra: Record<string, string>;
  /** The whole reply line. */
  raw: string;
}

/** What the reply stream produced for one line (or for the last line of a multi-line reply). */
export type ReplyEvent =
  | { type: 'hangup' }
  | { type: 'reply'; reply: AgiReply }
  | { type: 'error'; error: AgiError; raw: string }
  | { type: 'garbage'; error: AgiProtocolError; raw: string };

const ZERO = 0x30;
const SPACE = 0x20;
const DASH = 0x2d;

/** The three-digit status a reply line starts with (followed by a space, `-` or nothing); undefined if none. */
function statusOf(line: string): number | undefined {
  let code = 0;
  for (let i = 0; i < 3; i++) {
    const digit = line.charCodeAt(i) - ZERO; // NaN past the end
    if (!(digit >= 0 && digit <= 9)) return undefined;
    code = code * 10 + digit;
  }
  const next = line.charCodeAt(3);
  return line.length === 3 || next === SPACE || next === DASH ? code : undefined;
}

const RESULT = /^200 result=(\S*)(?: (.*))?$/;
const USAGE_START = '520-';
const USAGE_END = '520 End of proper usage.';

/** Parses a `200 result=…` line; undefined when the line is not one. */
export function parseSuccessLine(line: string): AgiReply | undefined {
  const m = RESULT.exec(line);
  if (!m) return undefined;
  const resultText = m[1] ?? '';
  const reply: AgiReply = {
    code: 200,
    result: /^-?\d+$/.test(resultText) ? Number(resultText) : Number.NaN,
    resultText,
    extra: {},
    raw: line,
  };
  let rest = m[2] === undefined ? '' : m[2].trim();
  if (rest === '') return reply; // the usual `200 result=1`
  if (rest.startsWith('(')) {
    // GET VARIABLE prints the value raw between parentheses (handle_getvariable()), so it may hold `(`, `)` or
    // ` x=y`: the data ends at the last `)` of the line.
    const close = rest.lastIndexOf(')');
    reply.data = close === -1 ? rest.slice(1) : rest.slice(1, close);
    rest = close === -1 ? '' : rest.slice(close + 1).trim();
  }
  for (const pair of rest.split(/\s+/)) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq > 0) reply.extra[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return reply;
}

/**
 * Turns reply lines into events. Pure: no I/O, no timers. `HANGUP` is an event wherever it appears (res_agi.c's
 * run_agi() writes it when the channel hangs up, independent of any command); the lines between `520-…` and
 * `520 End of proper usage.` are raw usage text and never count as replies, even when they look like one
 * (the GET VARIABLE usage contains "200 result=1 (testvariable)").
 */
export class ReplyAssembler {
  private usage: string[] | undefined;

  push(line: string): ReplyEvent | undefined {
    if (line === 'HANGUP') return { type: 'hangup' };
    if (this.usage) return this.pushUsage(line);
    const code = statusOf(line);
    if (code === undefined)
      return { type: 'garbage', error: new AgiProtocolError(`not an AGI reply: ${preview(line)}`), raw: line };
    switch (code) {
      case 200: {
        const reply = parseSuccessLine(line);
        return reply
          ? { type: 'reply', reply }
          : { type: 'garbage', error: new AgiProtocolError(`malformed 200 reply: ${preview(line)}`), raw: line };
      }
      case 510:
        return { type: 'error', error: new AgiUnknownCommandError(message(line), { code }), raw: line };
      case 511:
        return { type: 'error', error: new AgiDeadChannelError(message(line), { code }), raw: line };
      case 520:
        if (line.startsWith(USAGE_START)) {
          this.usage = [line];
          return undefined;
        }
        return { type: 'error', error: new AgiUsageError(message(line), ''), raw: line };
      default:
        return { type: 'error', error: new AgiError(message(line), { code }), raw: line };
    }
  }

  /** True while inside a multi-line 520 reply. */
  get inUsage(): boolean {
    return this.usage !== undefined;
  }

  private pushUsage(line: string): ReplyEvent | undefined {
    const usage = this.usage ?? [];
    // Newer res_agi.c sends the XML usage text with ast_agi_send("%s") and no guaranteed final newline, so the
    // closing line may come glued to the last usage line.
    if (line.startsWith('520 ') || line.endsWith(USAGE_END)) {
      const head = line.startsWith('520 ') ? '' : line.slice(0, -USAGE_END.length);
      if (head) usage.push(head);
      this.usage = undefined;
      const [first = '', ...body] = usage;
      const raw = [...usage, line.startsWith('520 ') ? line : USAGE_END].join('\n');
      return { type: 'error', error: new AgiUsageError(message(first), body.join('\n')), raw };
    }
    if (usage.length >= MAX_USAGE_LINES) {
      this.usage = undefined;
      return {
        type: 'garbage',
        error: new AgiProtocolError(`520 usage reply longer than ${MAX_USAGE_LINES} lines`),
        raw: line,
      };
    }
    usage.push(line);
    return undefined;
  }
}

function message(line: string): string {
  return line.slice(4).trim() || line;
}

function preview(line: string): string {
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
}
