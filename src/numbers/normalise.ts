import { type Code, type Coded, coded, type Params, render } from '../messages/index.js';
import { type Address, splitAddress } from './address.js';
import { homePlan, startsWithCallingCode } from './home.js';
import { parsePhone } from './libphonenumber.js';
import { numberType } from './number-type.js';
import { dropTrunkZero, MAX_E164_DIGITS, type ParseFailure, parseE164, parseNumber, SEPARATORS } from './parse.js';
import type { NumberingConfig, NumberType } from './types.js';
import { WITHHELD_WORDS } from './withheld.js';

/** Why a text is not a number: the English sentence, and its code and parameters (messages/numbers.ts). */
export interface NumberFailure {
  ok: false;
  error: string;
  code: Code;
  params: Params;
}

export type NormalisedNumber =
  | { ok: true; e164: string; country?: string; type?: NumberType; plausible: boolean }
  | NumberFailure;

export type NormalisedEntry = { ok: true; number: string; prefix: boolean } | NumberFailure;

const SIGNIFICANT_DIGIT = /[1-9]/;
const DIGIT = /\d/;
/** What a prefix entry may contain before its `*`: digits, a leading `+`, separators. */
const PREFIX_CHARS = /^\+?[\d\s\u00a0\-./()]*$/;
const NON_DIGITS = /\D/g;
/** A called number as the dialplan passes it: `+49…`, `030…`, `1001`; `s`, `i` and names are not numbers. */
const DID_CHARS = /^\+?[\d\s\u00a0\-./()]+$/;
/**
 * A called number without `+` or trunk prefix shorter than this is an extension or a short DID (`1001`, `222222`)
 * and stays as it is; longer ones are national numbers without `0` or bare international ones (`49301234567`).
 */
const MIN_BARE_DID_DIGITS = 7;

const FAILURE_CODES: Record<ParseFailure, Code> = {
  NOT_A_NUMBER: 'number.characters',
  TOO_SHORT: 'number.too_short',
  TOO_LONG: 'number.too_long',
  INVALID_COUNTRY: 'number.country_code',
  EXTENSION: 'number.extension',
};

export const numberFailure = (message: Coded): NumberFailure => ({
  ok: false,
  error: render(message),
  code: message.code,
  params: message.params,
});
const fail = (input: string, why: ParseFailure): NumberFailure =>
  numberFailure({
    code: FAILURE_CODES[why],
    params: why === 'TOO_LONG' ? { value: input, max: MAX_E164_DIGITS } : { value: input },
  });

/**
 * Normalises a number typed by a person or read from an import (admin API, CLI, CSV, vCard, FRITZ!Box) to E.164.
 * Implausible numbers are accepted with `plausible: false` — a blocklist must be able to hold the made-up numbers
 * robots send; the caller decides whether to warn. Errors are sentences that name the input.
 */
export function normaliseNumber(input: string, cfg: NumberingConfig): NormalisedNumber {
  const s = input.trim();
  const checked = check(s);
  if (!checked.ok) return checked;
  const n = parseNumber(checked.user, cfg, { local: true });
  if (n.failure !== undefined) return fail(s, n.failure);
  if (n.e164.length - 1 > MAX_E164_DIGITS) return fail(s, 'TOO_LONG');
  const ok: NormalisedNumber = { ok: true, e164: n.e164, plausible: n.plausible };
  if (n.country !== undefined) ok.country = n.country;
  if (n.type !== undefined) ok.type = n.type;
  return ok;
}

/** The part of `s` (trimmed) to parse, or why it cannot be a single phone number. */
function check(s: string): { ok: true; user: string } | NumberFailure {
  const address = splitAddress(s);
  const refused = refuse(s, address);
  if (refused !== undefined) return numberFailure(refused);
  if (s.endsWith('*')) return numberFailure(coded('number.range', { value: s }));
  return { ok: true, user: address.user };
}

/** Why `s` (trimmed) cannot be a phone number before any parsing, or undefined. */
function refuse(s: string, address: Address): Coded | undefined {
  const value = { value: s };
  if (s === '') return coded('number.empty', value);
  if (WITHHELD_WORDS.has(s.toLowerCase())) return coded('number.withheld_word', value);
  if (s.startsWith('*')) return coded('number.internal', value);
  // A SIP address is only a phone number when its user part is a global number (RFC 3261 §19.1.6: `sip:+49…@host`).
  if (address.form === 'sip' && !address.user.startsWith('+')) return coded('number.sip', value);
  if (!DIGIT.test(address.user)) return coded('number.no_digits', value);
  if (!SIGNIFICANT_DIGIT.test(address.user)) return coded('number.only_zeros', value);
  return undefined;
}

