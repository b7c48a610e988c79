/** Small helpers for the English sentences the service and the command line write for people. */

/** `1 row`, `2 rows`, `1,000 rows`: a count with its noun in the right number (`count(n, 'entry', 'entries')`). */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** `a block entry`, `an allow entry`: the indefinite article by the word's first letter (enough for our words). */
export function withArticle(phrase: string): string {
  return `${/^[aeiou]/i.test(phrase) ? 'an' : 'a'} ${phrase}`;
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
/** C0 and C1 controls (line breaks, ESC of terminal sequences) and Unicode's line and paragraph separators. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * A label or note on one line of output: line breaks and other control characters become visible escapes (`\n`,
 * `\u001b`), so one entry stays one line for `grep` and `head`, and a label from an imported file cannot move the
 * terminal's cursor.
 */
export function oneLine(text: string): string {
  return text.replace(CONTROLS, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
