import { type Coded, coded } from '../../messages/index.js';
import { type NumberingConfig, normaliseEntry } from '../../numbers/index.js';
import { type NumberFailure, numberFailure } from '../../numbers/normalise.js';

/**
 * A number field longer than this is not a phone number (E.164 has 15 digits; with separators, a `tel:` URI and an
 * extension 100 is plenty), and is refused before libphonenumber's regular expressions see it.
 */
export const MAX_NUMBER_CHARS = 100;

export type EntryOutcome =
  | { ok: true; number: string; prefix: boolean }
  | NumberFailure
  /** Deliberately not imported (an address-book entry that is not a phone number), with the reason. */
  | { ok: false; skip: Coded };

const SIP_SCHEME = /^sips?:/i;

/**
 * Reads the number field of a CSV row or JSON item: anything that does not normalise is an error. Address books
 * are different — see `readAddressBookNumber`.
 */
export function readNumber(
  value: string,
  cfg: NumberingConfig,
): { ok: true; number: string; prefix: boolean } | NumberFailure {
  const s = value.trim();
  if (s === '') return numberFailure(coded('number.missing'));
  if (s.length > MAX_NUMBER_CHARS)
    return numberFailure(coded('number.too_many_characters', { value: `${s.slice(0, 40)}…` }));
  return normaliseEntry(s, cfg);
}

/**
 * Reads a number from a vCard or FRITZ!Box phonebook. Address books hold things that are no phone numbers and are
 * not mistakes either: empty fields, internal extensions (`**610`, DESIGN.md "Numbers": never filtered) and SIP
 * addresses (`500@hd-telefonie.avm.de`, unless the user part is a global number, RFC 3261 §19.1.6). Those are
 * skipped with the reason; what remains must normalise or is an error.
 */
export function readAddressBookNumber(value: string, cfg: NumberingConfig): EntryOutcome {
  const s = value.trim();
  if (s === '') return { ok: false, skip: coded('skip.empty_number') };
  if (s.startsWith('*')) return { ok: false, skip: coded('skip.internal') };
  if (SIP_SCHEME.test(s) || s.includes('@')) {
    const user = s.replace(SIP_SCHEME, '').split('@', 1)[0] ?? '';
    if (!user.trim().startsWith('+')) return { ok: false, skip: coded('skip.sip') };
  }
  return readNumber(s, cfg);
}
