import { describe, expect, it } from 'vitest';
import { type ImportRow, type ParseResult, parseImport } from '../../../src/import/formats/index.js';
import { fixture, numbering, withoutRaw } from './helpers.js';

const vcard = (input: string | Buffer, kind?: 'allow' | 'block'): ParseResult =>
  parseImport(typeof input === 'string' ? Buffer.from(input) : input, {
    format: 'vcard',
    numbering,
    ...(kind ? { kind } : {}),
  });

/** An allow row of a card: labelled with the card's name, linked to it. */
const allow = (
  line: number,
  number: string,
  name: string,
  externalId?: string,
  note?: string,
): Omit<ImportRow, 'raw'> => ({
  line,
  number,
  prefix: false,
  kind: 'allow',
  label: name,
  contact: externalId === undefined ? { name } : { name, externalId },
  ...(note === undefined ? {} : { note }),
});

describe('vCard: the shared address-book exports (Apple, Google, Nextcloud, Android, Outlook)', () => {
  const r = parseImport(fixture('contacts.vcf'), { numbering, filename: 'contacts.vcf' });
  const kaethe = '5f0c8e2a-3b1d-4c6e-9a7f-2d4e6b8c0a13';

  it('reads every TEL of every card, fax numbers included, labelled with the card name', () => {
    expect(r.format).toBe('vcard');
    expect(withoutRaw(r.rows)).toEqual([
      allow(9, '+491701234567', 'Jürgen Böhm'),
      allow(10, '+493012345670', 'Jürgen Böhm'),
      allow(11, '+493012345671', 'Jürgen Böhm'),
      allow(13, '+442079460123', 'Jürgen Böhm'),
      allow(21, '+491701234568', 'Anna-Lena Groß'),
      allow(22, '+498912345671', 'Anna-Lena Groß'),
      allow(23, '+12025550143', 'Anna-Lena Groß'),
      allow(37, '+493012345672', 'Dr. Käthe Weiß', kaethe),
      allow(38, '+493012345673', 'Dr. Käthe Weiß', kaethe),
      allow(39, '+491701234569', 'Dr. Käthe Weiß', kaethe),
      allow(47, '+493012345674', 'Ole Sørensen'),
      allow(48, '+442079460958', 'Ole Sørensen', undefined, 'extension 123 dropped: a caller id never carries it'),
      allow(50, '+493012345675', 'Ole Sørensen'),
      allow(57, '+491701234560', 'Jörg Müller'),
      allow(58, '+493012345675', 'Jörg Müller'),
      allow(59, '+493012345676', 'Jörg Müller'),
      allow(71, '+493012345677', 'Hans-Peter Schulte'),
      allow(72, '+493012345678', 'Hans-Peter Schulte'),
      allow(73, '+491701234561', 'Hans-Peter Schulte'),
      allow(74, '+493012345679', 'Hans-Peter Schulte'),
      allow(85, '+493012345678', 'Frieda Mustermann'),
      allow(86, '+493012345679', 'Frieda Mustermann'),
    ]);
  });

  it('skips the empty TEL and has no errors', () => {
    expect(r.skipped).toEqual([
      { line: 40, raw: 'TEL;TYPE=WORK,VOICE:', why: 'empty TEL', code: 'skip.empty_tel', params: {} },
    ]);
    expect(r.errors).toEqual([]);
  });

  it('keeps the unfolded line as raw: a number folded in its extension is whole again', () => {
    expect(r.rows.find((row) => row.line === 48)?.raw).toBe(
      'TEL;VALUE=uri;TYPE="work,cell,voice,video,text":tel:+44-20-7946-0958;ext=123',
    );
    expect(r.rows.find((row) => row.line === 9)?.raw).toBe(
      'TEL;type=IPHONE;type=CELL;type=VOICE;type=pref:+49 170 1234567',
    );
  });
});

