/** Writing CSV (RFC 4180) that spreadsheets open safely. */

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
/**
 * A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection: a caller's name is chosen
 * by the caller). Such text gets a leading `'`. E.164 numbers (`+4930…`, `+4930…*`) are left alone: they are ours.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const E164 = /^\+\d+\*?$/;

export function csvField(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && FORMULA_START.test(s) && !E164.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record with its CRLF. */
export function csvLine(fields: readonly (string | number | boolean | undefined | null)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function isoTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
