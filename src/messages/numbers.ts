/** Why a text is not a phone number or prefix (numbers/normalise.ts, importers/entry.ts, numbers/plausible.ts). */
import { q, spec } from './spec.js';

export const NUMBER_MESSAGES = {
  'number.empty': spec(['value'], (p) => `${q(p.value)} is not a phone number: it is empty`),
  'number.missing': spec([], () => 'the number is missing'),
  'number.withheld_word': spec(
    ['value'],
    (p) => `${q(p.value)} is not a phone number: it is what a withheld caller id says`,
  ),
  'number.internal': spec(
    ['value'],
    (p) => `${q(p.value)} is an internal extension (it starts with "*"), not a phone number`,
  ),
  'number.sip': spec(['value'], (p) => `${q(p.value)} is a SIP address, not a phone number`),
  'number.no_digits': spec(['value'], (p) => `${q(p.value)} is not a phone number: it has no digits`),
  'number.only_zeros': spec(['value'], (p) => `${q(p.value)} is not a phone number: it has no digits other than 0`),
  'number.range': spec(
    ['value'],
    (p) => `${q(p.value)} is a range of numbers (it ends in "*"), not a single phone number`,
  ),
  'number.characters': spec(
    ['value'],
    (p) => `${q(p.value)} is not a phone number: it contains characters other than digits, spaces and + - / . ( )`,
  ),
  'number.too_short': spec(['value'], (p) => `${q(p.value)} is not a phone number: it is too short`),
  'number.too_long': spec(
    ['value', 'max'],
    (p) => `${q(p.value)} is not a phone number: it has more than ${p.max} digits`,
  ),
  /** `value` is the start of the text, cut and ending in "…". */
  'number.too_many_characters': spec(['value'], (p) => `${q(p.value)} is not a phone number: it is too long`),
  'number.country_code': spec(
    ['value'],
    (p) => `${q(p.value)} is not a phone number: it does not start with a known country calling code`,
  ),
  'number.extension': spec(
    ['value'],
    (p) => `${q(p.value)} is not a phone number: it has an extension (x…, ext., #), which a caller id never carries`,
  ),
  'number.prefix_form': spec(
    ['value'],
    (p) =>
      `${q(p.value)} is not a phone number: a prefix entry is digits followed by one "*", like "+49301234*" or "030 1234*"`,
  ),
  'number.prefix_empty': spec(['value'], (p) => `${q(p.value)} is too broad a prefix: it has no digits before the "*"`),
  'number.prefix_no_area_code': spec(
    ['value'],
    (p) =>
      `${q(p.value)} is a prefix without area code, and no home area code is configured; write it with its area code or as +…*`,
  ),
  /** `start`: the prefix in E.164 (`+4`), which is no whole country calling code. */
  'number.prefix_too_broad': spec(
    ['value', 'start'],
    (p) =>
      `${q(p.value)} is too broad a prefix: ${q(p.start)} is not a whole country calling code; a prefix needs at least one, like "+44*"`,
  ),
  'number.prefix_unexpected': spec(['value'], (p) => `${q(p.value)} ends in "*" (a prefix) but prefix is false`),
  /**
   * An exact number libphonenumber calls impossible or unassigned. `number`: its E.164 form; `problem`: too_short,
   * too_long, invalid_length (no number of its country has that length), unassigned (in no range of numbers
   * assigned) or unreadable; `region`: the country (`DE`), `+` and the calling code when it has none, or empty when
   * the number is too short to tell.
   */
  'number.implausible': spec(
    ['value', 'number', 'problem', 'region'],
    (p) =>
      `${q(p.value)} is not a plausible phone number: ${implausibleText(p)}; for a deliberately short number (a service number) send "short": true`,
  ),
} as const;

const PROBLEMS: Record<string, string> = {
  too_short: 'is too short for a number',
  too_long: 'is too long for a number',
  invalid_length: 'has a length no number has',
  unassigned: 'is in no range of numbers assigned',
};

/** `+4912 is too short for a number in DE`: the part after the colon, also for the command line's wording. */
export function implausibleText(p: {
  number: string | number;
  problem: string | number;
  region: string | number;
}): string {
  if (p.problem === 'unreadable') return `${p.number} is not a number libphonenumber can read`;
  // libphonenumber could not even tell the country: the number is too short to have one.
  if (p.region === '') return `${p.number} is too short`;
  const where = String(p.region).startsWith('+') ? `under country code ${p.region}` : `in ${p.region}`;
  return `${p.number} ${PROBLEMS[String(p.problem)] ?? PROBLEMS.unassigned} ${where}`;
}
