import { describe, expect, it } from 'vitest';
import { about, type Code, coded, isCode, MESSAGES, render } from '../../src/messages/index.js';

const CODES = Object.keys(MESSAGES) as Code[];

describe('the message table', () => {
  it.each(CODES)('%s words only the parameters it declares, and every one of them', (code) => {
    const spec = MESSAGES[code] as { params: readonly string[]; en: (p: Record<string, string>) => string };
    const read = new Set<string>();
    const params = new Proxy({} as Record<string, string>, {
      get: (_t, key) => {
        if (typeof key === 'string') read.add(key);
        return typeof key === 'string' ? `<${key}>` : undefined;
      },
    });
    const text = spec.en(params);
    expect(text.length).toBeGreaterThan(0);
    expect(
      [...read].filter((k) => !spec.params.includes(k)),
      'read but not declared',
    ).toEqual([]);
    expect(
      spec.params.filter((k) => !read.has(k)),
      'declared but not used',
    ).toEqual([]);
  });

  it('codes are dotted lower-case words, stable names a client can switch on', () => {
    for (const code of CODES) expect(code).toMatch(/^[a-z]+\.[a-z_]+$/);
    expect(isCode('number.no_digits')).toBe(true);
    expect(isCode('toString')).toBe(false);
  });

  it('puts the field in front unless the wording names it', () => {
    expect(render(coded('number.no_digits', { field: 'body/number', value: 'abc' }))).toBe(
      'body/number: "abc" is not a phone number: it has no digits',
    );
    expect(render(coded('request.required', { field: 'body', property: 'number' }))).toBe('body/number is required');
    expect(render(about(coded('import.vcard_block'), 'querystring/kind'))).toBe(
      'querystring/kind: a vCard holds contacts, and contacts are allowed: it cannot be imported as block entries',
    );
  });
});
