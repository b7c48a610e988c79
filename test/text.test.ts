import { describe, expect, it } from 'vitest';
import { count, oneLine, withArticle } from '../src/text.js';

describe('sentences for people', () => {
  it.each([
    [0, 'row', undefined, '0 rows'],
    [1, 'row', undefined, '1 row'],
    [2, 'contact', undefined, '2 contacts'],
    [1, 'entry', 'entries', '1 entry'],
    [1234, 'entry', 'entries', '1,234 entries'],
  ])('count(%i, %s) is "%s"', (n, one, many, text) => {
    expect(count(n, one, many)).toBe(text);
  });

  it.each([
    ['allow entry', 'an allow entry'],
    ['block entry', 'a block entry'],
    ['exact entry', 'an exact entry'],
  ])('withArticle(%s) is "%s"', (phrase, text) => {
    expect(withArticle(phrase)).toBe(text);
  });

  it('writes line breaks, tabs and terminal controls as visible escapes', () => {
    expect(oneLine('Oma\r\nGisela\tü\u001b[31m\u2028end')).toBe('Oma\\r\\nGisela\\tü\\u001b[31m\\u2028end');
  });
});
