import { describe, expect, it } from 'vitest';
import { type ImportRow, type ParseResult, parseImport } from '../../../src/import/formats/index.js';
import { fixture, numbering, withoutRaw } from './helpers.js';

const fritz = (input: string | Buffer, kind?: 'allow' | 'block'): ParseResult =>
  parseImport(typeof input === 'string' ? Buffer.from(input) : input, {
    format: 'fritzbox',
    numbering,
    ...(kind ? { kind } : {}),
  });

const allow = (
  line: number,
  number: string,
  name: string,
  externalId: string,
  prefix = false,
): Omit<ImportRow, 'raw'> => ({
  line,
  number,
  prefix,
  kind: 'allow',
  label: name,
  contact: { name, externalId },
});

describe('FRITZ!Box: the shared phonebook export (one-line contacts)', () => {
  const r = parseImport(fixture('fritzbox-phonebook.xml'), { numbering, filename: 'fritzbox-phonebook.xml' });

  it('reads every number of every contact as an allow row named by realName, VIPs (category 1) marked', () => {
    expect(r.format).toBe('fritzbox');
    expect(withoutRaw(r.rows)).toEqual([
      { ...allow(5, '+493012345670', 'Böhm, Jürgen', '12'), vip: true },
      { ...allow(5, '+491701234567', 'Böhm, Jürgen', '12'), vip: true },
      { ...allow(5, '+493012345671', 'Böhm, Jürgen', '12'), vip: true },
      allow(8, '+493012345672', 'Dr. Käthe Weiß', '27'),
      allow(8, '+493012345673', 'Dr. Käthe Weiß', '27'),
      allow(11, '+498912345670', 'Hausverwaltung Müller & Söhne', '31'),
      allow(11, '+49891234567', 'Hausverwaltung Müller & Söhne', '31', true),
      allow(15, '+493012345674', 'Oma Gisela', '18'),
      allow(17, '+442079460958', 'Ørsted Consulting Ltd', '40'),
    ]);
    expect(r.errors).toEqual([]);
  });

  it('skips the SIP address and the internal extension', () => {
    expect(r.skipped).toMatchObject([
      {
        line: 4,
        raw: '<number prio="1" type="work" quickdial="65" id="0">500@hd-telefonie.avm.de</number>',
        why: 'SIP address, not a phone number',
        code: 'skip.sip',
      },
      {
        line: 13,
        raw: '<number type="intern" vanity="" prio="1" id="0">**610</number>',
        why: 'internal extension',
        code: 'skip.internal_book',
      },
    ]);
  });

  it('keeps each <number> element as raw', () => {
    expect(r.rows[6]?.raw).toBe('<number type="work" prio="0" id="1">0891234567*</number>');
  });
});

describe('FRITZ!Box: other layouts and lists', () => {
  it('reads the TR-064 spec layout: comments, <services> inside <telephony>, CDATA, &#43;', () => {
    const r = fritz(fixture('fritzbox-tr064.xml'));
    expect(withoutRaw(r.rows)).toEqual([
      allow(18, '+493098765432', 'Max Mustermann', '1'),
      allow(19, '+491712345678', 'Max Mustermann', '1'),
      allow(32, '+498912345678', 'Erika & Co. <Büro>', '2'),
      allow(33, '+498912345679', 'Erika & Co. <Büro>', '2'),
    ]);
    expect(r.skipped).toMatchObject([
      { line: 34, raw: '<number type="memo" prio="0" id="2"></number>', why: 'empty number' },
    ]);
    expect(r.errors).toEqual([]);
  });

  it('reads the call-barring list (owner 258) as block rows, without a label that only repeats the number', () => {
    const r = parseImport(fixture('fritzbox-call-barring.xml'), { numbering, filename: 'Rufsperren.xml' });
    expect(r.format).toBe('fritzbox');
    expect(withoutRaw(r.rows)).toEqual([
      { line: 4, number: '+49301112223', prefix: false, kind: 'block' },
      { line: 5, number: '+49900123', prefix: true, kind: 'block', label: 'Gewinnspiel-Robot' },
      { line: 6, number: '+442079460000', prefix: false, kind: 'block' },
    ]);
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual([]);
  });

  it('lets the caller override the kind', () => {
    const r = fritz(fixture('fritzbox-call-barring.xml'), 'allow');
    expect(r.rows.map((row) => [row.kind, row.contact])).toEqual([
      ['allow', { name: '0301112223', externalId: '1' }],
      ['allow', { name: 'Gewinnspiel-Robot', externalId: '2' }],
      ['allow', { name: '+44 20 7946 0000', externalId: '3' }],
    ]);
  });

  it("skips the box's internal phonebook (owner 255) and reads each phonebook with its own kind", () => {
    const r = fritz(
      '<phonebooks><phonebook owner="255"><contact><person><realName>Wohnzimmer</realName></person><telephony><number type="intern">610</number></telephony></contact></phonebook>\n' +
        '<phonebook owner="258"><contact><person><realName>Spam</realName></person><telephony><number>0301234567</number></telephony></contact></phonebook>\n' +
        '<phonebook owner="1" name="Familie"><contact><person><realName>Opa</realName></person><telephony><number>0307654321</number></telephony><uniqueid>7</uniqueid></contact></phonebook></phonebooks>\n',
    );
    expect(r.skipped).toMatchObject([
      { line: 1, raw: '<number type="intern">610</number>', why: 'internal extension' },
    ]);
    expect(withoutRaw(r.rows)).toEqual([
      { line: 2, number: '+49301234567', prefix: false, kind: 'block', label: 'Spam' },
      allow(3, '+49307654321', 'Opa', '7'),
    ]);
  });

  it('reports a number that does not normalise, and a broken file', () => {
    const r = fritz(
      '<phonebooks><phonebook name="x"><contact><person><realName>A</realName></person>\n<telephony><number>Büro</number><number>0301234567</number></telephony></contact>\n<contact><person><realName>B</realName><unclosed',
    );
    expect(withoutRaw(r.rows)).toEqual([
      { line: 2, number: '+49301234567', prefix: false, kind: 'allow', label: 'A', contact: { name: 'A' } },
    ]);
    expect(r.errors).toMatchObject([
      { line: 2, raw: '<number>Büro</number>', error: '"Büro" is not a phone number: it has no digits' },
      { line: 3, raw: '', error: 'the XML is broken here: a tag is not closed; the rest was not read' },
    ]);
  });

  it('says so when the XML is no phonebook', () => {
    expect(fritz('<?xml version="1.0"?><html><body/></html>').errors).toMatchObject([
      { line: 1, raw: '', error: 'no <phonebook> found: this is not a FRITZ!Box phonebook' },
    ]);
  });
});
