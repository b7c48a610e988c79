import { describe, expect, it } from 'vitest';
import { type ImportRow, type ParseResult, parseImport } from '../../../src/import/formats/index.js';
import { MAX_LINE_CHARS } from '../../../src/import/formats/types.js';
import { fixture, numbering, withoutRaw } from './helpers.js';

const csv = (text: string | Buffer, kind?: 'allow' | 'block'): ParseResult =>
  parseImport(typeof text === 'string' ? Buffer.from(text) : text, {
    format: 'csv',
    numbering,
    ...(kind ? { kind } : {}),
  });

const block = (line: number, number: string, rest: Partial<ImportRow> = {}): Omit<ImportRow, 'raw'> => ({
  line,
  number,
  prefix: false,
  kind: 'block',
  ...rest,
});

describe('CSV: the shared call-centre list (German Excel: BOM, CRLF, `;`, header, quoting)', () => {
  it('reads every row with its line, number, label and note', () => {
    const r = parseImport(fixture('blocklist-semicolon.csv'), { numbering, filename: 'blocklist-semicolon.csv' });
    expect(r.format).toBe('csv');
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual([]);
    expect(r.rows).toEqual([
      {
        line: 2,
        number: '+493012345670',
        prefix: false,
        kind: 'block',
        label: 'Gewinnspiel-Hotline',
        note: 'angeblicher Hauptgewinn, legt nach 2 Sek. auf',
        raw: '030 12345670;Gewinnspiel-Hotline;angeblicher Hauptgewinn, legt nach 2 Sek. auf',
      },
      {
        line: 3,
        number: '+493012345671',
        prefix: false,
        kind: 'block',
        label: 'Energie-Spar-Service',
        note: 'will den Stromvertrag wechseln',
        raw: '+49 30 12345671;Energie-Spar-Service;will den Stromvertrag wechseln',
      },
      {
        line: 4,
        number: '+493012345672',
        prefix: false,
        kind: 'block',
        note: 'Ping-Anruf – nicht zurückrufen!',
        raw: '0049 30 12345672;;Ping-Anruf – nicht zurückrufen!',
      },
      {
        line: 5,
        number: '+493012345673',
        prefix: false,
        kind: 'block',
        label: 'Umfrage-Institut Nord',
        note: 'Umfrage; dauert "nur 2 Minuten"',
        raw: '(030) 1234567-3;Umfrage-Institut Nord;"Umfrage; dauert ""nur 2 Minuten"""',
      },
      {
        line: 6,
        number: '+493012345674',
        prefix: false,
        kind: 'block',
        label: 'Unbekannt',
        note: 'Bandansage, Computerstimme',
        raw: '030/12345674;Unbekannt;Bandansage, Computerstimme',
      },
      {
        line: 7,
        number: '+493012345675',
        prefix: false,
        kind: 'block',
        label: 'Inkasso Beispiel GmbH',
        note: 'droht mit Mahnbescheid\nzweiter Anruf am selben Tag',
        raw: '+49 (0)30 12345675;Inkasso Beispiel GmbH;"droht mit Mahnbescheid\nzweiter Anruf am selben Tag"',
      },
      { line: 9, number: '+491701234560', prefix: false, kind: 'block', raw: '01701234560;;' },
      {
        line: 10,
        number: '+442079460958',
        prefix: false,
        kind: 'block',
        label: 'Lotto "EuroMillions"',
        note: 'englischsprachig, angeblich Gewinn',
        raw: '+44 20 7946 0958;"Lotto ""EuroMillions""";englischsprachig, angeblich Gewinn',
      },
      {
        line: 11,
        number: '+442079460123',
        prefix: false,
        kind: 'block',
        label: 'Unbekannt',
        note: 'Microsoft-Support-Masche',
        raw: '0044 20 7946 0123;Unbekannt;Microsoft-Support-Masche',
      },
      {
        line: 12,
        number: '+12025550143',
        prefix: false,
        kind: 'block',
        label: 'Unbekannt',
        note: 'Rückruf-Aufforderung auf dem Anrufbeantworter',
        raw: '+1 (202) 555-0143;Unbekannt;Rückruf-Aufforderung auf dem Anrufbeantworter',
      },
      {
        line: 13,
        number: '+49401234567',
        prefix: true,
        kind: 'block',
        label: 'Callcenter Hamburg (ganzer Block)',
        note: 'Sammelnummern 04012345670–04012345679',
        raw: '0401234567*;Callcenter Hamburg (ganzer Block);Sammelnummern 04012345670–04012345679',
      },
    ]);
  });

  it('gives every row the kind asked for', () => {
    const r = parseImport(fixture('blocklist-semicolon.csv'), { format: 'csv', kind: 'allow', numbering });
    expect(new Set(r.rows.map((row) => row.kind))).toEqual(new Set(['allow']));
  });
});

