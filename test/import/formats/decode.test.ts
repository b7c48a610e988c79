import { describe, expect, it } from 'vitest';
import { TextStreamDecoder } from '../../../src/import/formats/decode.js';
import { decodeText } from '../../../src/import/formats/index.js';

const cp1252 = (...parts: Array<string | number[]>): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('decodeText', () => {
  it.each<[string, Buffer, string]>([
    ['UTF-8', Buffer.from('Jürgen – 10 €'), 'Jürgen – 10 €'],
    ['UTF-8 with BOM', Buffer.from('\uFEFFRufnummer'), 'Rufnummer'],
    ['Windows-1252 letters', cp1252('J', [0xfc], 'rgen Gro', [0xdf]), 'Jürgen Groß'],
    // Node's TextDecoder('windows-1252') gets these wrong (Latin-1 C1 controls); ours must not.
    ['Windows-1252 0x80–0x9F', cp1252([0x80, 0x84, 0x93, 0x94, 0x96, 0x97, 0x8a, 0x9f]), '€„“”–—ŠŸ'],
    ['a UTF-8 BOM before Windows-1252 text', cp1252([0xef, 0xbb, 0xbf], 'M', [0xfc], 'ller'), 'Müller'],
    ['ASCII', Buffer.from('030 1234567;Name'), '030 1234567;Name'],
    ['empty', Buffer.alloc(0), ''],
  ])('%s', (_, bytes, text) => {
    expect(decodeText(bytes)).toBe(text);
  });
});

describe('TextStreamDecoder', () => {
  const decodeInPieces = (buf: Buffer, cuts: number[]): string => {
    const d = new TextStreamDecoder();
    let out = '';
    let from = 0;
    for (const cut of [...cuts, buf.length]) {
      out += d.write(buf.subarray(from, cut));
      from = cut;
    }
    return out + d.end();
  };

  it('decodes UTF-8 cut anywhere, inside multi-byte characters and the BOM too', () => {
    const buf = Buffer.from('\uFEFFä€𝄞ß;Jürgen\n');
    for (let a = 0; a <= buf.length; a++) {
      for (let b = a; b <= buf.length; b++) expect(decodeInPieces(buf, [a, b])).toBe('ä€𝄞ß;Jürgen\n');
    }
  });

  it('switches to Windows-1252 for good at the first chunk that is not UTF-8', () => {
    const buf = cp1252('abc;', [0xe4], 'x;', [0x80], '\n');
    for (let cut = 0; cut <= buf.length; cut++) expect(decodeInPieces(buf, [cut])).toBe('abc;äx;€\n');
  });

  it('drops a UTF-8 BOM before Windows-1252 text', () => {
    const buf = cp1252([0xef, 0xbb, 0xbf], 'M', [0xfc], 'ller');
    for (let cut = 0; cut <= buf.length; cut++) expect(decodeInPieces(buf, [cut])).toBe('Müller');
  });

  it('reads an unfinished UTF-8 sequence at the very end as Windows-1252', () => {
    expect(decodeInPieces(Buffer.from([0x61, 0xc3]), [])).toBe('aÃ');
  });

  it('passes strings through, BOM removed', () => {
    const d = new TextStreamDecoder();
    expect(d.write('\uFEFFa') + d.write('\uFEFFb') + d.end()).toBe('a\uFEFFb');
  });
});
