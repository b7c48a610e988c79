import { describe, expect, it } from 'vitest';
import { type Coded, render } from '../../src/messages/index.js';
import { areaCodeProblem, countryProblem, numberingProblem } from '../../src/numbers/index.js';

const text = (problem: Coded | undefined) => (problem === undefined ? undefined : render(problem));

describe('countryProblem', () => {
  it.each(['DE', 'at', 'US', 'GB'])('%s is a country', (c) => expect(countryProblem(c)).toBeUndefined());
  it.each(['XX', 'UK', 'AA'])('%s is refused', (c) => {
    expect(countryProblem(c)).toEqual({ code: 'setting.country', params: { value: c } });
    expect(text(countryProblem(c))).toBe(`"${c}" is not a country libphonenumber knows (ISO 3166 code, e.g. DE)`);
  });
});

describe('areaCodeProblem: a whole area code of the country', () => {
  it.each([
    ['DE', '30'],
    ['DE', '030'],
    ['DE', '89'],
    ['DE', '221'],
    ['DE', '2222'],
    ['DE', '33203'],
    ['AT', '1'],
    ['AT', '662'],
    ['CH', '44'],
    ['US', '212'],
    ['GB', '20'],
    ['FR', '1'],
    ['NL', '20'],
  ])('%s %s is plausible', (country, area) => expect(areaCodeProblem(country, area)).toBeUndefined());

  it.each([
    ['DE', '170', 'is not an area code in DE'], // a mobile prefix
    ['DE', '999', 'is not an area code in DE'],
    ['DE', '2', 'is not an area code in DE'], // only the start of 221, 2222, …
    ['DE', '800', 'is not an area code in DE'], // toll-free
    ['US', '999', 'is not an area code in US'],
    ['AT', '30', 'is not an area code in AT'],
    ['DE', '0', 'is not an area code (digits, e.g. 30)'],
    ['IT', '6', 'is not used in IT: numbers there are always dialled with their area code; leave the area code unset'],
  ])('%s %s is refused: %s', (country, area, why) =>
    expect(text(areaCodeProblem(country, area))).toBe(`"${area}" ${why}`),
  );

  it('says which rule, with the value and the country as parameters', () => {
    expect(areaCodeProblem('DE', '170')).toEqual({
      code: 'setting.area_code',
      params: { value: '170', country: 'DE' },
    });
    expect(areaCodeProblem('IT', '6')).toEqual({
      code: 'setting.area_code_unused',
      params: { value: '6', country: 'IT' },
    });
  });
});

describe('numberingProblem', () => {
  it('accepts the usual Berlin config', () => {
    expect(
      numberingProblem({
        homeCountry: 'DE',
        homeAreaCode: '30',
        internalPattern: /^[1-9]\d{1,3}$/,
        trunkRules: [
          { context: 'from-sipgate', format: 'international-bare' },
          { channelPrefix: 'PJSIP/pbx-', format: 'national', stripPrefix: '0' },
        ],
      }),
    ).toBeUndefined();
  });

  it.each([
    [
      'an unanchored pattern',
      { internalPattern: /\d{3}/ },
      {
        field: 'internalPattern',
        value: '\\d{3}',
        why: expect.stringContaining('matches ordinary phone numbers such as "0301234567"'),
      },
    ],
    [
      'a pattern matching anything',
      { internalPattern: /.*/ },
      { field: 'internalPattern', value: '.*', why: expect.stringContaining('matches an empty caller id') },
    ],
    [
      'an empty context',
      { trunkRules: [{ context: '', format: 'national' as const }] },
      { field: 'trunkRules', index: 0, key: 'context', value: '', why: 'is empty: the rule would never apply' },
    ],
    [
      'a stripPrefix that is not digits',
      { trunkRules: [{ context: 'x', format: 'national' as const, stripPrefix: '+' }] },
      { field: 'trunkRules', index: 0, key: 'stripPrefix', value: '+', why: 'is not digits' },
    ],
    [
      'a rule an earlier one hides',
      {
        trunkRules: [
          { channelPrefix: 'PJSIP/', format: 'national' as const },
          { channelPrefix: 'PJSIP/sipgate-', format: 'international-bare' as const },
        ],
      },
      {
        field: 'trunkRules',
        index: 1,
        key: 'channelPrefix',
        value: 'PJSIP/sipgate-',
        why: 'never applies: an earlier trunk rule matches every call this one would',
      },
    ],
  ])('refuses %s', (_what, cfg, { value, why, ...where }) => {
    const p = numberingProblem({ homeCountry: 'DE', trunkRules: [], ...cfg });
    expect(p).toMatchObject(where);
    expect(p?.problem.params.value).toBe(value);
    expect(text(p?.problem)).toEqual(typeof why === 'string' ? `${JSON.stringify(value)} ${why}` : why);
  });
});
