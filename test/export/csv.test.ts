import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from '../../src/export/csv.js';

describe('CSV fields a spreadsheet opens safely (OWASP CSV injection)', () => {
  it.each([
    // A formula start at the beginning of the field, TAB and CR included.
    ['=1+1', "'=1+1"],
    ['+49 call me', "'+49 call me"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=2+2', `"'\t'=2+2"`],
    ['\r=2+2', `"'\r'=2+2"`],
    // Spaces before it do not help: a spreadsheet that trims cells sees the formula.
    [' =1+1', "' =1+1"],
    ['a, -1', `"a, '-1"`],
    // After a separator inside the field: German Excel splits at `;`, so `;=` would start a new cell with a formula.
    ['Name;=HYPERLINK("http://x","y")', `"Name;'=HYPERLINK(""http://x"",""y"")"`],
    ['a,=1+1', `"a,'=1+1"`],
    ['a\t+1', `"a\t'+1"`],
    ['line\n-1', `"line\n'-1"`],
    ['a"@x', `"a""'@x"`],
  ])('%j is written as %s', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it('quotes every field that holds a separator of either kind, TAB, CR, LF or a quote', () => {
    expect(csvLine(['a;b', 'c\td', 'e\rf', 'g\nh', 'i,j', 'k"l', 'plain'])).toBe(
      `"a;b","c\td","e\rf","g\nh","i,j","k""l",plain\r\n`,
    );
  });

  it('leaves our own numbers, numbers of other types and harmless text as they are', () => {
    expect(csvLine(['+4930123456', '+4930123*', 42, -1, true, 'Anna Groß', 'a-b', 'x=y', undefined, null])).toBe(
      '+4930123456,+4930123*,42,-1,true,Anna Groß,a-b,x=y,,\r\n',
    );
  });
});
