import {
  type CountryCode,
  type MetadataJson,
  type PhoneNumber,
  parsePhoneNumberWithError,
} from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/metadata.max.json';
import { beginsWithNationalPrefix, countryAmong } from './number-type.js';

/**
 * libphonenumber-js's `parsePhoneNumberWithError` on its max metadata, with one part done faster where that is
 * certain to give the same result: choosing the country when several share the calling code (+1 has 25 countries,
 * +44 four: GB, GG, IM, JE; +7, +39, +61, …). libphonenumber chooses by testing the number against each country's
 * type patterns, compiling every pattern anew (number-type.ts says why that is slow): for a London caller it was about
 * half of the ~45 µs the caller's classification took.
 *
 * Here libphonenumber first parses with metadata in which each shared calling code names only its main country (the
 * one whose rules it reads the digits with anyway), and the country is then chosen the same way with compiled
 * patterns. But libphonenumber also chooses a country while reading the digits: where it could strip a national
 * prefix, it checks the rest's length against that country. So its own parse is kept for a number written without `+`
 * at home in a country that shares its calling code (the home's rules read it: national prefix, calling code without
 * `+`), for one whose digits begin with the main country's national prefix, and for one of a country other than the
 * main one. Numbers of the main country or of none written with `+`, or from a home that shares no calling code with
 * the IDD prefix (London, New York, Moscow callers in Germany), take the quick way. test/numbers/libphonenumber.test.ts
 * compares both ways over every shared calling code.
 */

const max = metadataJson as unknown as MetadataJson;

/** The calling codes several countries share, with those countries, the main one first. */
const SHARED: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries(max.country_calling_codes).filter(([, countries]) => countries.length > 1),
);

/** Countries whose calling code others share too. */
const SHARING: ReadonlySet<string> = new Set([...SHARED.values()].flat());

const MAIN_ONLY: MetadataJson = {
  ...max,
  country_calling_codes: Object.fromEntries(
    Object.entries(max.country_calling_codes).map(([code, countries]) => [code, countries.slice(0, 1)]),
  ),
};

export interface ParsePhoneOptions {
  defaultCountry?: CountryCode;
  extract?: boolean;
}

/** What libphonenumber-js/max's `parsePhoneNumberWithError(text, options)` returns; throws its ParseError as it does. */
export function parsePhone(text: string, options: ParsePhoneOptions): PhoneNumber {
  if (options.defaultCountry !== undefined && SHARING.has(options.defaultCountry) && !text.startsWith('+'))
    return parsePhoneNumberWithError(text, options, max);
  const pn = parsePhoneNumberWithError(text, options, MAIN_ONLY);
  // Written without `+` or the IDD prefix, a number carries its home's calling code: here one no other country shares.
  const countries = SHARED.get(pn.countryCallingCode);
  if (!countries) return pn;
  const main = countries[0] as string;
  const country = countryAmong(countries, pn.nationalNumber);
  if ((country === undefined || country === main) && !beginsWithNationalPrefix(main, pn.nationalNumber)) {
    // libphonenumber sets the chosen country on the PhoneNumber in the same way.
    pn.country = country as CountryCode | undefined;
    return pn;
  }
  return parsePhoneNumberWithError(text, options, max);
}
