import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { splitAddress, type Address } from './address.js';
import { homePlan, startsWithCallingCode } from './home.js';
import { dropTrunkZero, MAX_E164_DIGITS, parseE164, parseNumber, SEPARATORS, type ParseFailure } from './parse.js';
import type { NumberingConfig, NumberType } from './types.js';
import { WITHHELD_WORDS } from './withheld.js';

export type NormalisedNumber =
  | { ok: true; e164: string; country?: string; type?: NumberType; plausible: boolean }
  | { ok: false; error: string };

export type NormalisedEntry = { ok: true; number: string; prefix: boolean } | { ok: false; error: string };

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

const FAILURE_REASONS: Record<ParseFailure, string> = {
  NOT_A_NUMBER: 'it contains characters other than digits, spaces and + - / . ( )',
  TOO_SHORT: 'it is too short',
  TOO_LONG: `it has more than ${MAX_E164_DIGITS} digits`,
  INVALID_COUNTRY: 'it does not start with a known country calling code',
  EXTENSION: 'it has an extension (x…, ext., #), which a caller id never carries',
};

const q = (s: string): string => JSON.stringify(s);
const fail = (input: string, why: string): { ok: false; error: string } => ({
  ok: false,
  error: `${q(input)} is not a phone number: ${why}`,
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
  if (n.failure !== undefined) return fail(s, FAILURE_REASONS[n.failure]);
  if (n.e164.length - 1 > MAX_E164_DIGITS) return fail(s, FAILURE_REASONS.TOO_LONG);
  const ok: NormalisedNumber = { ok: true, e164: n.e164, plausible: n.plausible };
  if (n.country !== undefined) ok.country = n.country;
  if (n.type !== undefined) ok.type = n.type;
  return ok;
}

/** The part of `s` (trimmed) to parse, or why it cannot be a single phone number. */
function check(s: string): { ok: true; user: string } | { ok: false; error: string } {
  const address = splitAddress(s);
  const refused = refuse(s, address);
  if (refused !== undefined) return { ok: false, error: refused };
  if (s.endsWith('*')) {
    return { ok: false, error: `${q(s)} is a range of numbers (it ends in "*"), not a single phone number` };
  }
  return { ok: true, user: address.user };
}

/** Why `s` (trimmed) cannot be a phone number before any parsing, or undefined. */
function refuse(s: string, address: Address): string | undefined {
  if (s === '') return `${q(s)} is not a phone number: it is empty`;
  if (WITHHELD_WORDS.has(s.toLowerCase())) return `${q(s)} is not a phone number: it is what a withheld caller id says`;
  if (s.startsWith('*')) return `${q(s)} is an internal extension (it starts with "*"), not a phone number`;
  // A SIP address is only a phone number when its user part is a global number (RFC 3261 §19.1.6: `sip:+49…@host`).
  if (address.form === 'sip' && !address.user.startsWith('+')) {
    return `${q(s)} is a SIP address, not a phone number`;
  }
  if (!DIGIT.test(address.user)) return `${q(s)} is not a phone number: it has no digits`;
  if (!SIGNIFICANT_DIGIT.test(address.user)) return `${q(s)} is not a phone number: it has no digits other than 0`;
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
    if ('failure' in n) return fail(s, FAILURE_REASONS[n.failure]);
    if (n.e164.length - 1 > MAX_E164_DIGITS) return fail(s, FAILURE_REASONS.TOO_LONG);
    return { ok: true, number: n.e164, prefix: false };
  }

  const body = s.slice(0, -1).trim();
  if (!PREFIX_CHARS.test(body)) {
    return fail(s, 'a prefix entry is digits followed by one "*", like "+49301234*" or "030 1234*"');
  }
  const home = homePlan(cfg);
  const { compact } = dropTrunkZero(body, home);
  const digits = compact.replace(NON_DIGITS, '');
  if (!DIGIT.test(digits)) {
    return { ok: false, error: `${q(s)} is too broad a prefix: it has no digits before the "*"` };
  }

  let e164Digits: string;
  if (compact.startsWith('+')) e164Digits = digits;
  else if (home.iddPrefix !== undefined && digits.startsWith(home.iddPrefix)) {
    e164Digits = digits.slice(home.iddPrefix.length);
  } else if (home.nationalPrefix === undefined) e164Digits = home.callingCode + digits;
  else if (digits.startsWith(home.nationalPrefix)) {
    e164Digits = home.callingCode + digits.slice(home.nationalPrefix.length);
  } else if (home.areaCode !== undefined) e164Digits = home.callingCode + home.areaCode + digits;
  else {
    return {
      ok: false,
      error: `${q(s)} is a prefix without area code, and no home area code is configured; write it with its area code or as +…*`,
    };
  }

  if (!startsWithCallingCode(e164Digits)) {
    return {
      ok: false,
      error: `${q(s)} is too broad a prefix: "+${e164Digits}" is not a whole country calling code; a prefix needs at least one, like "+44*"`,
    };
  }
  if (e164Digits.length > MAX_E164_DIGITS) return fail(s, FAILURE_REASONS.TOO_LONG);
  return { ok: true, number: '+' + e164Digits, prefix: true };
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
    const pn = parsePhoneNumberWithError(e164, { extract: false });
    const out: { country?: string; type?: NumberType } = {};
    if (pn.country !== undefined) out.country = pn.country;
    const type = pn.isValid() ? pn.getType() : undefined;
    if (type !== undefined) out.type = type;
    return out;
  } catch {
    return {};
  }
}
