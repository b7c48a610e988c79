import { describe, expect, it, vi } from 'vitest';
import { csvRows, type ImportRow, parseImport, type RowError } from '../../../src/import/formats/index.js';
import { numbering } from './helpers.js';

// The real cap is 2,000,000 rows; three make the same point.
vi.mock('../../../src/import/formats/types.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../src/import/formats/types.js')>()),
  MAX_ROWS: 3,
}));

const lines = (n: number): string => Array.from({ length: n }, (_, i) => `030 123456${i}\n`).join('');
const TOO_MANY = 'the file has more than 3 rows; the rest was not read';

describe('MAX_ROWS', () => {
  it('ends a CSV stream with one error instead of reading on', async () => {
    const items: Array<ImportRow | RowError> = [];
    const source = (async function* () {
      yield Buffer.from(lines(5));
      yield Buffer.from(lines(5));
    })();
    for await (const item of csvRows(source, { numbering })) items.push(item);
    expect(items.map((x) => ('error' in x ? x.error : x.line))).toEqual([1, 2, 3, TOO_MANY]);
    expect(items[3]?.line).toBe(4);
  });

  it('counts errors too, and caps whole-file parsers the same way', () => {
    const csv = parseImport(Buffer.from(`030 ABC\n${lines(5)}`), { format: 'csv', numbering });
    expect(csv.rows.map((r) => r.line)).toEqual([2, 3]);
    expect(csv.errors.map((e) => e.error)).toEqual([expect.stringContaining('not a phone number'), TOO_MANY]);
    const vcf = parseImport(
      Buffer.from(`BEGIN:VCARD\nFN:A\n${lines(5).replace(/^/gm, 'TEL:').slice(0, -4)}END:VCARD\n`),
      { numbering },
    );
    expect(vcf.rows.map((r) => r.line)).toEqual([3, 4, 5]);
    expect(vcf.errors).toMatchObject([{ line: 6, raw: '', error: TOO_MANY }]);
  });
});
