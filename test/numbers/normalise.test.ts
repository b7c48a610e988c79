import { describe, expect, it } from 'vitest';
import {
  allPrefixes,
  assertNumberingConfig,
  describeNumber,
  type NormalisedEntry,
  type NormalisedNumber,
  normaliseDid,
  normaliseEntry,
  normaliseNumber,
} from '../../src/numbers/index.js';
import { berlin, noArea } from './helpers.js';

const fixed = (e164: string): NormalisedNumber => ({
  ok: true,
  e164,
  country: 'DE',
  type: 'FIXED_LINE',
  plausible: true,
});
const mobile = (e164: string): NormalisedNumber => ({ ok: true, e164, country: 'DE', type: 'MOBILE', plausible: true });

describe('normaliseNumber: import shapes (CSV, FRITZ!Box, vCard in /work/shared/fixtures)', () => {
  it.each<[string, NormalisedNumber]>([
    ['030 12345670', fixed('+493012345670')],
    ['+49 30 12345671', fixed('+493012345671')],
    ['0049 30 12345672', fixed('+493012345672')],
    ['(030) 1234567-3', fixed('+493012345673')],
    ['030/12345674', fixed('+493012345674')],
    ['+49 (0)30 12345675', fixed('+493012345675')],
    ['01701234560', mobile('+491701234560')],
    ['+44 20 7946 0958', { ok: true, e164: '+442079460958', country: 'GB', type: 'FIXED_LINE', plausible: true }],
    ['0044 20 7946 0123', { ok: true, e164: '+442079460123', country: 'GB', type: 'FIXED_LINE', plausible: true }],
    ['0044-2079460958', { ok: true, e164: '+442079460958', country: 'GB', type: 'FIXED_LINE', plausible: true }],
    [
      '+1 (202) 555-0143',
      { ok: true, e164: '+12025550143', country: 'US', type: 'FIXED_LINE_OR_MOBILE', plausible: true },
    ],
    [
      '+1 202-555-0143',
      { ok: true, e164: '+12025550143', country: 'US', type: 'FIXED_LINE_OR_MOBILE', plausible: true },
    ],
    ['+491701234567', mobile('+491701234567')],
    ['+49 170 1234567', mobile('+491701234567')],
    ['(030) 1234567-1', fixed('+493012345671')],
    ['00493012345674', fixed('+493012345674')],
    ['03012345672', fixed('+493012345672')],
    ['tel:+49-30-1234567;ext=5', fixed('+49301234567')],
    ['sip:+49301234567@sipgate.de', fixed('+49301234567')],
    ['030\u00a01234567', fixed('+49301234567')],
    ['222222', fixed('+4930222222')],
    ['0900 1234567', { ok: true, e164: '+499001234567', country: 'DE', type: 'PREMIUM_RATE', plausible: true }],
    ['0800 1234567', { ok: true, e164: '+498001234567', country: 'DE', type: 'TOLL_FREE', plausible: true }],
    // Implausible numbers are accepted, flagged: a blocklist must hold what robots send.
    ['030 12', { ok: true, e164: '+493012', country: 'DE', plausible: false }],
    ['+44 1632 960000', { ok: true, e164: '+441632960000', plausible: false }],
  ])('%j', (input, expected) => {
    expect(normaliseNumber(input, berlin)).toEqual(expected);
  });

  it('without a home area a short number is read as national: "222222" → +49222222', () => {
    expect(normaliseNumber('222222', noArea)).toEqual(fixed('+49222222'));
  });
});

describe('normaliseNumber: errors', () => {
  it.each<[string, string]>([
    ['abc', '"abc" is not a phone number: it has no digits'],
    ['+', '"+" is not a phone number: it has no digits'],
    ['', '"" is not a phone number: it is empty'],
    ['   ', '"" is not a phone number: it is empty'],
    ['anonymous', '"anonymous" is not a phone number: it is what a withheld caller id says'],
    ['Unknown', '"Unknown" is not a phone number: it is what a withheld caller id says'],
    ['000', '"000" is not a phone number: it has no digits other than 0'],
    ['**610', '"**610" is an internal extension (it starts with "*"), not a phone number'],
    ['*21#', '"*21#" is an internal extension (it starts with "*"), not a phone number'],
    ['500@hd-telefonie.avm.de', '"500@hd-telefonie.avm.de" is a SIP address, not a phone number'],
    ['sip:500@fritz.box', '"sip:500@fritz.box" is a SIP address, not a phone number'],
    ['0401234567*', '"0401234567*" is a range of numbers (it ends in "*"), not a single phone number'],
    ['+4930abc', '"+4930abc" is not a phone number: it contains characters other than digits, spaces and + - / . ( )'],
    [
      '0800 FLOWERS',
      '"0800 FLOWERS" is not a phone number: it contains characters other than digits, spaces and + - / . ( )',
    ],
    ['+49 1', '"+49 1" is not a phone number: it is too short'],
    ['+999 1234567', '"+999 1234567" is not a phone number: it does not start with a known country calling code'],
    ['1234567890123456789', '"1234567890123456789" is not a phone number: it has more than 15 digits'],
    ['+49 30 123456789012345', '"+49 30 123456789012345" is not a phone number: it has more than 15 digits'],
  ])('%j', (input, error) => {
    expect(normaliseNumber(input, berlin)).toMatchObject({ ok: false, error });
  });
});

