import { ParseError, type PhoneNumber } from 'libphonenumber-js/max';
import { type HomePlan, homePlan } from './home.js';
import { parsePhone } from './libphonenumber.js';
import { numberType } from './number-type.js';
import type { NumberingConfig, NumberType } from './types.js';

/** What parsing made of a number. `e164` is always set: the best `+digits` form, even for nonsense. */
export interface ParsedNumber {
  e164: string;
  country?: string;
  type?: NumberType;
  /**
   * libphonenumber's `isPossible() && isValid()` on max metadata: the length fits the country AND the digits fall in
   * a range assigned to some number type. Length alone (`isPossible`) would pass unassigned ranges such as
   * +49 11 1234567 or Ofcom's drama range +44 1632 960xxx, which robots use. The price: a range assigned after the
   * installed libphonenumber-js release looks implausible until the package is updated.
   */
  plausible: boolean;
  /** libphonenumber's `isPossible()` alone: the length fits the country. */
  possible: boolean;
  /** Why libphonenumber could not parse it at all; `e164` is then built from the digits alone. */
  failure?: ParseFailure;
}

/** libphonenumber's ParseError messages (all of them, as of 1.13). */
export type ParseFailure = 'NOT_A_NUMBER' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_COUNTRY' | 'EXTENSION';
const FAILURES: ReadonlySet<string> = new Set<ParseFailure>([
  'NOT_A_NUMBER',
  'TOO_SHORT',
  'TOO_LONG',
  'INVALID_COUNTRY',
]);

/**
 * A local number (dialled without area code) has at most this many digits: German subscriber numbers are at most
 * 8 digits long (Berlin, Hamburg). A longer string without trunk prefix is a national or bare international number
 * that lost its prefix (`301234567`, `49301234567`), and libphonenumber reads those correctly by itself.
 */
export const MAX_LOCAL_DIGITS = 8;

/** E.164 §6.1: at most 15 digits after the `+`. */
export const MAX_E164_DIGITS = 15;

/** Punctuation people and exports put between digits (NBSP included: spreadsheets and vCards carry it). */
export const SEPARATORS = /[\s\u00a0\-./()[\]]/g;
const ALL_DIGITS = /^\d+$/;
const NON_DIGITS = /\D/g;
/** `+49 (0)30 …`: the trunk prefix in parentheses, written for national dialling; never part of the number. */
const TRUNK_ZERO = /\(\s*0\s*\)/g;

/**
 * Drops `(0)` from an international number (`+49 (0)30 …`, `0049 (0)30 …`, even `+4930 (0) 1234567`: libphonenumber
 * only drops it right after the country code). In a national number `(0)30` the 0 is the trunk prefix and stays.
 * Returns the text and its compact form (separators removed).
 */
export function dropTrunkZero(text: string, home: HomePlan): { text: string; compact: string } {
  const compact = text.replace(SEPARATORS, '');
  if (!text.includes('(') || !isInternational(compact, home.iddPrefix)) return { text, compact };
  const dropped = text.replace(TRUNK_ZERO, ' ');
  return { text: dropped, compact: dropped.replace(SEPARATORS, '') };
}

export interface ParseOptions {
  /** Prepend the home area code to short numbers without trunk prefix (caller ids, address books — not DIDs). */
  local: boolean;
}

/**
 * A local number: digits only, short, without trunk or international prefix (`222222`). Only a home area code makes
 * it a number; only countries with a trunk prefix have local numbers (elsewhere the area code is always dialled).
 */
export function isLocalNumber(compact: string, home: HomePlan): boolean {
  return (
    home.nationalPrefix !== undefined &&
    compact.length <= MAX_LOCAL_DIGITS &&
    ALL_DIGITS.test(compact) &&
    !compact.startsWith(home.nationalPrefix) &&
    !(home.iddPrefix !== undefined && compact.startsWith(home.iddPrefix))
  );
}

/** libphonenumber's reading of a number, before it is classified. */
type Reading = { pn: PhoneNumber; failure?: undefined } | { pn?: undefined; failure: ParseFailure; compact: string };

/** The local-number rule and `(0)`, then libphonenumber's parse. Never throws. */
function read(text: string, cfg: NumberingConfig, options: ParseOptions): Reading {
  const home = homePlan(cfg);
  let { text: s, compact } = dropTrunkZero(text, home);

  if (options.local && home.areaCode !== undefined && isLocalNumber(compact, home)) {
    // A local number: with home area code 30, `222222` is `030 222222`.
    s = home.nationalPrefix + home.areaCode + compact;
    compact = s;
  }

  try {
    // extract: false — the whole string must be the number; with extraction `**610` would come out as +49610.
    const pn = parsePhone(s, { defaultCountry: home.country, extract: false });
    // libphonenumber reads `x`, `ext.`, `#` as an extension and drops the rest (`0301 12x4567` → +4930112). A caller
    // id never carries one, so a number written with it is refused rather than silently cut.
    if (pn.ext !== undefined) return { failure: 'EXTENSION', compact };
    return { pn };
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    return { failure: FAILURES.has(err.message) ? (err.message as ParseFailure) : 'NOT_A_NUMBER', compact };
  }
}

/**
 * Parses a phone number as written (national, `00…`, `+…`, `+49 (0)30…`, with separators and `-extension` digits)
 * against the home country, and classifies it (country, type, plausibility). Never throws.
 */
export function parseNumber(text: string, cfg: NumberingConfig, options: ParseOptions): ParsedNumber {
  const r = read(text, cfg, options);
  if (r.failure !== undefined)
    return { e164: e164FromDigits(r.compact, homePlan(cfg)), plausible: false, possible: false, failure: r.failure };
  const { pn } = r;
  const possible = pn.isPossible();
  // With max metadata (which has number types) isValid() is exactly `getType() !== undefined`
  // (libphonenumber-js source/isValid.js), so one question answers both.
  const type = possible ? numberType(pn) : undefined;
  const parsed: ParsedNumber = { e164: pn.number, plausible: type !== undefined, possible };
  if (pn.country !== undefined) parsed.country = pn.country;
  if (type !== undefined) parsed.type = type;
  return parsed;
}

/**
 * Only the E.164 form, without classification — for entries and imports, which store the number and never ask
 * its type. The classification adds about 40 % to the parse, and a 1,000,000-row import must finish in 30 s.
 */
export function parseE164(
  text: string,
  cfg: NumberingConfig,
  options: ParseOptions,
): { e164: string } | { failure: ParseFailure } {
  const r = read(text, cfg, options);
  return r.failure !== undefined ? { failure: r.failure } : { e164: r.pn.number };
}

export function isInternational(compact: string, iddPrefix: string | undefined): boolean {
  return compact.startsWith('+') || (iddPrefix !== undefined && compact.startsWith(iddPrefix));
}

/**
 * The best E.164 form from the digits alone, for what libphonenumber refuses: `+…` and `00…` keep their country
 * code, a national `0…` gets the home country code instead of the trunk prefix, anything else gets the home country
 * code in front. Letters and other non-digits are dropped (`+4930abc` → `+4930`).
 */
export function e164FromDigits(compact: string, home: HomePlan): string {
  const digits = compact.replace(NON_DIGITS, '');
  if (compact.startsWith('+')) return `+${digits}`;
  if (home.iddPrefix !== undefined && digits.startsWith(home.iddPrefix))
    return `+${digits.slice(home.iddPrefix.length)}`;
  if (home.nationalPrefix !== undefined && digits.startsWith(home.nationalPrefix)) {
    return `+${home.callingCode}${digits.slice(home.nationalPrefix.length)}`;
  }
  return `+${home.callingCode}${digits}`;
}