describe('CSV: separators, headers, comments', () => {
  it('reads `,` with an English header and LF line ends', () => {
    const r = csv(fixture('blocklist-comma.csv'));
    expect(r.errors).toEqual([]);
    expect(withoutRaw(r.rows)).toEqual([
      block(2, '+49301111111', { label: 'Robot', note: 'says "hello", then hangs up' }),
      block(3, '+49302222222'),
      block(4, '+49303333333', { label: 'Survey, Inc.' }),
    ]);
  });

  it('reads a shared list: `#` comments, no header, `;`, blank lines, wildcards', () => {
    const r = csv(fixture('list-commented.csv'));
    expect(r.errors).toEqual([]);
    expect(withoutRaw(r.rows)).toEqual([
      block(4, '+49301234500', { label: 'Werbung Nord' }),
      block(5, '+49301234501', { label: 'Umfrage' }),
      block(8, '+493098765', { prefix: true, label: 'ganzer Block' }),
      block(9, '+4930111', { prefix: true }),
    ]);
  });

  it('reads tab-separated text', () => {
    const r = csv('030 1234567\tTab GmbH\tper Tab getrennt\n');
    expect(withoutRaw(r.rows)).toEqual([block(1, '+49301234567', { label: 'Tab GmbH', note: 'per Tab getrennt' })]);
  });

  it('takes the separator from an Excel `sep=` line', () => {
    const r = csv('sep=,\r\nRufnummer,Name\r\n030 1234567,Meier; Schulze & Co.\r\n');
    expect(withoutRaw(r.rows)).toEqual([block(3, '+49301234567', { label: 'Meier; Schulze & Co.' })]);
  });

  it('reads a one-column list of numbers', () => {
    const r = csv('+49 30 1234567\r\n030 7654321\r\n');
    expect(withoutRaw(r.rows)).toEqual([block(1, '+49301234567'), block(2, '+49307654321')]);
  });

  it('maps a header that names its columns in another order, with scores', () => {
    const r = csv(fixture('spam-scores.csv'));
    expect(withoutRaw(r.rows)).toEqual([
      block(2, '+49305550001', { label: 'ping', score: 12 }),
      block(3, '+49305550002', { score: 3 }),
      block(5, '+49305550004', { label: 'no score' }),
    ]);
    expect(r.errors).toMatchObject([
      { line: 4, raw: 'many,030 5550003,advertising', error: 'the score "many" is not a whole number' },
    ]);
  });

  it.each([
    ['Telefonnummer;Bemerkung;Firma', '030 1234567;laut;Spam AG', { label: 'Spam AG', note: 'laut' }],
    ['Phone Number,Comment', '030 1234567,loud', { note: 'loud' }],
    ['Name;Tel.', 'Spam AG;030 1234567', { label: 'Spam AG' }],
    ['Spalte A;Spalte B', '030 1234567;Forum', {}],
  ])('header %j', (header, row, rest) => {
    expect(withoutRaw(csv(`${header}\n${row}\n`).rows)).toEqual([block(2, '+49301234567', rest)]);
  });

  it('takes a first row whose first field has digits as data, not a header', () => {
    expect(withoutRaw(csv('030 1234567;Erste Zeile\n').rows)).toEqual([
      block(1, '+49301234567', { label: 'Erste Zeile' }),
    ]);
  });

  it('skips rows of empty fields (Excel writes `;;`) and lines of spaces', () => {
    const r = csv('Rufnummer;Name\n;;\n   \n030 1234567;A\n');
    expect(r.errors).toEqual([]);
    expect(withoutRaw(r.rows)).toEqual([block(4, '+49301234567', { label: 'A' })]);
  });

  it('counts lines the same with CRLF, LF and CR line ends', () => {
    for (const eol of ['\r\n', '\n', '\r']) {
      const r = csv(['# list', '030 1111111;"a', 'b"', '', '030 2222222;c', ''].join(eol));
      expect(r.rows.map((row) => [row.line, row.label])).toEqual([
        [2, 'a\nb'],
        [5, 'c'],
      ]);
    }
  });
});

