import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvRows, type ImportRow, parseImport, type RowError } from '../../src/import/formats/index.js';
import { fixture, numbering } from './formats/helpers.js';

async function collect(
  source: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
): Promise<Array<ImportRow | RowError>> {
  const out: Array<ImportRow | RowError> = [];
  for await (const item of csvRows(source, { numbering })) out.push(item);
  return out;
}

async function* chunks(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** What the whole-file parser finds, rows and errors merged in file order (as csvRows yields them). */
function wholeFile(buf: Buffer): Array<ImportRow | RowError> {
  const r = parseImport(buf, { format: 'csv', numbering });
  return [...r.rows, ...r.errors].sort((a, b) => a.line - b.line);
}

describe('csvRows', () => {
  // ~2 s alone; the generous limit is for a machine busy with other suites.
  it('streams 100,000 generated rows in order, with the bad row at its line', { timeout: 60_000 }, async () => {
    const ROWS = 100_000;
    const BAD = 54_321; // the data row that is wrong
    const parts = [
      'Rufnummer;Name;Kommentar\r\n',
      '# erzeugt für den Test\r\n',
      '030 9999999;Zwei Zeilen;"erste\r\nzweite"\r\n',
    ];
    for (let i = 1; i <= ROWS; i++) {
      parts.push(i === BAD ? 'unbekannt;kaputt;\r\n' : `+4930${10_000_000 + i};Spam ${i};Notiz ${i}\r\n`);
    }
    const buf = Buffer.from(parts.join(''));
    // An odd chunk size puts chunk ends inside rows, inside CRLFs and inside the quoted field.
    const items = await collect(chunks(buf, 7_919));

    expect(items).toHaveLength(ROWS + 1);
    const errors = items.filter((x): x is RowError => 'error' in x);
    // line 1 header, 2 comment, 3–4 the quoted row, so data row i is on line i + 4
    expect(errors).toEqual([
      {
        line: BAD + 4,
        raw: 'unbekannt;kaputt;',
        error: '"unbekannt" is not a phone number: it has no digits',
        code: 'number.no_digits',
        params: { value: 'unbekannt' },
      },
    ]);
    const rows = items.filter((x): x is ImportRow => !('error' in x));
    expect(rows[0]).toEqual({
      line: 3,
      number: '+49309999999',
      prefix: false,
      kind: 'block',
      label: 'Zwei Zeilen',
      note: 'erste\nzweite',
      raw: '030 9999999;Zwei Zeilen;"erste\r\nzweite"',
    });
    expect(rows[1]).toEqual({
      line: 5,
      number: '+493010000001',
      prefix: false,
      kind: 'block',
      label: 'Spam 1',
      note: 'Notiz 1',
      raw: '+493010000001;Spam 1;Notiz 1',
    });
    expect(rows.at(-1)).toEqual({
      line: ROWS + 4,
      number: '+493010100000',
      prefix: false,
      kind: 'block',
      label: `Spam ${ROWS}`,
      note: `Notiz ${ROWS}`,
      raw: '+493010100000;Spam 100000;Notiz 100000',
    });
    expect(items.map((x) => x.line)).toEqual([3, ...Array.from({ length: ROWS }, (_, i) => i + 5)]);
  });

  it.each(['blocklist-semicolon.csv', 'blocklist-bad-rows.csv', 'spam-scores.csv', 'list-commented.csv'])(
    '%s: any split into chunks gives what the whole-file parser gives',
    async (name) => {
      const buf = fixture(name);
      const expected = wholeFile(buf);
      expect(await collect(chunks(buf, 1))).toEqual(expected);
      for (let cut = 1; cut < buf.length; cut++) {
        expect(
          await collect(
            (async function* () {
              yield buf.subarray(0, cut);
              yield buf.subarray(cut);
            })(),
          ),
        ).toEqual(expected);
      }
    },
  );

  it('reads a file stream', async () => {
    const stream = createReadStream(new URL('../fixtures/import/blocklist-semicolon.csv', import.meta.url), {
      highWaterMark: 64,
    });
    expect(await collect(stream)).toEqual(wholeFile(fixture('blocklist-semicolon.csv')));
  });

  it('reads a stream of strings', async () => {
    const items = await collect(Readable.from(['Rufnummer;Name\n030 12', '34567;Jürgen\n']));
    expect(items).toEqual([
      { line: 2, number: '+49301234567', prefix: false, kind: 'block', label: 'Jürgen', raw: '030 1234567;Jürgen' },
    ]);
  });

  it('switches to Windows-1252 when a late chunk is not UTF-8', async () => {
    const ascii = Array.from({ length: 200 }, (_, i) => `+4930${10_000_000 + i};A\n`).join('');
    const buf = Buffer.concat([Buffer.from(`${ascii}030 1234567;M`), Buffer.from([0xfc]), Buffer.from('ller\n')]);
    const items = await collect(chunks(buf, 1000));
    expect(items).toHaveLength(201);
    expect(items.at(-1)).toMatchObject({ line: 201, number: '+49301234567', label: 'Müller' });
  });

  it('takes the kind from its options', async () => {
    const items: Array<ImportRow | RowError> = [];
    for await (const x of csvRows(chunks(Buffer.from('030 1234567\n'), 4), { numbering, kind: 'allow' })) items.push(x);
    expect(items).toEqual([{ line: 1, number: '+49301234567', prefix: false, kind: 'allow', raw: '030 1234567' }]);
  });
});
