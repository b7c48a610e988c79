import { describe, expect, it } from 'vitest';
import { MalformedAnswerError, parseAndPack, readAnswer } from '../../src/sources/phoneblock/answer.js';
import { startScript } from '../reliability/processes.js';

const numbering = { homeCountry: 'DE', trunkRules: [], homeAreaCode: '30' };
const body = (doc: unknown) => Buffer.from(JSON.stringify(doc));

describe("PhoneBlock's blocklist answer", () => {
  it('becomes rows: votes the score, the rating a label in the chosen language, votes 0 a removal', async () => {
    const packed = parseAndPack(
      body({
        version: 7,
        numbers: [
          { phone: '+4930111222', votes: 10, rating: 'E_ADVERTISING' },
          { phone: '030 333444', votes: 4, rating: 'G_FRAUD' },
          { phone: '+4930555666', votes: 0, rating: 'A_LEGITIMATE' },
          { phone: '+4930777888', votes: 2, rating: 'Z_NEW_KIND' },
        ],
      }),
    );
    expect(packed).toMatchObject({ version: 7, count: 4 });
    expect(await readAnswer(packed, { numbering, language: 'en', full: false })).toEqual({
      upserts: [
        { number: '+4930111222', score: 10, label: 'advertising' },
        { number: '+4930333444', score: 4, label: 'fraud' },
        { number: '+4930777888', score: 2 },
      ],
      removals: ['+4930555666'],
      skipped: 0,
    });
    expect((await readAnswer(packed, { numbering, language: 'de', full: true })).removals).toEqual([]);
  });

  it('skips a few numbers that are none, but not many', async () => {
    const few = parseAndPack(
      body({
        version: 1,
        numbers: [
          { phone: 'unknown', votes: 4 },
          ...Array.from({ length: 20 }, (_, i) => ({ phone: `+49301234${i}`, votes: 4 })),
        ],
      }),
    );
    expect((await readAnswer(few, { numbering, language: 'de', full: true })).skipped).toBe(1);
    const many = parseAndPack(
      body({ version: 1, numbers: Array.from({ length: 11 }, () => ({ phone: 'abc', votes: 4 })) }),
    );
    await expect(readAnswer(many, { numbering, language: 'de', full: true })).rejects.toThrow(
      '11 of 11 numbers are no phone numbers (e.g. "abc" is not a phone number: it has no digits)',
    );
  });

  it.each([
    ['{"numbers":[', /not valid JSON/],
    ['[]', /no "numbers" list/],
    ['{"numbers":[],"version":-1}', /version -1 is not a whole number/],
    ['{"numbers":[{"votes":4}],"version":1}', /item 1 has no "phone"/],
    ['{"numbers":[{"phone":"+4930","votes":4.5}],"version":1}', /4.5 is not a vote count/],
    ['{"numbers":[{"phone":"+4930","votes":2000000}],"version":1}', /2000000 is not a vote count/],
  ])('is malformed: %s', (text, message) => {
    expect(() => parseAndPack(Buffer.from(text))).toThrow(MalformedAnswerError);
    expect(() => parseAndPack(Buffer.from(text))).toThrow(message);
  });

  it('is parsed in a worker thread by the compiled code, with the same verdicts', async () => {
    const script = startScript(
      `import { parseAnswer } from './dist/src/sources/phoneblock/parse.js';
       const ok = await parseAnswer(Buffer.from(JSON.stringify({ version: 3, numbers: [{ phone: '+4930111222', votes: 4, rating: 'C_PING' }] })));
       let bad;
       try { await parseAnswer(Buffer.from('{"numbers":[{"phone":"+49')); } catch (err) { bad = err.name + ': ' + err.message; }
       process.stdout.write(JSON.stringify({ ok: { ...ok, votes: [...ok.votes] }, bad }) + '\\n');`,
    );
    const line = await script.waitFor(/^\{.*\}$/m);
    expect(JSON.parse(line[0])).toEqual({
      ok: { version: 3, count: 1, phones: '+4930111222', votes: [4], ratings: 'C_PING' },
      bad: expect.stringMatching(/^MalformedAnswerError: the answer is not valid JSON/),
    });
  });
});
