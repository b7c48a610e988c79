import { describe, expect, it } from 'vitest';
import { type Caller, classifyCaller } from '../../src/numbers/index.js';
import { berlin, noArea, withExtensions } from './helpers.js';

const DE_FIXED = { country: 'DE', type: 'FIXED_LINE', plausible: true } as const;
const number = (raw: string, e164: string, rest: Partial<Extract<Caller, { kind: 'number' }>> = DE_FIXED): Caller => ({
  kind: 'number',
  raw,
  e164,
  plausible: false,
  ...rest,
});

describe('classifyCaller: notations of the same Berlin number', () => {
  it.each([
    ['030 1234567'],
    ['0301234567'],
    ['0049301234567'],
    ['+49 (0)30 1234567'],
    ['+49(0)301234567'],
    ['0049 (0)30 1234567'],
    ['+4930 (0) 1234567'],
    ['+49 (030) 1234567'],
    ['+49301234567'],
    ['+49-30-1234567'],
    ['030/1234567'],
    ['  0301234567 '],
    ['tel:+49-30-1234567'],
    ['tel:+49-30-1234567;ext=5'],
    ['sip:+49301234567@sipgate.de'],
    ['sips:+49301234567@sipgate.de;transport=tls'],
    ['"Berlin" <sip:+49301234567@sipgate.de>'],
    ['+49301234567@sipgate.de'],
  ])('%j is +49301234567 (home area 30)', (raw) => {
    expect(classifyCaller(raw, { presentation: 0 }, berlin)).toEqual(number(raw, '+49301234567'));
  });

  it.each([['0301234567'], ['030 1234567'], ['+49 (0)30 1234567']])('%j is +49301234567 without a home area', (raw) => {
    expect(classifyCaller(raw, {}, noArea)).toEqual(number(raw, '+49301234567'));
  });
});

describe('classifyCaller: numbers', () => {
  it.each<[string, string, Caller]>([
    ['local number gets the home area code', '222222', number('222222', '+4930222222')],
    ['local number with a dash', '222-222', number('222-222', '+4930222222')],
    ['8-digit local number is still local', '49301234', number('49301234', '+493049301234')],
    [
      'UK drama range (Ofcom, unassigned): implausible',
      '00441632960000',
      number('00441632960000', '+441632960000', { plausible: false }),
    ],
    [
      'UK London',
      '+44 20 7946 0958',
      number('+44 20 7946 0958', '+442079460958', { country: 'GB', type: 'FIXED_LINE', plausible: true }),
    ],
    [
      'US',
      '+1 415 555 0100',
      number('+1 415 555 0100', '+14155550100', { country: 'US', type: 'FIXED_LINE_OR_MOBILE', plausible: true }),
    ],
    ['dash extension kept as digits', '(030) 1234567-3', number('(030) 1234567-3', '+493012345673')],
    [
      'mobile',
      '0170 1234567',
      number('0170 1234567', '+491701234567', { country: 'DE', type: 'MOBILE', plausible: true }),
    ],
    [
      'premium rate',
      '0900 1234567',
      number('0900 1234567', '+499001234567', { country: 'DE', type: 'PREMIUM_RATE', plausible: true }),
    ],
    [
      'toll free',
      '0800 1234567',
      number('0800 1234567', '+498001234567', { country: 'DE', type: 'TOLL_FREE', plausible: true }),
    ],
    [
      'shared cost',
      '0180 5 123456',
      number('0180 5 123456', '+491805123456', { country: 'DE', type: 'SHARED_COST', plausible: true }),
    ],
    ['too short for Berlin: implausible', '030 12', number('030 12', '+493012', { country: 'DE', plausible: false })],
    [
      'mobile too short: implausible',
      '+49 170 123',
      number('+49 170 123', '+49170123', { country: 'DE', plausible: false }),
    ],
    [
      'unassigned German range 011: implausible',
      '+49 11 1234567',
      number('+49 11 1234567', '+49111234567', { country: 'DE', plausible: false }),
    ],
    [
      'withdrawn 0190 premium range: implausible',
      '0190 123456',
      number('0190 123456', '+49190123456', { country: 'DE', plausible: false }),
    ],
    [
      'too long: implausible',
      '+49 30 123456789012345',
      number('+49 30 123456789012345', '+4930123456789012345', { country: 'DE', plausible: false }),
    ],
    [
      'unknown country code: digits kept, implausible',
      '+999 1234567',
      number('+999 1234567', '+9991234567', { plausible: false }),
    ],
    ['letters after digits: digits kept, implausible', '+4930abc', number('+4930abc', '+4930', { plausible: false })],
    ['letters in a national number: home code, implausible', '030abc', number('030abc', '+4930', { plausible: false })],
    ['one digit after +: too short, implausible', '+4', number('+4', '+4', { plausible: false })],
  ])('%s: %j', (_what, raw, expected) => {
    expect(classifyCaller(raw, { presentation: 0 }, berlin)).toEqual(expected);
  });

  it.each<[string, string, Caller]>([
    // libphonenumber would read it as the national number +49 222222 (which happens to be valid): someone else.
    [
      'short number without home area: a local number that cannot be read',
      '222222',
      { kind: 'local', raw: '222222', digits: '222222' },
    ],
    ['with separators', '222-222', { kind: 'local', raw: '222-222', digits: '222222' }],
    ['9 digits without trunk prefix: national number without its 0', '301234567', number('301234567', '+49301234567')],
  ])('%s: %j', (_what, raw, expected) => {
    expect(classifyCaller(raw, {}, noArea)).toEqual(expected);
  });
});