describe('CSV: bad rows', () => {
  it('reports each bad row with its line, after a field spanning lines', () => {
    const r = csv(fixture('blocklist-bad-rows.csv'));
    expect(withoutRaw(r.rows)).toEqual([
      block(2, '+49307777001', { label: 'Gut', note: 'zwei\nZeilen' }),
      block(6, '+49301234567', { label: 'offenes "Zitat" endet', note: 'ok' }),
    ]);
    expect(r.errors).toMatchObject([
      {
        line: 4,
        raw: '030 ABC;Schlecht;Buchstaben',
        error: '"030 ABC" is not a phone number: it contains characters other than digits, spaces and + - / . ( )',
      },
      { line: 5, raw: ';Ohne Nummer;', error: 'the number is missing' },
      { line: 7, raw: '*31#;Code;', error: '"*31#" is an internal extension (it starts with "*"), not a phone number' },
    ]);
  });

  it('reports a quote left open at the end of the file', () => {
    const r = csv('030 1111111;ok\n030 2222222;"offen\nbis zum Ende\n');
    expect(withoutRaw(r.rows)).toEqual([block(1, '+49301111111', { label: 'ok' })]);
    expect(r.errors).toMatchObject([
      {
        line: 2,
        raw: '030 2222222;"offen\nbis zum Ende\n',
        error: 'a quoted field is not closed before the end of the file',
      },
    ]);
  });

  it('turns a row past the length limit into an error and reads on from the next line', () => {
    const long = `030 1111111;"${'x'.repeat(MAX_LINE_CHARS + 10)}\n`;
    const r = csv(`${long}030 2222222;danach\n`);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 1, error: expect.stringContaining('longer than 65536 characters') });
    expect(withoutRaw(r.rows)).toEqual([block(2, '+49302222222', { label: 'danach' })]);
  });

  it('refuses a prefix without a country code', () => {
    expect(csv('+4*;zu breit\n').errors).toMatchObject([
      {
        line: 1,
        raw: '+4*;zu breit',
        error:
          '"+4*" is too broad a prefix: "+4" is not a whole country calling code; a prefix needs at least one, like "+44*"',
      },
    ]);
  });
});

describe('CSV: encodings', () => {
  it('reads Windows-1252 without BOM (German Excel\'s plain "CSV")', () => {
    // "Rufnummer;Name\r\n030 1234567;Müller & Söhne – Gewinnspiel €\r\n" in Windows-1252
    const bytes = Buffer.concat([
      Buffer.from('Rufnummer;Name\r\n030 1234567;M'),
      Buffer.from([0xfc]),
      Buffer.from('ller & S'),
      Buffer.from([0xf6]),
      Buffer.from('hne '),
      Buffer.from([0x96]),
      Buffer.from(' Gewinnspiel '),
      Buffer.from([0x80]),
      Buffer.from('\r\n'),
    ]);
    const r = csv(bytes);
    expect(withoutRaw(r.rows)).toEqual([block(2, '+49301234567', { label: 'Müller & Söhne – Gewinnspiel €' })]);
  });

  it('reads UTF-8 with and without BOM alike', () => {
    const text = 'Rufnummer;Name\n030 1234567;Jürgen\n';
    const withBom = csv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    expect(withoutRaw(withBom.rows)).toEqual(withoutRaw(csv(text).rows));
    expect(withBom.rows[0]?.label).toBe('Jürgen');
  });
});
