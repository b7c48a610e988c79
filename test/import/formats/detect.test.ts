import { describe, expect, it } from 'vitest';
import { detectFormat, type ImportFormat, ImportFormatError, parseImport } from '../../../src/import/formats/index.js';
import { fixture, numbering } from './helpers.js';

describe('detectFormat', () => {
  it.each<[string, ImportFormat]>([
    ['blocklist-semicolon.csv', 'csv'],
    ['contacts.vcf', 'vcard'],
    ['fritzbox-phonebook.xml', 'fritzbox'],
    ['fritzbox-tr064.xml', 'fritzbox'],
    ['fritzbox-call-barring.xml', 'fritzbox'],
    ['phoneblock-blocklist.json', 'phoneblock'],
    ['phoneblock-blocklist.xml', 'phoneblock'],
    ['list-commented.csv', 'csv'],
  ])('%s is %s by its content alone', (name, format) => {
    expect(detectFormat(fixture(name))).toBe(format);
  });

  it.each<[string, string | undefined, string | undefined, ImportFormat | undefined]>([
    ['\r\n\r\nBEGIN:vCard\r\n', undefined, undefined, 'vcard'],
    ['  [{"phone":"+49301234567"}]', undefined, undefined, 'json'],
    ['{"numbers": []}', 'x.txt', 'text/plain', 'phoneblock'],
    ['{"entries": []}', undefined, undefined, 'json'],
    ['<?xml version="1.0"?><!-- c --><phonebooks>', undefined, undefined, 'fritzbox'],
    ['<?xml version="1.0"?><html/>', 'book.xml', undefined, undefined],
    ['030 1234567\n', 'kontakte.vcf', undefined, 'vcard'],
    ['030 1234567\n', undefined, 'text/x-vcard; charset=utf-8', 'vcard'],
    ['030 1234567\n', 'liste.xml', 'application/json', 'csv'],
    ['030 1234567\n', undefined, undefined, 'csv'],
    ['', undefined, undefined, 'csv'],
  ])('%j (name %j, type %j) is %j', (head, filename, contentType, format) => {
    expect(detectFormat(head, filename, contentType)).toBe(format);
  });

  it('says nothing for binary content such as a spreadsheet, whatever its name', () => {
    const xlsx = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]);
    expect(detectFormat(xlsx, 'liste.csv', 'text/csv')).toBeUndefined();
  });
});

describe('parseImport', () => {
  it('throws ImportFormatError when it cannot tell the format', () => {
    expect(() => parseImport(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00]), { numbering })).toThrow(ImportFormatError);
  });

  it('reads the format it is told, whatever the content looks like', () => {
    const r = parseImport(Buffer.from('BEGIN:VCARD\n030 1234567\n'), { format: 'csv', numbering });
    expect(r).toEqual({
      format: 'csv',
      rows: [{ line: 2, number: '+49301234567', prefix: false, kind: 'block', raw: '030 1234567' }],
      errors: [],
      skipped: [],
    });
  });
});
