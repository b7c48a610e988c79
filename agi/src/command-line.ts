import { MAX_COMMAND_LINE_BYTES } from './limits.js';

/** Command words: letters and single spaces only ("SET VARIABLE"), so nothing can be smuggled in unquoted. */
const COMMAND_WORDS = /^[A-Za-z]+(?: [A-Za-z]+)*$/;
const FORBIDDEN = /[\r\n\0]/;
const NEEDS_ESCAPE = /[\\"]/;
const ESCAPED = /[\\"]/g;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit (4 for a surrogate pair): a line this short cannot be too long. */
const MAX_BYTES_PER_UNIT = 3;

/**
 * Quotes one argument the way res_agi.c's parse_args() reads it back: inside `"…"` a space is literal, `\x`
 * yields `x`, so `\` and `"` are escaped and everything else (tabs, UTF-8) goes through as is. An empty string
 * becomes `""`, which parse_args() turns into an empty argument.
 */
export function quoteArg(value: string): string {
  return NEEDS_ESCAPE.test(value) ? `"${value.replace(ESCAPED, (c) => `\\${c}`)}"` : `"${value}"`;
}

/**
 * Builds one command line, `\n` included. Throws TypeError for a malformed command word or an argument holding
 * CR, LF or NUL (run_agi() reads up to `\n`, so an embedded newline would start a second command, and a NUL ends
 * the C string), and RangeError when the line exceeds MAX_COMMAND_LINE_BYTES (run_agi() would cut it in two).
 */
export function buildCommandLine(
  command: string,
  args: readonly (string | number)[],
  maxBytes = MAX_COMMAND_LINE_BYTES,
): string {
  if (typeof command !== 'string' || !COMMAND_WORDS.test(command)) {
    throw new TypeError(
      `AGI command must be words of letters separated by single spaces, got ${JSON.stringify(command)}`,
    );
  }
  let line = command;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    let text: string;
    if (typeof arg === 'number') {
      if (!Number.isFinite(arg))
        throw new TypeError(`AGI argument ${i + 1} of ${command} is not a finite number: ${arg}`);
      text = String(arg);
    } else if (typeof arg === 'string') {
      text = arg;
    } else {
      throw new TypeError(`AGI argument ${i + 1} of ${command} must be a string or a number, got ${typeof arg}`);
    }
    if (FORBIDDEN.test(text)) throw new TypeError(`AGI argument ${i + 1} of ${command} contains CR, LF or NUL`);
    line += ` ${quoteArg(text)}`;
  }
  line += '\n';
  if (line.length * MAX_BYTES_PER_UNIT <= maxBytes) return line;
  const bytes = Buffer.byteLength(line, 'utf8');
  if (bytes > maxBytes)
    throw new RangeError(`AGI command line of ${bytes} bytes exceeds ${maxBytes} bytes (${command})`);
  return line;
}