/**
 * Normalises a blocklist or allowlist entry. A trailing `*` makes a prefix entry (`+49301234*`, `0401234567*`,
 * `030 1234*` → `+49301234`), written in E.164 form but not checked for validity: a prefix is not a full number.
 *
 * A prefix must contain at least a whole country calling code (`+1*`, `+44*`, `+49*` are whole-country blocks and
 * allowed; `+4*` or `+*` would block several countries by accident and are refused). A prefix without trunk prefix
 * or `+` (`1234*`) is local: it gets the home area code, and is refused when none is configured.
 */
export function normaliseEntry(input: string, cfg: NumberingConfig): NormalisedEntry {
  const s = input.trim();
  if (!s.endsWith('*') || s.startsWith('*')) {
    // An entry stores only the number: parse without classifying it (what normaliseNumber adds costs as much again).
    const checked = check(s);
    if (!checked.ok) return checked;
    const n = parseE164(checked.user, cfg, { local: true });
    if ('failure' in n) return fail(s, n.failure);
    if (n.e164.length - 1 > MAX_E164_DIGITS) return fail(s, 'TOO_LONG');
    return { ok: true, number: n.e164, prefix: false };
  }

  const body = s.slice(0, -1).trim();
  if (!PREFIX_CHARS.test(body)) return numberFailure(coded('number.prefix_form', { value: s }));
  const home = homePlan(cfg);
  const { compact } = dropTrunkZero(body, home);
  const digits = compact.replace(NON_DIGITS, '');
  if (!DIGIT.test(digits)) return numberFailure(coded('number.prefix_empty', { value: s }));

  let e164Digits: string;
  if (compact.startsWith('+')) e164Digits = digits;
  else if (home.iddPrefix !== undefined && digits.startsWith(home.iddPrefix)) {
    e164Digits = digits.slice(home.iddPrefix.length);
  } else if (home.nationalPrefix === undefined) e164Digits = home.callingCode + digits;
  else if (digits.startsWith(home.nationalPrefix)) {
    e164Digits = home.callingCode + digits.slice(home.nationalPrefix.length);
  } else if (home.areaCode !== undefined) e164Digits = home.callingCode + home.areaCode + digits;
  else return numberFailure(coded('number.prefix_no_area_code', { value: s }));

  if (!startsWithCallingCode(e164Digits))
    return numberFailure(coded('number.prefix_too_broad', { value: s, start: `+${e164Digits}` }));
  if (e164Digits.length > MAX_E164_DIGITS) return fail(s, 'TOO_LONG');
  return { ok: true, number: `+${e164Digits}`, prefix: true };
}

/**
 * Normalises the called number the dialplan passes (`${EXTEN}`, `${FROM_DID}`) to E.164 when it is one; anything
 * else (`s`, `1001`, a name) comes back trimmed, unchanged. No local-number rule: a DID is never dialled locally.
 */
export function normaliseDid(did: string, cfg: NumberingConfig): string {
  const s = did.trim();
  if (!DID_CHARS.test(s)) return s;
  const home = homePlan(cfg);
  const compact = s.replace(SEPARATORS, '');
  const prefixed =
    compact.startsWith('+') || (home.nationalPrefix !== undefined && compact.startsWith(home.nationalPrefix));
  if (!prefixed && compact.length < MIN_BARE_DID_DIGITS) return s;
  const n = parseNumber(s, cfg, { local: false });
  if (n.failure !== undefined) return s;
  // Our own numbers cannot be spoofed, so a prefixed DID only has to be possible; a bare one must be valid
  // (libphonenumber reads `49301234567` as +49 30 1234567 only when that is valid).
  return (prefixed ? n.possible : n.plausible) ? n.e164 : s;
}

/** Country and type of an E.164 number, for display. Unknown parts are left out. */
export function describeNumber(e164: string): { country?: string; type?: NumberType } {
  if (!e164.startsWith('+')) return {};
  try {
    const pn = parsePhone(e164, { extract: false });
    const out: { country?: string; type?: NumberType } = {};
    if (pn.country !== undefined) out.country = pn.country;
    const type = numberType(pn);
    if (type !== undefined) out.type = type;
    return out;
  } catch {
    return {};
  }
}
