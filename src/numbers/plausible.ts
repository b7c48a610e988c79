import { ParseError, parsePhoneNumberWithError, validatePhoneNumberLength } from 'libphonenumber-js/max';

const LENGTH_PROBLEMS: Record<string, string> = {
  TOO_SHORT: 'is too short for a number',
  TOO_LONG: 'is too long for a number',
  INVALID_LENGTH: 'has a length no number has',
};

/**
 * Why an entry's E.164 number is implausible — libphonenumber's `isPossible() && isValid()` on max metadata, the
 * test the policy's implausible step applies to callers — or undefined when it is plausible. A person who types
 * `12` meant something else (a typo, a number cut short); a deliberately short number (a service number such as
 * 22333) is stored on request without this test.
 */
export function implausibility(e164: string): string | undefined {
  try {
    const pn = parsePhoneNumberWithError(e164, { extract: false });
    if (pn.isPossible() && pn.isValid()) return undefined;
    const where = pn.country === undefined ? `under country code +${pn.countryCallingCode}` : `in ${pn.country}`;
    const length = pn.isPossible() ? undefined : LENGTH_PROBLEMS[validatePhoneNumberLength(e164) ?? ''];
    return `${e164} ${length ?? 'is in no range of numbers assigned'} ${where}`;
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    return `${e164} is ${err.message === 'TOO_SHORT' ? 'too short' : 'not a number libphonenumber can read'}`;
  }
}
