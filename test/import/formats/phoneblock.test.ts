import { describe, expect, it } from 'vitest';
import { type ImportRow, type ParseResult, parseImport, REMOVAL } from '../../../src/import/formats/index.js';
import { fixture, numbering, withoutRaw } from './helpers.js';

const parse = (text: string, format: 'json' | 'phoneblock' = 'json'): ParseResult =>
  parseImport(Buffer.from(text), { format, numbering });

const spam = (line: number, number: string, score: number | undefined, label?: string): Omit<ImportRow, 'raw'> => ({
  line,
  number,
  prefix: false,
  kind: 'block',
  ...(label === undefined ? {} : { label }),
  ...(score === undefined ? {} : { score }),
});

describe('PhoneBlock blocklist (JSON)', () => {
  const r = parseImport(fixture('phoneblock-blocklist.json'), { numbering, filename: 'blocklist.json' });

  it('words the ratings in the language asked for, as the subscription does (messages/ratings.ts)', () => {
    const de = parseImport(fixture('phoneblock-blocklist.json'), {
      numbering,
      filename: 'blocklist.json',
      language: 'de',
    });
    expect(de.rows.map((row) => row.label)).toEqual([
      'Unbekannt',
      'Ping-Anruf',
      'Werbung',
      'Umfrage',
      'Betrug',
      'Gewinnspiel',
      'Werbung',
    ]);
  });

  it('reads numbers with votes as score and the rating in words, and the version', () => {
    expect(r.format).toBe('phoneblock');
    expect(r.version).toBe(4718);
    expect(withoutRaw(r.rows)).toEqual([
      spam(1, '+493012345670', 2, 'unknown'),
      spam(1, '+493012345671', 4, 'ping call'),
      spam(1, '+493012345672', 10, 'advertising'),
      spam(1, '+493012345673', 20, 'poll'),
      spam(1, '+493012345674', 50, 'fraud'),
      spam(1, '+442079460958', 100, 'sweepstakes'),
      spam(1, '+12025550143', 10, 'advertising'),
    ]);
    expect(r.errors).toEqual([]);
  });

  it('leaves out numbers with 0 votes: an incremental response removes them', () => {
    expect(r.skipped).toMatchObject([
      {
        line: 1,
        raw: '{"phone":"+493012345675","votes":0,"rating":"A_LEGITIMATE","lastActivity":1746002471000}',
        why: REMOVAL,
      },
      {
        line: 1,
        raw: '{"phone":"+493012345676","votes":0,"rating":"A_LEGITIMATE","lastActivity":1748410015000}',
        why: REMOVAL,
      },
    ]);
    expect(REMOVAL).toBe('votes 0 (legitimate): removal');
  });

  it('gives pretty-printed items their lines', () => {
    const text = JSON.stringify(
      {
        version: 7,
        numbers: [
          { phone: '+493012345670', votes: 2, rating: 'B_MISSED' },
          { phone: '+49 30 12345671', votes: 4, rating: 'X_NEW_KIND' },
          { votes: 2 },
        ],
      },
      null,
      2,
    );
    const res = parse(text, 'phoneblock');
    expect(withoutRaw(res.rows)).toEqual([
      spam(4, '+493012345670', 2, 'unknown'),
      spam(9, '+493012345671', 4, 'new kind'),
    ]);
    expect(res.errors).toMatchObject([{ line: 14, raw: '{"votes":2}', error: 'the item has no "phone" or "number"' }]);
  });
});

describe('PhoneBlock blocklist (XML variant)', () => {
  it('reads <phone-info> attributes', () => {
    const r = parseImport(fixture('phoneblock-blocklist.xml'), { numbering, filename: 'blocklist.xml' });
    expect(r.format).toBe('phoneblock');
    expect(r.version).toBe(4718);
    expect(withoutRaw(r.rows)).toEqual([spam(4, '+493012345670', 2, 'unknown'), spam(5, '+493012345674', 50, 'fraud')]);
    expect(r.skipped).toMatchObject([
      {
        line: 6,
        raw: '<phone-info phone="+493012345675" votes="0" rating="A_LEGITIMATE" last-activity="1746002471000"/>',
        why: REMOVAL,
      },
    ]);
    expect(r.errors).toEqual([]);
  });
});

describe('plain JSON lists', () => {
  it('reads an array of objects with phone|number, votes|score, label|name, note|comment', () => {
    const r = parse(
      '[\n {"phone": "030 1234567", "votes": 3, "label": "Robot"},\n {"number": "+4930 7654321*", "score": 0, "name": "Range", "comment": "whole block"},\n {"number": "0301111111"}\n]',
    );
    expect(r.format).toBe('json');
    expect(withoutRaw(r.rows)).toEqual([
      spam(2, '+49301234567', 3, 'Robot'),
      { line: 3, number: '+49307654321', prefix: true, kind: 'block', label: 'Range', note: 'whole block', score: 0 },
      spam(4, '+49301111111', undefined),
    ]);
  });

  it('reads an array of number strings', () => {
    expect(withoutRaw(parse('["+49301234567", "089 1234567"]').rows)).toEqual([
      spam(1, '+49301234567', undefined),
      spam(1, '+49891234567', undefined),
    ]);
  });

  it('reports bad items and bad scores with their lines', () => {
    const r = parse(
      '[\n 42,\n {"phone": "+49301234567", "votes": -1},\n {"phone": "+49301234567", "votes": "many"},\n {"phone": "nope"}\n]',
    );
    expect(r.rows).toEqual([]);
    expect(r.errors).toMatchObject([
      { line: 2, raw: '42', error: 'an item is neither a number nor an object with one' },
      { line: 3, raw: '{"phone":"+49301234567","votes":-1}', error: 'the votes/score -1 is not a whole number' },
      {
        line: 4,
        raw: '{"phone":"+49301234567","votes":"many"}',
        error: 'the votes/score "many" is not a whole number',
      },
      { line: 5, raw: '{"phone":"nope"}', error: '"nope" is not a phone number: it has no digits' },
    ]);
  });

  it('reports JSON that does not parse, at its line', () => {
    const r = parse('[\n "+49301234567",\n "+49301234568" "+49301234569"\n]');
    expect(r.rows).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({
      line: 3,
      raw: '',
      error: expect.stringMatching(/^not valid JSON: Expected ',' or ']'/),
    });
  });

  it('reports JSON that is no list', () => {
    expect(parse('{"entries": []}').errors).toMatchObject([
      { line: 1, raw: '', error: 'expected a list of numbers: a JSON array, or an object with a "numbers" array' },
    ]);
  });
});