describe('normaliseEntry', () => {
  it.each<[string, NormalisedEntry]>([
    ['+49301234*', { ok: true, number: '+49301234', prefix: true }],
    ['0401234567*', { ok: true, number: '+49401234567', prefix: true }],
    ['0891234567*', { ok: true, number: '+49891234567', prefix: true }],
    ['030 1234*', { ok: true, number: '+49301234', prefix: true }],
    ['030 1234 *', { ok: true, number: '+49301234', prefix: true }],
    ['(030) 1234*', { ok: true, number: '+49301234', prefix: true }],
    ['0049 30 1234*', { ok: true, number: '+49301234', prefix: true }],
    ['+49 (0)30 1234*', { ok: true, number: '+49301234', prefix: true }],
    ['1234*', { ok: true, number: '+49301234', prefix: true }],
    ['+44*', { ok: true, number: '+44', prefix: true }],
    ['+1*', { ok: true, number: '+1', prefix: true }],
    ['0044 20*', { ok: true, number: '+4420', prefix: true }],
    ['0900*', { ok: true, number: '+49900', prefix: true }],
    ['0*', { ok: true, number: '+49', prefix: true }],
    ['030 1234567', { ok: true, number: '+49301234567', prefix: false }],
    ['+1 (202) 555-0143', { ok: true, number: '+12025550143', prefix: false }],
    ['(030) 1234567-3', { ok: true, number: '+493012345673', prefix: false }],
    // A blocklist may hold implausible numbers: robots make them up.
    ['030 12', { ok: true, number: '+493012', prefix: false }],
  ])('%j', (input, expected) => {
    expect(normaliseEntry(input, berlin)).toEqual(expected);
  });

  it.each<[string, string]>([
    ['*', '"*" is an internal extension (it starts with "*"), not a phone number'],
    ['**610', '"**610" is an internal extension (it starts with "*"), not a phone number'],
    ['+*', '"+*" is too broad a prefix: it has no digits before the "*"'],
    [
      '00*',
      '"00*" is too broad a prefix: "+" is not a whole country calling code; a prefix needs at least one, like "+44*"',
    ],
    [
      '+4*',
      '"+4*" is too broad a prefix: "+4" is not a whole country calling code; a prefix needs at least one, like "+44*"',
    ],
    [
      '+42*',
      '"+42*" is too broad a prefix: "+42" is not a whole country calling code; a prefix needs at least one, like "+44*"',
    ],
    [
      '03*0*',
      '"03*0*" is not a phone number: a prefix entry is digits followed by one "*", like "+49301234*" or "030 1234*"',
    ],
    [
      'abc*',
      '"abc*" is not a phone number: a prefix entry is digits followed by one "*", like "+49301234*" or "030 1234*"',
    ],
    ['+49 1234567890123456*', '"+49 1234567890123456*" is not a phone number: it has more than 15 digits'],
    ['abc', '"abc" is not a phone number: it has no digits'],
    ['500@hd-telefonie.avm.de', '"500@hd-telefonie.avm.de" is a SIP address, not a phone number'],
  ])('%j is refused', (input, error) => {
    expect(normaliseEntry(input, berlin)).toMatchObject({ ok: false, error });
  });

  it('a local prefix without a home area code is refused', () => {
    expect(normaliseEntry('1234*', noArea)).toEqual({
      ok: false,
      error:
        '"1234*" is a prefix without area code, and no home area code is configured; write it with its area code or as +…*',
      code: 'number.prefix_no_area_code',
      params: { value: '1234*' },
    });
  });

  // The code and parameters beside each sentence: what a client words in its own language (messages/numbers.ts).
  it.each<[string, string, Record<string, string | number>]>([
    ['abc', 'number.no_digits', { value: 'abc' }],
    ['', 'number.empty', { value: '' }],
    ['anonymous', 'number.withheld_word', { value: 'anonymous' }],
    ['**610', 'number.internal', { value: '**610' }],
    ['500@fritz.box', 'number.sip', { value: '500@fritz.box' }],
    ['000', 'number.only_zeros', { value: '000' }],
    ['+4930abc', 'number.characters', { value: '+4930abc' }],
    ['+49 1', 'number.too_short', { value: '+49 1' }],
    ['1234567890123456789', 'number.too_long', { value: '1234567890123456789', max: 15 }],
    ['+999 1234567', 'number.country_code', { value: '+999 1234567' }],
    ['+4*', 'number.prefix_too_broad', { value: '+4*', start: '+4' }],
    ['+*', 'number.prefix_empty', { value: '+*' }],
    ['abc*', 'number.prefix_form', { value: 'abc*' }],
  ])('%j carries the code %s', (input, code, params) => {
    expect(normaliseEntry(input, berlin)).toMatchObject({ ok: false, code, params });
  });
});

