/**
 * numberType() is libphonenumber's getType() with the patterns compiled once: it must say what getType() says (and
 * undefined exactly where isValid() is false) for every numbering plan in the metadata — every country, and the
 * non-geographic calling codes such as +800 — over numbers of every length the plan allows.
 */
import { getCountries, getCountryCallingCode, Metadata, type PhoneNumber } from 'libphonenumber-js/core';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max.json';
import { describe, expect, it } from 'vitest';
import { numberType } from '../../src/numbers/number-type.js';
import { seededRandom } from '../helpers/random.js';

const PER_LENGTH = 100;

/** Every numbering plan: its calling code and the national lengths it allows. */
function plans(): { name: string; callingCode: string; lengths: number[] }[] {
  const m = new Metadata(metadata);
  const lengthsOf = (key: Parameters<Metadata['selectNumberingPlan']>[0]) => {
    m.selectNumberingPlan(key);
    return m.numberingPlan?.possibleLengths() ?? [];
  };
  const countries = getCountries(metadata).map((c) => ({
    name: c,
    callingCode: getCountryCallingCode(c, metadata),
    lengths: lengthsOf(c),
  }));
  const nonGeographic = Object.keys(metadata.nonGeographic).map((code) => ({
    name: `+${code}`,
    callingCode: code,
    lengths: lengthsOf(code as Parameters<Metadata['selectNumberingPlan']>[0]),
  }));
  return [...countries, ...nonGeographic];
}

function parsed(e164: string): PhoneNumber | undefined {
  try {
    return parsePhoneNumberWithError(e164, { extract: false });
  } catch {
    return undefined;
  }
}

describe('numberType', () => {
  it('says what libphonenumber getType() says for every numbering plan, at every length it allows', () => {
    const next = seededRandom(20261207);
    const seen = new Map<string, number>();
    const differ: string[] = [];
    let compared = 0;
    for (const plan of plans()) {
      for (const length of plan.lengths) {
        for (let i = 0; i < PER_LENGTH; i++) {
          // The first digits decide the type; a few fixed first digits reach ranges random ones rarely hit.
          const lead = String(i % 10);
          const rest = Array.from({ length: length - 1 }, () => Math.floor(next() * 10)).join('');
          const pn = parsed(`+${plan.callingCode}${lead}${rest}`);
          if (!pn) continue;
          const expected = pn.isValid() ? pn.getType() : undefined;
          const actual = numberType(pn);
          compared++;
          seen.set(expected ?? 'invalid', (seen.get(expected ?? 'invalid') ?? 0) + 1);
          if (actual !== expected) differ.push(`${pn.number} (${plan.name}): ${actual} instead of ${expected}`);
        }
      }
    }
    expect(differ).toEqual([]);
    expect(compared).toBeGreaterThan(50_000);
    // The comparison reached the types that decide calls, not only invalid numbers.
    for (const type of ['FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE', 'TOLL_FREE', 'PREMIUM_RATE', 'invalid'])
      expect(seen.get(type) ?? 0, type).toBeGreaterThan(100);
  });

  it('answers for numbers the call path meets', () => {
    const type = (e164: string) => numberType(parsePhoneNumberWithError(e164, { extract: false }));
    expect(type('+493012345678')).toBe('FIXED_LINE');
    expect(type('+491701234567')).toBe('MOBILE');
    expect(type('+4980012345678')).toBe('TOLL_FREE');
    expect(type('+499001234567')).toBe('PREMIUM_RATE');
    expect(type('+442079460958')).toBe('FIXED_LINE');
    expect(type('+12025550143')).toBe('FIXED_LINE_OR_MOBILE');
    expect(type('+80012345678')).toBe('TOLL_FREE');
    // An unassigned range: possible by its length, in no type's pattern.
    expect(type('+49111234567')).toBeUndefined();
  });
});
