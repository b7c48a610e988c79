import type { Address } from './address.js';

// Presentation bits of `agi_callingpres` (Asterisk include/asterisk/callerid.h): the restriction field is 0x60;
// 0x00 allowed, 0x20 restricted (32–35 with the screening bits), 0x40 unavailable (67 = AST_PRES_NUMBER_NOT_AVAILABLE),
// 0x60 reserved. Anything but "allowed" means the number must not be treated as presented.
const AST_PRES_RESTRICTION = 0x60;
const AST_PRES_ALLOWED = 0x00;

/**
 * True when Asterisk says the number is not to be presented. This wins over a number in the caller id: a trusted
 * P-Asserted-Identity with `Privacy: id` arrives as the real number with presentation 32.
 */
export function isWithheldPresentation(presentation: number | undefined): boolean {
  if (presentation === undefined || !Number.isInteger(presentation)) return false;
  return (presentation & AST_PRES_RESTRICTION) !== AST_PRES_ALLOWED;
}

/** What trunks and phones write instead of a number (compared lower-cased). All lack digits; the list documents. */
export const WITHHELD_WORDS: ReadonlySet<string> = new Set([
  '',
  'unknown',
  'anonymous',
  'restricted',
  'private',
  'unavailable',
  'withheld',
]);

/** RFC 3323 §4.1.1.3: an anonymous From is `"Anonymous" <sip:anonymous@anonymous.invalid>`. */
const ANONYMOUS_HOST = 'anonymous.invalid';

const SIGNIFICANT_DIGIT = /[1-9]/;

/**
 * True when an address carries no number: a withheld word, the RFC 3323 anonymous host, or no significant digit
 * (`+`, `abc`, and also `0`/`00`, which some gateways send for "no number").
 */
export function isWithheldAddress(address: Address): boolean {
  if (address.host !== undefined && address.host.toLowerCase() === ANONYMOUS_HOST) return true;
  if (WITHHELD_WORDS.has(address.user.toLowerCase())) return true;
  return !SIGNIFICANT_DIGIT.test(address.user);
}