describe('classifyCaller: trunk rules', () => {
  it.each<[string, string, { context?: string; channel?: string }, Caller]>([
    ['sipgate by context', '49301234567', { context: 'from-sipgate' }, number('49301234567', '+49301234567')],
    [
      'sipgate foreign number',
      '442079460958',
      { context: 'from-sipgate' },
      number('442079460958', '+442079460958', { country: 'GB', type: 'FIXED_LINE', plausible: true }),
    ],
    [
      'sipgate sends a national number anyway',
      '0301234567',
      { context: 'from-sipgate' },
      number('0301234567', '+49301234567'),
    ],
    [
      'strip the outside-line 0 by channel prefix',
      '00301234567',
      { channel: 'PJSIP/outside-00000012' },
      number('00301234567', '+49301234567'),
    ],
    // Without a rule, libphonenumber strips a leading country code when the rest is a valid national number.
    [
      'bare international without a rule',
      '49301234567',
      { context: 'from-internal' },
      number('49301234567', '+49301234567'),
    ],
    // No rule strips the outside-line 0, so 00 30… is an international call from Greece (+30), too short to be valid.
    [
      'rule for another context does not apply',
      '00301234567',
      { context: 'from-sipgate-2', channel: 'PJSIP/other-1' },
      number('00301234567', '+301234567', { country: 'GR', plausible: false }),
    ],
  ])('%s: %j %j', (_what, raw, facts, expected) => {
    expect(classifyCaller(raw, facts, berlin)).toEqual(expected);
  });
});

describe('classifyCaller: withheld', () => {
  it.each<[string, string, number | undefined, Caller['kind'], string]>([
    [
      'presentation 32 with a real number (P-Asserted-Identity, Privacy: id)',
      '+49301234567',
      32,
      'withheld',
      'presentation',
    ],
    ['presentation 33', '0301234567', 33, 'withheld', 'presentation'],
    ['presentation 35', '0301234567', 35, 'withheld', 'presentation'],
    ['presentation 67 (number not available)', '', 67, 'withheld', 'presentation'],
    ['presentation 64 (unavailable, unscreened)', 'unknown', 64, 'withheld', 'presentation'],
    ['presentation 32 beats an internal number', '**610', 32, 'withheld', 'presentation'],
    ['empty', '', 0, 'withheld', 'no-number'],
    ['blank', '   ', undefined, 'withheld', 'no-number'],
    ['unknown', 'unknown', 0, 'withheld', 'no-number'],
    ['Unknown', ' Unknown ', 0, 'withheld', 'no-number'],
    ['SIP From "Anonymous" (presentation 0)', 'anonymous', 0, 'withheld', 'no-number'],
    ['ANONYMOUS', 'ANONYMOUS', 0, 'withheld', 'no-number'],
    ['restricted', 'Restricted', 1, 'withheld', 'no-number'],
    ['private', 'private', 0, 'withheld', 'no-number'],
    ['unavailable', 'unavailable', 3, 'withheld', 'no-number'],
    ['RFC 3323 anonymous address', 'anonymous@anonymous.invalid', 0, 'withheld', 'no-number'],
    ['anonymous SIP URI', 'sip:anonymous@sipgate.de', 0, 'withheld', 'no-number'],
    ['anonymous name-addr', '"Anonymous" <sip:anonymous@anonymous.invalid>', 0, 'withheld', 'no-number'],
    ['any user at anonymous.invalid', 'sip:123@anonymous.invalid', 0, 'withheld', 'no-number'],
    ['+ alone', '+', 0, 'withheld', 'no-number'],
    ['letters', 'abc', 0, 'withheld', 'no-number'],
    ['only zeros (some gateways send 0 for no number)', '0', 0, 'withheld', 'no-number'],
    ['00', '00', 0, 'withheld', 'no-number'],
  ])('%s: %j pres %j', (_what, raw, presentation, kind, why) => {
    expect(classifyCaller(raw, presentation === undefined ? {} : { presentation }, berlin)).toEqual({ kind, raw, why });
  });
});

