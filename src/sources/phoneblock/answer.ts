/**
 * PhoneBlock's blocklist answer (`GET /api/blocklist`, JSON): `{"numbers":[{"phone","votes","rating",…}],"version"}`.
 * Read strictly: an answer of the wrong shape, with votes that are no vote counts or with many numbers that are no
 * phone numbers is malformed, and a malformed answer never touches the list in force. The whole list is some
 * hundred thousand numbers, so it is parsed off the main thread (parse.ts) into a packed form, and read into rows
 * in slices with a turn of the event loop between them: calls are screened meanwhile.
 */

import type { Language } from '../../config/language.js';
import { readNumber } from '../../import/formats/entry.js';
import type { NumberingConfig } from '../../numbers/index.js';
import type { ListEntryInput } from '../../store/index.js';
import { yieldToEventLoop } from '../../store/pacer.js';
import type { Changes } from '../list-target.js';
import { ratingLabel } from './ratings.js';

/** PhoneBlock buckets votes at 2, 4, 10, 20, 50 and 100: a figure past this is no vote count. */
export const MAX_VOTES = 1_000_000;
/**
 * Numbers that do not read as phone numbers are skipped, up to this share of the answer (and at least
 * MIN_SKIPPED_ALLOWED): beyond it the answer is not a list of numbers.
 */
export const MAX_SKIPPED_SHARE = 0.01;
const MIN_SKIPPED_ALLOWED = 10;
/** Numbers read between two turns of the event loop: some milliseconds of work. */
const SLICE = 2_000;
/**
 * PhoneBlock sends E.164; a number in exactly that form is taken as it is. libphonenumber (~30 µs a number) is
 * only asked about the others: for the whole list that is seconds saved.
 */
const E164 = /^\+[1-9]\d{6,14}$/;

/** The answer is not what PhoneBlock's API sends: the list in force stays. */
export class MalformedAnswerError extends Error {
  override readonly name = 'MalformedAnswerError';
}

/** The answer in a few flat values, cheap to hand from a worker thread: item i is line i of phones and ratings. */
export interface PackedAnswer {
  version: number;
  count: number;
  phones: string;
  votes: Int32Array;
  ratings: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and checks the answer's shape; throws MalformedAnswerError. */
export function parseAndPack(body: Uint8Array): PackedAnswer {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    throw new MalformedAnswerError(`the answer is not valid JSON (cut short?): ${(err as Error).message}`);
  }
  if (!isObject(doc) || !Array.isArray(doc.numbers)) throw new MalformedAnswerError('the answer has no "numbers" list');
  if (typeof doc.version !== 'number' || !Number.isSafeInteger(doc.version) || doc.version < 0) {
    throw new MalformedAnswerError(`the answer's version ${JSON.stringify(doc.version)} is not a whole number`);
  }
  const items = doc.numbers as unknown[];
  const phones: string[] = new Array(items.length);
  const ratings: string[] = new Array(items.length);
  const votes = new Int32Array(items.length);
  items.forEach((item, i) => {
    if (!isObject(item) || typeof item.phone !== 'string' || /[\r\n]/.test(item.phone))
      throw new MalformedAnswerError(`item ${i + 1} has no "phone"`);
    const v = item.votes;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_VOTES) {
      throw new MalformedAnswerError(
        `item ${i + 1} (${item.phone.slice(0, 30)}): ${JSON.stringify(v)} is not a vote count`,
      );
    }
    phones[i] = item.phone;
    votes[i] = v;
    ratings[i] = typeof item.rating === 'string' ? item.rating.replace(/[\r\n]/g, '') : '';
  });
  return { version: doc.version, count: items.length, phones: phones.join('\n'), votes, ratings: ratings.join('\n') };
}

/** The next line of `text` on each call. */
function lines(text: string): () => string {
  let pos = 0;
  return () => {
    const end = text.indexOf('\n', pos);
    const line = end < 0 ? text.slice(pos) : text.slice(pos, end);
    pos = end < 0 ? text.length : end + 1;
    return line;
  };
}

export interface ReadAnswer extends Changes {
  /** Numbers that did not read as phone numbers, skipped. */
  skipped: number;
}

/**
 * The answer as list rows: votes become the score, the rating the label. In a full answer a number with 0 votes is
 * left out; in an incremental one it is a removal.
 */
export async function readAnswer(
  answer: PackedAnswer,
  options: { numbering: NumberingConfig; language: Language; full: boolean },
): Promise<ReadAnswer> {
  const upserts: ListEntryInput[] = [];
  const removals: string[] = [];
  let skipped = 0;
  let example: string | undefined;
  // Line by line, not split(): splitting the whole list at once is one long stall of the event loop.
  const phones = lines(answer.phones);
  const ratings = lines(answer.ratings);
  for (let i = 0; i < answer.count; i++) {
    if (i > 0 && i % SLICE === 0) await yieldToEventLoop();
    const phone = phones();
    const rating = ratings();
    let number = phone;
    if (!E164.test(phone)) {
      const n = readNumber(phone, options.numbering);
      if (!n.ok || n.prefix) {
        skipped++;
        example ??= n.ok ? `${phone}: a prefix` : n.error;
        continue;
      }
      number = n.number;
    }
    const votes = answer.votes[i] as number;
    if (votes === 0) {
      if (!options.full) removals.push(number);
      continue;
    }
    const label = ratingLabel(rating, options.language);
    upserts.push(label === undefined ? { number, score: votes } : { number, score: votes, label });
  }
  const allowed = Math.max(MIN_SKIPPED_ALLOWED, Math.floor(answer.count * MAX_SKIPPED_SHARE));
  if (skipped > allowed)
    throw new MalformedAnswerError(`${skipped} of ${answer.count} numbers are no phone numbers (e.g. ${example})`);
  return { upserts, removals, skipped };
}
