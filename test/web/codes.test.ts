/** The page words every code of the server's message table, in English and German, with the code's own parameters. */
import { describe, expect, it } from 'vitest';
import { type Code, MESSAGES } from '../../src/messages/index.js';
import { codesDe } from '../../web/src/i18n-codes-de.js';
import { codesEn } from '../../web/src/i18n-codes-en.js';

const CODES = Object.keys(MESSAGES) as Code[];
const TABLES = { en: codesEn as Record<string, string>, de: codesDe as Record<string, string> };
/** What the page adds to a code's parameters (i18n.ts `message()`). */
const DERIVED: Record<string, string> = { fieldName: 'field', numberNational: 'number' };

describe("the page's words for the server's codes", () => {
  it.each(CODES)('%s has an entry in both languages, using only its parameters', (code) => {
    const params: readonly string[] = MESSAGES[code].params;
    for (const [lang, table] of Object.entries(TABLES)) {
      const text = table[`err.${code}`];
      expect(text, `${lang}: err.${code}`).toBeTypeOf('string');
      for (const [, name] of (text ?? '').matchAll(/\{(\w+)\}/g)) {
        const from = DERIVED[name as string] ?? name;
        expect(params.includes(from as string) || from === 'field', `${lang}: err.${code} uses {${name}}`).toBe(true);
      }
    }
  });

  it('names no code the server does not have', () => {
    const known = new Set(CODES.map((c) => `err.${c}`));
    const stray = Object.keys(codesEn).filter((k) => !known.has(k) && !known.has(k.split('.').slice(0, 3).join('.')));
    expect(stray).toEqual([]);
  });
});