describe('vCard: our own mixed file (LF, tab folding, N / ORG / no name, tel: URIs, SIP, internal)', () => {
  it('reads it to the exact rows, skips and errors', () => {
    const r = vcard(fixture('contacts-mixed.vcf'));
    const petra = 'urn:uuid:4a1e3c55-0d2b-4f7e-8a61-93c2b7d0e5f4';
    expect(withoutRaw(r.rows)).toEqual([
      allow(5, '+491712345678', 'Dr. Petra Schmidt', petra),
      allow(6, '+49309876543', 'Dr. Petra Schmidt', petra),
      allow(7, '+4930222222', 'Dr. Petra Schmidt', petra),
      allow(12, '+49891234567', 'Praxis Dr. Weber, Anmeldung'),
      allow(14, '+49897654321', 'Praxis Dr. Weber, Anmeldung'),
      allow(21, '+492115556677', '0211 5556677'),
      allow(22, '+492115556678', '0211 5556677'),
    ]);
    expect(r.skipped).toMatchObject([
      {
        line: 15,
        raw: 'TEL;TYPE=work:sip:praxis@example.org',
        why: 'SIP address, not a phone number',
        code: 'skip.sip',
      },
      { line: 16, raw: 'TEL:**9', why: 'internal extension (starts with "*")', code: 'skip.internal' },
    ]);
    expect(r.errors).toMatchObject([
      { line: 17, raw: 'TEL;TYPE=home:Büro', error: '"Büro" is not a phone number: it has no digits' },
    ]);
  });

  it('makes block rows when asked to', () => {
    const r = vcard(fixture('contacts-mixed.vcf'), 'block');
    expect(new Set(r.rows.map((row) => row.kind))).toEqual(new Set(['block']));
  });
});

describe('vCard: Outlook and odd files', () => {
  it('reads raw Windows-1252 bytes and Windows-1252 QUOTED-PRINTABLE beside a UTF-8 card', () => {
    const file = Buffer.concat([
      Buffer.from('BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=Windows-1252:M'),
      Buffer.from([0xfc]),
      Buffer.from('ller;J'),
      Buffer.from([0xfc]),
      Buffer.from('rgen\r\nTEL;WORK;VOICE:030 1234567\r\nEND:VCARD\r\n'),
      Buffer.from(
        'BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:Gr=FC=DFe =80 =\r\nGmbH\r\nTEL;HOME:0301234568\r\nEND:VCARD\r\n',
      ),
      Buffer.from('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jörg\r\nTEL:0301234569\r\nEND:VCARD\r\n'),
    ]);
    const r = vcard(file);
    expect(r.errors).toEqual([]);
    expect(withoutRaw(r.rows)).toEqual([
      allow(4, '+49301234567', 'Jürgen Müller'),
      allow(10, '+49301234568', 'Grüße € GmbH'),
      allow(15, '+49301234569', 'Jörg'),
    ]);
  });

  it('takes ORG when a card has neither FN nor N, and UID as the external id', () => {
    const r = vcard(
      'BEGIN:VCARD\nVERSION:4.0\nUID:abc-1\nORG:Stadtwerke\\, Netz;Störungsstelle\nTEL:0301234567\nEND:VCARD\n',
    );
    expect(withoutRaw(r.rows)).toEqual([allow(5, '+49301234567', 'Stadtwerke, Netz, Störungsstelle', 'abc-1')]);
  });

  it('leaves a card inside a card (2.1 AGENT) to itself', () => {
    const r = vcard(
      'BEGIN:VCARD\nVERSION:2.1\nFN:Chefin\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\nFN:Assistent\nTEL:0307777777\nEND:VCARD\nTEL:0301234567\nEND:VCARD\n',
    );
    expect(withoutRaw(r.rows)).toEqual([allow(10, '+49301234567', 'Chefin')]);
  });

  it('reads a last card that lacks END:VCARD', () => {
    expect(withoutRaw(vcard('BEGIN:VCARD\nFN:Abgeschnitten\nTEL:0301234567\n').rows)).toEqual([
      allow(3, '+49301234567', 'Abgeschnitten'),
    ]);
  });

  it('says so when there is no card at all', () => {
    expect(vcard('030 1234567;Name\n')).toEqual({
      format: 'vcard',
      rows: [],
      skipped: [],
      errors: [
        {
          line: 1,
          raw: '',
          error: 'no BEGIN:VCARD found: this is not a vCard file',
          code: 'row.not_vcard',
          params: {},
        },
      ],
    });
  });
});
