import { buildCommandLine, limits, quoteArg } from 'asterisk-agi';
import { parseArgs } from 'asterisk-agi/testing';
import { describe, expect, it } from 'vitest';
import { randomBytes, seededRandom } from './helpers.js';

/** What Asterisk makes of our line: run_agi() strips the `\n`, parse_args() splits. */
const asteriskArgv = (line: string): string[] => parseArgs(line.replace(/\n$/, ''));

describe('quoting', () => {
  it('quotes every argument and escapes \\ and "', () => {
    expect(buildCommandLine('SET VARIABLE', ['A', 'say "hi" \\o/'])).toBe('SET VARIABLE "A" "say \\"hi\\" \\\\o/"\n');
    expect(buildCommandLine('VERBOSE', ['x', 3])).toBe('VERBOSE "x" "3"\n');
    expect(quoteArg('')).toBe('""');
  });

  it.each([
    ['plain'],
    [''],
    ['with spaces  and\ttabs'],
    ['"quoted"'],
    ['back\\slash\\'],
    ['\\"'],
    ['trailing backslash \\'],
    ['Jürgen Müller — 🙂 日本'],
    ['SPAM: call centre (Hamburg)'],
    ['a) endpos=3 (b'],
    ['" "'],
  ])('round-trips %j through parse_args()', (value) => {
    expect(asteriskArgv(buildCommandLine('SET VARIABLE', ['NAME', value]))).toEqual(['SET', 'VARIABLE', 'NAME', value]);
  });

  it('round-trips seeded random printable strings', () => {
    const random = seededRandom(42);
    const alphabet = ' \t"\\\'()=abcXYZ019äöü€🙂,;|$[]{}';
    const chars = [...alphabet];
    for (let i = 0; i < 500; i++) {
      const len = Math.floor(random() * 40);
      let value = '';
      for (let j = 0; j < len; j++) value += chars[Math.floor(random() * chars.length)];
      expect(asteriskArgv(buildCommandLine('SET VARIABLE', ['V', value]))).toEqual(['SET', 'VARIABLE', 'V', value]);
    }
  });

  it('shows what goes wrong without quoting (the reason it is done)', () => {
    expect(parseArgs('SET VARIABLE NAME two words')).toEqual(['SET', 'VARIABLE', 'NAME', 'two', 'words']);
    expect(parseArgs('SET VARIABLE NAME a\\b')).toEqual(['SET', 'VARIABLE', 'NAME', 'ab']);
  });
});

describe('refusals', () => {
  it.each([['a\nb'], ['a\rb'], ['a\0b'], ['\n'], ['x\r\n']])('refuses %j with a TypeError', (value) => {
    expect(() => buildCommandLine('SET VARIABLE', ['A', value])).toThrow(TypeError);
  });

  it('refuses bad command words, non-finite numbers and other types', () => {
    expect(() => buildCommandLine('SET VARIABLE "A"', [])).toThrow(TypeError);
    expect(() => buildCommandLine('NOOP\nHANGUP', [])).toThrow(TypeError);
    expect(() => buildCommandLine('', [])).toThrow(TypeError);
    expect(() => buildCommandLine('VERBOSE', ['x', Number.NaN])).toThrow(TypeError);
    expect(() => buildCommandLine('VERBOSE', [{} as unknown as string])).toThrow(TypeError);
  });

  it('accepts a line of exactly 2047 bytes with its newline and refuses one byte more', () => {
    const overhead = Buffer.byteLength('SET VARIABLE "A" ""\n');
    const fits = 'x'.repeat(limits.MAX_COMMAND_LINE_BYTES - overhead);
    expect(Buffer.byteLength(buildCommandLine('SET VARIABLE', ['A', fits]))).toBe(2047);
    expect(() => buildCommandLine('SET VARIABLE', ['A', `${fits}x`])).toThrow(RangeError);
  });

  it('counts bytes, not characters', () => {
    const overhead = Buffer.byteLength('SET VARIABLE "A" ""\n');
    const chars = Math.floor((limits.MAX_COMMAND_LINE_BYTES - overhead) / 2) + 1; // 'ü' is two bytes
    expect(() => buildCommandLine('SET VARIABLE', ['A', 'ü'.repeat(chars)])).toThrow(RangeError);
  });

  it('never produces a line that parse_args() splits differently, for random bytes as text', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 300; i++) {
      const value = randomBytes(random, Math.floor(random() * 60)).toString('utf8');
      let line: string;
      try {
        line = buildCommandLine('SET VARIABLE', ['V', value]);
      } catch (err) {
        expect(err).toBeInstanceOf(TypeError);
        expect(value).toMatch(/[\r\n\0]/);
        continue;
      }
      expect(asteriskArgv(line)).toEqual(['SET', 'VARIABLE', 'V', value]);
    }
  });
});
