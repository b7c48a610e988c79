/** res_agi.c's MAX_ARGS: parse_args() keeps at most MAX_ARGS - 1 words. */
export const MAX_ARGS = 128;

/**
 * A faithful port of res_agi.c's parse_args(): how Asterisk splits a command line into words. Outside quotes a
 * space or tab ends a word; `"` toggles quoting (and starts a word when it follows whitespace, so `""` is an
 * empty word); `\x` yields `x` anywhere. Used by the fake so that quoting bugs show up in tests exactly as they
 * would against Asterisk. `line` is the command without its trailing `\n` (run_agi() strips only that).
 */
export function parseArgs(line: string): string[] {
  const argv: string[] = [];
  let quoted = false;
  let escaped = false;
  let whitespace = true;
  const normal = (ch: string): void => {
    if (whitespace) {
      // "Too many arguments, truncating": the character is dropped and `escaped` left as it was.
      if (argv.length >= MAX_ARGS - 1) return;
      argv.push('');
      whitespace = false;
    }
    argv[argv.length - 1] += ch;
    escaped = false;
  };
  for (const ch of line) {
    switch (ch) {
      case '"':
        if (escaped) {
          normal(ch);
          break;
        }
        quoted = !quoted;
        if (quoted && whitespace) {
          // Coming off whitespace, an opening quote starts a new word (unchecked against MAX_ARGS in C too).
          argv.push('');
          whitespace = false;
        }
        escaped = false;
        break;
      case ' ':
      case '\t':
        if (!quoted && !escaped) whitespace = true;
        else normal(ch);
        break;
      case '\\':
        if (escaped) normal(ch);
        else escaped = true;
        break;
      default:
        normal(ch);
    }
  }
  return argv;
}
