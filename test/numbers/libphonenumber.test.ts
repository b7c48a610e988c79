/**
 * parsePhone() is libphonenumber-js/max's parsePhoneNumberWithError with the country among those sharing a calling
 * code chosen with compiled patterns: for every shared calling code, whatever the number and however it is written,
 * it must give what libphonenumber gives — the same number, country, national number and possibility, or the same
 * error.
 */
import { Metadata } from 'libphonenumber-js/core';
import {
  type CountryCode,
  getCountryCallingCode,
  type PhoneNumber,
  parsePhoneNumberWithError,
} from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';
import { describe, expect, it } from 'vitest';
import { type ParsePhoneOptions, parsePhone } from '../../src/numbers/libphonenumber.js';
import { seededRandom } from '../helpers/random.js';

const SHARED = Object.entries(metadata.country_calling_codes).filter(([, countries]) => countries.length > 1);

function outcome(parse: () => PhoneNumber): string {
  try {
    const pn = parse();
    return [pn.number, pn.country ?? '-', pn.nationalNumber, pn.isPossible(), pn.ext ?? ''].join(' ');
  } catch (err) {
    return `error ${(err as Error).message}`;
  }
}

const same = (text: string, options: ParsePhoneOptions) => ({
  text,
  options,
  ours: outcome(() => parsePhone(text, options)),
  theirs: outcome(() => parsePhoneNumberWithError(text, options)),
});

/** The national lengths a country's numbers have, and its national prefix (a method the typings leave out). */
function planOf(country: string): { lengths: number[]; trunk: string } {
  const m = new Metadata(metadata);
  m.selectNumberingPlan(country as CountryCode);
  const plan = m.numberingPlan as (typeof m.numberingPlan & { nationalPrefix(): string | undefined }) | undefined;
  return { lengths: plan?.possibleLengths() ?? [], trunk: plan?.nationalPrefix() ?? '' };
}

describe('parsePhone', () => {
  it('gives what libphonenumber gives for every country sharing a calling code, written every way', () => {
    const next = seededRandom(7_12_2026);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join('');
    const differ: string[] = [];
    const countries = new Map<string, number>();
    let compared = 0;
    for (const [code, members] of SHARED) {
      for (const home of members) {
        const { lengths, trunk } = planOf(home);
        for (const length of lengths) {
          for (let i = 0; i < 40; i++) {
            const nsn = `${i % 10}${digits(length - 1)}`;
            for (const c of [
              same(`+${code}${nsn}`, { extract: false }),
              same(`+${code}${trunk}${nsn}`, { extract: false }),
              same(`+${code}${nsn}`, { defaultCountry: home as CountryCode, extract: false }),
              same(`00${code}${nsn}`, { defaultCountry: 'DE', extract: false }),
              same(`${trunk}${nsn}`, { defaultCountry: home as CountryCode, extract: false }),
              same(`${code}${nsn}`, { defaultCountry: home as CountryCode, extract: false }),
            ]) {
              compared++;
              const country = c.theirs.split(' ')[1] ?? 'error';
              countries.set(country, (countries.get(country) ?? 0) + 1);
              if (c.ours !== c.theirs)
                differ.push(`${c.text} ${JSON.stringify(c.options)}: ${c.ours} instead of ${c.theirs}`);
            }
          }
        }
      }
    }
    expect(differ).toEqual([]);
    expect(compared).toBeGreaterThan(10_000);
    // Beyond the main countries: numbers of the smaller ones, and numbers no country takes.
    for (const country of ['GB', 'JE', 'GG', 'IM', 'US', 'CA', 'JM', 'RU', 'KZ', 'VA', 'AX', 'YT', '-'])
      expect(countries.get(country) ?? 0, country).toBeGreaterThan(0);
  });

  it('places numbers of countries that share a calling code', () => {
    const country = (text: string, defaultCountry?: CountryCode) =>
      parsePhone(text, defaultCountry ? { defaultCountry, extract: false } : { extract: false }).country;
    expect(country('+442079460958')).toBe('GB');
    expect(country('+441534456789')).toBe('JE');
    expect(country('+441481256789')).toBe('GG');
    expect(country('+441624756789')).toBe('IM');
    expect(country('+447624123456')).toBe('IM');
    expect(country('+12025550143')).toBe('US');
    expect(country('+14165550143')).toBe('CA');
    expect(country('+18765550143')).toBe('JM');
    expect(country('+77172123456')).toBe('KZ');
    expect(country('+74951234567')).toBe('RU');
    expect(country('+390669812345')).toBe('VA');
    expect(country('0035818123456', 'DE')).toBe('AX');
    // In none of +44's ranges: no country, or the home country for a number written nationally.
    expect(country('+44111')).toBeUndefined();
    expect(country('0111111', 'JE')).toBe('JE');
    expect(getCountryCallingCode('JE')).toBe('44');
  });

  it('reads a national prefix after the calling code as libphonenumber does, whatever country the rest is of', () => {
    // libphonenumber strips the national prefix only when the rest has a length of the country it belongs to:
    // Canada has 7-digit numbers (310 xxxx) the United States has not; the Isle of Man (1624) has no 7-digit ones,
    // Britain has.
    for (const text of ['+113101234', '+13101234', '+11310123', '+4401624100', '+441624100', '+4401624756789'])
      expect(
        outcome(() => parsePhone(text, { extract: false })),
        text,
      ).toBe(outcome(() => parsePhoneNumberWithError(text, { extract: false })));
    expect(parsePhone('+113101234', { extract: false }).country).toBe('CA');
  });

  it('throws what libphonenumber throws', () => {
    for (const text of ['+', 'abc', '+999123456', '+44123456789012345678', '0'])
      expect(outcome(() => parsePhone(text, { defaultCountry: 'GB', extract: false }))).toBe(
        outcome(() => parsePhoneNumberWithError(text, { defaultCountry: 'GB', extract: false })),
      );
  });
});
