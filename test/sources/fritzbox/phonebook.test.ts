import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NumberingConfig } from '../../../src/numbers/index.js';
import {
  barringEntryXml,
  boxNumber,
  normaliseFingerprint,
  phonebookTimestamp,
  readPhonebook,
} from '../../../src/sources/fritzbox/index.js';

const numbering: NumberingConfig = { homeCountry: 'DE', homeAreaCode: '30', trunkRules: [] };
const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/import/${name}`, import.meta.url), 'utf8');
const EMPTY = (t: string): string =>
  `<?xml version="1.0" encoding="utf-8"?>\n<phonebooks>\n<phonebook owner="1" name="Telefonbuch"><timestamp>${t}</timestamp></phonebook>\n</phonebooks>\n`;

describe('readPhonebook', () => {
  it('reads AVM’s layout with the FRITZ!Box importer and its timestamp', () => {
    const xml = fixture('fritzbox-tr064.xml');
    expect(phonebookTimestamp(xml)).toBe('1730308258');
    const fetch = readPhonebook(xml, { numbering });
    expect(fetch.changed).toBe(true);
    expect(fetch.changed && fetch.result.rows.map((r) => r.number)).toEqual([
      '+493098765432',
      '+491712345678',
      '+498912345678',
      '+498912345679',
    ]);
  });

  it.each([
    ['the same timestamp and no contacts', EMPTY('1730308258'), { changed: false, timestamp: '1730308258' }],
    [
      'no timestamp and no contacts (a doubtful answer keeps the last entries)',
      '<phonebooks><phonebook owner="1" name="x"></phonebook></phonebooks>',
      { changed: false, timestamp: '1730308258' },
    ],
  ])('is unchanged for %s', (_what, xml, expected) => {
    expect(readPhonebook(xml, { numbering, since: '1730308258' })).toEqual(expected);
  });

  it('is unchanged for a 304, and changed (emptied) for a new timestamp without contacts', () => {
    expect(readPhonebook('', { numbering, since: '1730308258', notModified: true })).toEqual({
      changed: false,
      timestamp: '1730308258',
    });
    const emptied = readPhonebook(EMPTY('1730309999'), { numbering, since: '1730308258' });
    expect(emptied).toMatchObject({ changed: true, timestamp: '1730309999', result: { rows: [], errors: [] } });
  });

  it('reads the call-barring list as block rows', () => {
    const fetch = readPhonebook(fixture('fritzbox-call-barring.xml'), { numbering, kind: 'block' });
    expect(fetch.changed && fetch.result.rows.map((r) => [r.number, r.prefix, r.kind])).toEqual([
      ['+49301112223', false, 'block'],
      ['+49900123', true, 'block'],
      ['+442079460000', false, 'block'],
    ]);
  });
});

describe('call-barring entries', () => {
  it.each([
    ['+493012345678', '03012345678'],
    ['+4915112345678', '015112345678'],
    ['+442079460958', '00442079460958'],
    ['+12025550123', '0012025550123'],
  ])('writes %s as the box does: %s', (e164, box) => {
    expect(boxNumber(e164, numbering)).toBe(box);
  });

  it('writes one contact in the phone-book schema, escaped, the number as name when there is none', () => {
    expect(barringEntryXml('015112345678', 'A & B <Robot>')).toBe(
      '<?xml version="1.0" encoding="utf-8"?><contact><category>0</category><person><realName>A &amp; B &lt;Robot&gt;</realName></person>' +
        '<telephony nid="1"><number type="home" prio="1" id="0">015112345678</number></telephony></contact>',
    );
    expect(barringEntryXml('015112345678')).toContain('<realName>015112345678</realName>');
  });
});

describe('normaliseFingerprint', () => {
  it('accepts colons, spaces and either case, and refuses anything else', () => {
    const hex = 'ab'.repeat(32);
    expect(normaliseFingerprint(hex)).toBe(Array(32).fill('AB').join(':'));
    expect(normaliseFingerprint(Array(32).fill('ab').join(' '))).toBe(Array(32).fill('AB').join(':'));
    expect(() => normaliseFingerprint('ab'.repeat(20))).toThrow(/not a SHA-256 fingerprint/);
    expect(() => normaliseFingerprint('zz'.repeat(32))).toThrow(/not a SHA-256 fingerprint/);
  });
});
