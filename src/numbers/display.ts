/**
 * Numbers as people at home write them, for the page and the command line: a number of the home country in its
 * national format (`030 1234567`), any other internationally (`+44 20 7946 0018`). Stored and sent numbers stay
 * E.164; this is only how they are shown. A prefix (`+4930123`) is formatted as far as its digits go (`030 123`).
 */
import { AsYouType, ParseError } from 'libphonenumber-js/max';
import { homePlan } from './home.js';
import { parsePhone } from './libphonenumber.js';
import { numberType } from './number-type.js';
import type { NumberingConfig } from './types.js';

/** The national form of `e164`; anything that is not an E.164 number (an extension, a withheld id) as it is. */
export function nationalNumber(e164: string, cfg: NumberingConfig): string {
  if (!e164.startsWith('+')) return e164;
  try {
    const pn = parsePhone(e164, { extract: false });
    // libphonenumber formats only a valid number fully (`+493012` would come out as `3012`); the rest as typed.
    if (numberType(pn) === undefined) return nationalPrefix(e164, cfg);
    return pn.countryCallingCode === homePlan(cfg).callingCode ? pn.formatNational() : pn.formatInternational();
  } catch (err) {
    if (err instanceof ParseError) return e164;
    throw err;
  }
}

/**
 * The national form of a prefix (`+4930123` → `030 123`, `+4420` → `+44 20`), without its `*`; also of a number too
 * short or odd to be valid, formatted as far as its digits go.
 */
export function nationalPrefix(prefix: string, cfg: NumberingConfig): string {
  if (!prefix.startsWith('+')) return prefix;
  const home = homePlan(cfg);
  const digits = prefix.slice(1);
  // A whole country (`+49*`) stays international: `0*` would read as every national number, which it is, but oddly.
  if (digits.startsWith(home.callingCode) && digits.length > home.callingCode.length) {
    const national = (home.nationalPrefix ?? '') + digits.slice(home.callingCode.length);
    return new AsYouType(home.country).input(national);
  }
  return new AsYouType().input(prefix);
}

/** An entry's number or prefix as people write it; `prefix` adds nothing (the `*` is the caller's to show). */
export function displayNumber(number: string, prefix: boolean, cfg: NumberingConfig): string {
  return prefix ? nationalPrefix(number, cfg) : nationalNumber(number, cfg);
}
