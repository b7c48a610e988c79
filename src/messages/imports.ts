/**
 * What an import says about a file and its rows: rows it refuses (`row.*`, and the number's own `number.*`), rows it
 * leaves out on purpose (`skip.*`), and refusals of the whole request (`import.*`).
 */
import { count, q, spec } from './spec.js';

export const IMPORT_MESSAGES = {
  // The file as a whole
  'import.unknown_format': spec(
    [],
    () => 'the file is not CSV, vCard, a FRITZ!Box phonebook or a PhoneBlock list (is it a spreadsheet or a picture?)',
  ),
  /** `lines`: the first ten lines, comma-separated, with ", …" when there are more. */
  'import.rejected': spec(
    ['count', 'lines'],
    (p) =>
      `${count(p.count, 'row is', 'rows are')} not valid (line ${p.lines}); nothing was imported — fix ${Number(p.count) === 1 ? 'it' : 'them'} and import the file again`,
  ),
  'import.needs_kind': spec([], () => 'a CSV import needs a kind, allow or block: a CSV row does not say which'),
  'import.json_needs_kind': spec(
    [],
    () => 'a JSON list needs a kind, allow or block: a plain list of numbers does not say which',
  ),
  'import.vcard_block': spec(
    [],
    () => 'a vCard holds contacts, and contacts are allowed: it cannot be imported as block entries',
  ),
  'import.phoneblock_allow': spec(
    [],
    () => 'a PhoneBlock blocklist holds reported spam numbers: it cannot be imported as allow entries',
  ),
  'import.barring_undeclared': spec(
    [],
    () =>
      'this file is the FRITZ!Box call-barring list (phonebook owner 258), whose numbers the box blocks: to block them here too, declare it so',
  ),

  // A row (or the place in the file) that does not read
  'row.too_many_rows': spec(['max'], (p) => `the file has more than ${p.max} rows; the rest was not read`),
  'row.too_long': spec(
    ['max'],
    (p) => `the row is longer than ${p.max} characters (an unclosed quote?); read on from the next line`,
  ),
  'row.unclosed_quote': spec([], () => 'a quoted field is not closed before the end of the file'),
  'row.bad_score': spec(['value'], (p) => `the score ${q(p.value)} is not a whole number`),
  /** `value`: as the JSON has it (`1.5`, `"many"`). */
  'row.bad_votes': spec(['value'], (p) => `the votes/score ${p.value} is not a whole number`),
  'row.not_vcard': spec([], () => 'no BEGIN:VCARD found: this is not a vCard file'),
  'row.not_fritzbox': spec([], () => 'no <phonebook> found: this is not a FRITZ!Box phonebook'),
  'row.not_phoneblock': spec([], () => 'no <blocklist> found: this is not a PhoneBlock blocklist'),
  /** `detail`: the XML reader's own words (English). */
  'row.broken_xml': spec(['detail'], (p) => `the XML is broken here: ${p.detail}; the rest was not read`),
  'row.json_too_deep': spec(['max'], (p) => `the JSON nests more than ${p.max} levels deep; a number list needs 3`),
  /** `detail`: the JSON parser's own words (English). */
  'row.bad_json': spec(['detail'], (p) => `not valid JSON: ${p.detail}`),
  'row.not_a_list': spec([], () => 'expected a list of numbers: a JSON array, or an object with a "numbers" array'),
  'row.bad_item': spec([], () => 'an item is neither a number nor an object with one'),
  'row.no_phone': spec([], () => 'the item has no "phone" or "number"'),

  // Rows left out on purpose: address books hold them, and a removal is no number to block
  'skip.empty_tel': spec([], () => 'empty TEL'),
  'skip.empty_number': spec([], () => 'empty number'),
  'skip.internal': spec([], () => 'internal extension (starts with "*")'),
  'skip.internal_book': spec([], () => 'internal extension'),
  'skip.sip': spec([], () => 'SIP address, not a phone number'),
  'skip.removal': spec([], () => 'votes 0 (legitimate): removal'),
} as const;