describe('normaliseDid', () => {
  it.each<[string, string]>([
    ['+49301234567', '+49301234567'],
    ['0301234567', '+49301234567'],
    ['49301234567', '+49301234567'],
    ['301234567', '+49301234567'],
    ['+49 30 1234567', '+49301234567'],
    [' s ', 's'],
    ['s', 's'],
    ['i', 'i'],
    ['1001', '1001'],
    ['2001', '2001'],
    ['222222', '222222'],
    ['_X.', '_X.'],
    ['030 12', '+493012'], // a prefixed DID only has to be possible: our own numbers are not spoofed
    ['0', '0'],
  ])('%j → %j', (did, expected) => {
    expect(normaliseDid(did, berlin)).toBe(expected);
  });
});

describe('describeNumber', () => {
  it.each<[string, { country?: string; type?: string }]>([
    ['+49301234567', { country: 'DE', type: 'FIXED_LINE' }],
    ['+491701234567', { country: 'DE', type: 'MOBILE' }],
    ['+499001234567', { country: 'DE', type: 'PREMIUM_RATE' }],
    ['+498001234567', { country: 'DE', type: 'TOLL_FREE' }],
    ['+14155550100', { country: 'US', type: 'FIXED_LINE_OR_MOBILE' }],
    ['+493012', { country: 'DE' }],
    ['+441632960000', {}],
    ['+9991234567', {}],
    ['1001', {}],
  ])('%j', (e164, expected) => {
    expect(describeNumber(e164)).toEqual(expected);
  });
});

describe('allPrefixes', () => {
  it.each<[string, string[]]>([
    [
      '+49301234567',
      [
        '+4',
        '+49',
        '+493',
        '+4930',
        '+49301',
        '+493012',
        '+4930123',
        '+49301234',
        '+493012345',
        '+4930123456',
        '+49301234567',
      ],
    ],
    ['+1', ['+1']],
    ['+', ['+']],
    ['s', ['s']],
    ['', ['']],
  ])('%j', (e164, expected) => {
    expect(allPrefixes(e164)).toEqual(expected);
  });
});

describe('assertNumberingConfig', () => {
  it('accepts DE and an area code written with its trunk prefix', () => {
    const cfg = { homeCountry: 'DE', homeAreaCode: '030', trunkRules: [] };
    expect(() => assertNumberingConfig(cfg)).not.toThrow();
    expect(normaliseNumber('222222', cfg)).toEqual(fixed('+4930222222'));
  });

  it('refuses an unknown country with a clear message', () => {
    expect(() => assertNumberingConfig({ homeCountry: 'XX', trunkRules: [] })).toThrow(
      'numbering: homeCountry: "XX" is not a country libphonenumber knows (ISO 3166 code, e.g. DE)',
    );
  });
});

describe('numbers written with an extension', () => {
  const cfg = { homeCountry: 'DE', homeAreaCode: '30', trunkRules: [] };
  it.each(['0301 12x4567', '030 1234567 ext. 5', '+49 30 1234567 #12'])(
    '%s is refused, not cut at the extension',
    (input) => {
      expect(normaliseEntry(input, cfg)).toMatchObject({
        ok: false,
        error: `${JSON.stringify(input)} is not a phone number: it has an extension (x…, ext., #), which a caller id never carries`,
      });
      expect(normaliseNumber(input, cfg)).toMatchObject({
        ok: false,
        error: `${JSON.stringify(input)} is not a phone number: it has an extension (x…, ext., #), which a caller id never carries`,
      });
    },
  );
});
