import { ParseError, validatePhoneNumberLength } from 'libphonenumber-js/max';
import { implausibleText } from '../messages/index.js';
import { parsePhone } from './libphonenumber.js';
import { numberType } from './number-type.js';

const LENGTH_PROBLEMS: Record<string, Implausible['problem']> = {
  TOO_SHORT: 'too_short',
  TOO_LONG: 'too_long',
  INVALID_LENGTH: 'invalid_length',
};

/** Why a number is implausible, as the message `number.implausible` takes it (messages/numbers.ts). */
export interface Implausible {
  number: string;
  problem: 'too_short' | 'too_long' | 'invalid_length' | 'unassigned' | 'unreadable';
  /** The country (`DE`), `+` and the calling code when libphonenumber names none, or empty when too short to tell. */
  region: string;
}

/**
 * Why an entry's E.164 number is implausible — libphonenumber's `isPossible() && isValid()` on max metadata, the
 * test the policy's implausible step applies to callers — or undefined when it is plausible. A person who types
 * `12` meant something else (a typo, a number cut short); a deliberately short number (a service number such as
 * 22333) is stored on request without this test.
 */
export function implausible(e164: string): Implausible | undefined {
  try {
    const pn = parsePhone(e164, { extract: false });
    if (pn.isPossible() && numberType(pn) !== undefined) return undefined;
    const region = pn.country ?? `+${pn.countryCallingCode}`;
    const length = pn.isPossible() ? undefined : LENGTH_PROBLEMS[validatePhoneNumberLength(e164) ?? ''];
    return { number: e164, problem: length ?? 'unassigned', region };
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    return err.message === 'TOO_SHORT'
      ? { number: e164, problem: 'too_short', region: '' }
      : { number: e164, problem: 'unreadable', region: '' };
  }
}

/** The same in words: `+4912 is too short for a number in DE`. */
export function implausibility(e164: string): string | undefined {
  const why = implausible(e164);
  return why && implausibleText(why);
}
