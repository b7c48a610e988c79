import type { Language } from '../../config/language.js';
import { cleanLabel, cleanNote } from '../../labels.js';
import { coded, render } from '../../messages/index.js';
import { isRating, ratingWord } from '../../messages/ratings.js';
import type { NumberingConfig } from '../../numbers/index.js';
import { readNumber } from './entry.js';
import { itemOffsets, linesOf, tooDeep } from './json-positions.js';
import { rowError, rowSkip } from './problems.js';
import { ResultBuilder } from './result.js';
import type { ImportKind, ImportRow, ParseResult } from './types.js';
import { XmlSyntaxError, xmlTokens } from './xml-tokens.js';

export interface ListOptions {
  numbering: NumberingConfig;
  /** Default `block`: these are spam lists. */
  kind?: ImportKind;
  /** The language of a rating's label (`Betrug` / `fraud`); default English. */
  language?: Language;
}

/**
 * In an incremental PhoneBlock response (`?since=N`) a number with 0 votes (rating A_LEGITIMATE) is one to remove.
 * The store replaces a list as a whole, so such a number is simply left out.
 */
export const REMOVAL = render(coded('skip.removal'));

const WHOLE_NUMBER = /^\d+$/;
/** A number list nests three deep (`{"numbers":[{…}]}`); a few more levels of extra fields are fine, hundreds are not. */
export const MAX_JSON_DEPTH = 32;

interface Item {
  phone: unknown;
  score: unknown;
  label: unknown;
  note?: unknown;
  line: number;
  raw: string;
}

/**
 * Reads a JSON number list: PhoneBlock's blocklist (`{"numbers":[{phone,votes,rating,lastActivity}],"version":N}`,
 * format `phoneblock`) or a plain array of `{phone|number, votes|score, label|name?, note|comment?}` or of number
 * strings (format `json`).
 */
export function parseJsonList(text: string, options: ListOptions): ParseResult {
  const deep = tooDeep(text, MAX_JSON_DEPTH);
  if (deep >= 0) {
    const out = new ResultBuilder('json');
    out.error(rowError(linesOf(text, [deep])[0] ?? 1, '', coded('row.json_too_deep', { max: MAX_JSON_DEPTH })));
    return out.result();
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec((err as Error).message)?.[1];
    const out = new ResultBuilder('json');
    const line = pos === undefined ? 1 : (linesOf(text, [Number(pos)])[0] ?? 1);
    out.error(rowError(line, '', coded('row.bad_json', { detail: (err as Error).message })));
    return out.result();
  }
  const pb = isObject(doc) && Array.isArray(doc.numbers) ? doc : undefined;
  const isPhoneblock = pb !== undefined;
  const out = new ResultBuilder(isPhoneblock ? 'phoneblock' : 'json');
  const list = pb !== undefined ? pb.numbers : doc;
  if (!Array.isArray(list)) {
    out.error(rowError(1, '', coded('row.not_a_list')));
    return out.result();
  }
  if (typeof pb?.version === 'number') out.version = pb.version;
  const lines = linesOf(text, itemOffsets(text, 'numbers'));
  for (const [i, el] of (list as unknown[]).entries()) {
    if (out.full) break;
    const line = lines[i] ?? 1;
    const raw = JSON.stringify(el);
    if (typeof el === 'string') {
      readItem({ phone: el, score: undefined, label: undefined, line, raw }, false, options, out);
      continue;
    }
    if (!isObject(el)) {
      out.error(rowError(line, raw, coded('row.bad_item')));
      continue;
    }
    const item: Item = isPhoneblock
      ? { phone: el.phone, score: el.votes, label: ratingWords(el.rating, options.language), line, raw }
      : {
          phone: el.phone ?? el.number,
          score: el.votes ?? el.score,
          label: el.label ?? el.name,
          note: el.note ?? el.comment,
          line,
          raw,
        };
    readItem(item, isPhoneblock, options, out);
  }
  return out.result();
}

/**
 * PhoneBlock's XML variant (`?format=xml`):
 * `<blocklist version=…><numbers><phone-info phone=… votes=… rating=… last-activity=…/>…`.
 */
export function parsePhoneblockXml(text: string, options: ListOptions): ParseResult {
  const out = new ResultBuilder('phoneblock');
  let seen = false;
  try {
    for (const tok of xmlTokens(text)) {
      if (tok.type !== 'open') continue;
      if (tok.name === 'blocklist') {
        seen = true;
        const v = tok.attrs.version;
        if (v !== undefined && WHOLE_NUMBER.test(v)) out.version = Number(v);
      } else if (tok.name === 'phone-info') {
        const a = tok.attrs;
        const raw = text.slice(tok.start, tok.end);
        readItem(
          { phone: a.phone, score: a.votes, label: ratingWords(a.rating, options.language), line: tok.line, raw },
          true,
          options,
          out,
        );
        if (out.full) break;
      }
    }
  } catch (err) {
    if (!(err instanceof XmlSyntaxError)) throw err;
    out.error(rowError(err.line, '', coded('row.broken_xml', { detail: err.message })));
  }
  if (!seen) out.error(rowError(1, '', coded('row.not_phoneblock')));
  return out.result();
}

function readItem(item: Item, isPhoneblock: boolean, options: ListOptions, out: ResultBuilder): void {
  const { line, raw } = item;
  if (typeof item.phone !== 'string') return out.error(rowError(line, raw, coded('row.no_phone')));
  const score = readScore(item.score);
  if (score === null)
    return out.error(rowError(line, raw, coded('row.bad_votes', { value: JSON.stringify(item.score) ?? '' })));
  if (isPhoneblock && score === 0) return out.skip(rowSkip(line, raw, coded('skip.removal')));
  const n = readNumber(item.phone, options.numbering);
  if (!n.ok) return out.error(rowError(line, raw, n));
  const row: ImportRow = { line, number: n.number, prefix: n.prefix, kind: options.kind ?? 'block', raw };
  const label = typeof item.label === 'string' ? cleanLabel(item.label) : undefined;
  if (label !== undefined) row.label = label;
  const note = typeof item.note === 'string' ? cleanNote(item.note) : undefined;
  if (note !== undefined) row.note = note;
  if (score !== undefined) row.score = score;
  out.row(row);
}

/** A score as given: undefined when absent, null when not a whole number ≥ 0. */
function readScore(v: unknown): number | undefined | null {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v === 'string' && WHOLE_NUMBER.test(v.trim())) return Number(v.trim());
  return null;
}

/** A rating in words (messages/ratings.ts); one this build does not know, from its code (`H_ROBOT` → `robot`). */
function ratingWords(rating: unknown, language: Language = 'en'): string | undefined {
  if (typeof rating !== 'string' || rating === '') return undefined;
  return isRating(rating)
    ? ratingWord(rating, language)
    : rating
        .replace(/^[A-Z]_/, '')
        .replace(/_/g, ' ')
        .toLowerCase();
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
