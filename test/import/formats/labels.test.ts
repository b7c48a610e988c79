/** Every importer caps names, labels and notes as the admin API does, and strips bidi controls from them. */
import { describe, expect, it } from 'vitest';
import { type ImportRow, parseImport } from '../../../src/import/formats/index.js';
import { MAX_LABEL_CHARS, MAX_NOTE_CHARS } from '../../../src/labels.js';
import { numbering } from './helpers.js';

/** A name that shows as "Bank Berlin" in a browser but is written otherwise (RLO … PDF, and an isolate). */
const SPOOF = 'Bank \u202Enilreb\u202C\u2066!\u2069';
const CLEAN = 'Bank nilreb!';
const LONG = 'A'.repeat(500_001);
const CAPPED = `${'A'.repeat(MAX_LABEL_CHARS - 1)}…`;

const parse = (text: string, format?: 'csv' | 'json') =>
  parseImport(Buffer.from(text), { numbering, kind: 'block', ...(format && { format }) });
const labels = (rows: ImportRow[]) => rows.map((r) => [r.label, r.contact?.name, r.note]);

describe('labels from imported files', () => {
  it("caps a 500,001-character vCard name at the API's 200 and strips bidi controls, for the label and the contact", () => {
    const res = parseImport(
      Buffer.from(
        `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${LONG}\r\nTEL:030 1234567\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:${SPOOF}\r\nTEL:030 1234568\r\nEND:VCARD\r\n`,
      ),
      { numbering },
    );
    expect(res.errors).toEqual([]);
    expect(labels(res.rows)).toEqual([
      [CAPPED, CAPPED, undefined],
      [CLEAN, CLEAN, undefined],
    ]);
  });

  it('does the same for a FRITZ!Box phonebook', () => {
    const contact = (name: string, number: string) =>
      `<contact><person><realName>${name}</realName></person><telephony><number type="home">${number}</number></telephony></contact>`;
    const xml = `<?xml version="1.0" encoding="utf-8"?><phonebooks><phonebook name="Telefonbuch">${contact(LONG, '030 1234567')}${contact(SPOOF, '030 1234568')}</phonebook></phonebooks>`;
    const res = parseImport(Buffer.from(xml), { numbering });
    expect(res.format).toBe('fritzbox');
    expect(res.errors).toEqual([]);
    expect(labels(res.rows)).toEqual([
      [CAPPED, CAPPED, undefined],
      [CLEAN, CLEAN, undefined],
    ]);
  });

  it("does the same for CSV labels and notes (notes at the API's 2,000)", () => {
    // A CSV row may be 64 KiB (MAX_LINE_CHARS): a label just under that.
    const res = parse(
      `030 1234567;${'A'.repeat(60_000)};${'n'.repeat(5000)}\n030 1234568;${SPOOF};\u202Enote\n`,
      'csv',
    );
    expect(res.errors).toEqual([]);
    expect(labels(res.rows)).toEqual([
      [CAPPED, undefined, `${'n'.repeat(MAX_NOTE_CHARS - 1)}…`],
      [CLEAN, undefined, 'note'],
    ]);
  });

  it('does the same for JSON lists', () => {
    const res = parse(
      JSON.stringify([
        { number: '030 1234567', label: LONG, note: SPOOF },
        { number: '030 1234568', name: SPOOF },
      ]),
      'json',
    );
    expect(res.errors).toEqual([]);
    expect(labels(res.rows)).toEqual([
      [CAPPED, undefined, CLEAN],
      [CLEAN, undefined, undefined],
    ]);
  });

  it('never cuts a character in two', () => {
    const res = parse(`030 1234567;${'A'.repeat(MAX_LABEL_CHARS - 2)}😀😀\n`, 'csv');
    expect(res.rows[0]?.label).toBe(`${'A'.repeat(MAX_LABEL_CHARS - 2)}…`);
  });
});