describe('classifyCaller: internal is where the call comes from, never its digits', () => {
  const internal = { presentation: 0, origin: 'internal' } as const;

  it.each<[string, string, typeof berlin, Caller]>([
    ['FRITZ!Box internal number', '**610', berlin, { kind: 'internal', raw: '**610', extension: '**610' }],
    ['feature code', '*21#', berlin, { kind: 'internal', raw: '*21#', extension: '*21#' }],
    [
      'SIP URI of an internal number',
      'sip:**610@fritz.box',
      berlin,
      { kind: 'internal', raw: 'sip:**610@fritz.box', extension: '**610' },
    ],
    ['short extension, no pattern', '100', berlin, { kind: 'internal', raw: '100', extension: '100' }],
    [
      'a full number, no pattern: the dialplan vouches for it',
      '0301234567',
      berlin,
      { kind: 'internal', raw: '0301234567', extension: '0301234567' },
    ],
    ['extension matching internalPattern', '100', withExtensions, { kind: 'internal', raw: '100', extension: '100' }],
    ['4-digit extension', '20-01', withExtensions, { kind: 'internal', raw: '20-01', extension: '2001' }],
    [
      '* number with a pattern set: still internal',
      '**610',
      withExtensions,
      { kind: 'internal', raw: '**610', extension: '**610' },
    ],
    // The pattern narrows what an internal origin vouches for: an outside number passed on internally is screened.
    ['not matching internalPattern: screened', '222222', withExtensions, number('222222', '+4930222222')],
  ])('from an internal origin, %s: %j', (_what, raw, cfg, expected) => {
    expect(classifyCaller(raw, internal, cfg)).toEqual(expected);
  });

  it.each<[string, string, typeof berlin, Caller]>([
    // A trunk caller writes its own caller id: `*` is no public number, so it is implausible, its digits kept.
    ['* before a Berlin number', '*03099887766', berlin, number('*03099887766', '+493099887766', { plausible: false })],
    ['FRITZ!Box-style internal number', '**610', berlin, number('**610', '+49610', { plausible: false })],
    ['feature code', '*21#', berlin, number('*21#', '+4921', { plausible: false })],
    [
      'SIP URI of a * number',
      'sip:**610@fritz.box',
      berlin,
      number('sip:**610@fritz.box', '+49610', { plausible: false }),
    ],
    [
      '* number on a bare-international trunk',
      '*49301234567',
      { ...berlin, trunkRules: [{ format: 'international-bare' }] },
      number('*49301234567', '+4949301234567', { plausible: false }),
    ],
    ['extension matching internalPattern: a local number', '100', withExtensions, number('100', '+4930100')],
    ['* number with internalPattern set', '**610', withExtensions, number('**610', '+49610', { plausible: false })],
    ['too long for the pattern: a local number', '222222', withExtensions, number('222222', '+4930222222')],
    // German fixed-line metadata is lax: 030 100 counts as a valid Berlin number.
    ['extension without internalPattern: a local number', '100', berlin, number('100', '+4930100')],
    [
      'extension without pattern or area: a local number that cannot be read',
      '100',
      { homeCountry: 'DE', trunkRules: [] },
      { kind: 'local', raw: '100', digits: '100' },
    ],
  ])('from a trunk, %s: %j', (_what, raw, cfg, expected) => {
    expect(classifyCaller(raw, { presentation: 0 }, cfg)).toEqual(expected);
    expect(classifyCaller(raw, { presentation: 0, origin: 'trunk' }, cfg)).toEqual(expected);
  });

  it('a withheld presentation wins over an internal origin', () => {
    expect(classifyCaller('**610', { presentation: 32, origin: 'internal' }, berlin)).toEqual({
      kind: 'withheld',
      raw: '**610',
      why: 'presentation',
    });
  });

  it('a * caller id of any length or shape from a trunk never throws and is never internal', () => {
    for (const raw of [
      '*',
      '**',
      '*#',
      '*0',
      '*1',
      `*${'9'.repeat(5_000)}`,
      '*+4930123',
      '* 030 123',
      '*\u0000',
      '**610@anonymous.invalid',
      '<sip:*1@x>',
    ]) {
      const caller = classifyCaller(raw, { presentation: 0 }, withExtensions);
      expect(caller.kind, raw).not.toBe('internal');
      if (caller.kind === 'number') {
        expect(caller.e164, raw).toMatch(/^\+\d+$/);
        expect(caller.plausible, raw).toBe(false);
      }
    }
  });

  it('a /g internalPattern does not alternate between calls', () => {
    const cfg = { ...berlin, internalPattern: /^[1-9]\d{1,3}$/g };
    expect(classifyCaller('100', { origin: 'internal' }, cfg).kind).toBe('internal');
    expect(classifyCaller('100', { origin: 'internal' }, cfg).kind).toBe('internal');
  });
});
