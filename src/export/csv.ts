/**
 * Writing CSV (RFC 4180) that spreadsheets open safely (OWASP "CSV Injection"). A caller's name is chosen by the
 * caller, and a spreadsheet runs any cell that starts like a formula. Two things make a field safe:
 * - It is quoted whenever it holds a separator of either kind (`,` and `;`, the list separator of German Excel and
 *   LibreOffice), TAB, CR, LF or `"`: opened with the other separator, an unquoted `a;=1+1` would split into a
 *   second cell that starts with `=`.
 * - A formula start gets a leading `'` (a spreadsheet shows the rest as text) at the start of the field and after
 *   every separator character inside it, because a reader that splits at that character (or a person pasting the
 *   text) makes a new cell there.
 */

/** Characters after which a spreadsheet may start a new cell: both list separators, TAB, line breaks, a quote. */
const SEPARATOR = String.raw`,;\t\r\n"`;
const NEEDS_QUOTES = new RegExp(`[${SEPARATOR}]|^\\s|\\s$`);
/**
 * OWASP's formula starts: `=`, `+`, `-`, `@`, and TAB and CR, which some spreadsheets skip before a formula; spaces
 * before them too (a spreadsheet that trims cells would see the formula).
 */
const FORMULA_START = /^ *[=+\-@\t\r]/;
/** A formula start after a separator character inside the field (and any spaces): the `'` goes right before it. */
const FORMULA_AFTER_SEPARATOR = new RegExp(`([${SEPARATOR}] *)(?=[=+\\-@])`, 'g');
/** E.164 numbers and prefixes (`+4930…`, `+4930…*`) are ours, not a caller's text: left as they are. */
const E164 = /^\+\d+\*?$/;

/** Text as a spreadsheet must show it: every formula start turned into text. */
function neutralised(s: string): string {
  if (E164.test(s)) return s;
  const inner = s.replace(FORMULA_AFTER_SEPARATOR, "$1'");
  return FORMULA_START.test(inner) ? `'${inner}` : inner;
}

export function csvField(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  const s = typeof value === 'string' ? neutralised(value) : String(value);
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record with its CRLF. */
export function csvLine(fields: readonly (string | number | boolean | undefined | null)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function isoTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
