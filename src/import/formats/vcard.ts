import { cleanLabel } from '../../labels.js';
import { coded } from '../../messages/index.js';
import type { NumberingConfig } from '../../numbers/index.js';
import { readAddressBookNumber } from './entry.js';
import { rowError, rowSkip } from './problems.js';
import { ResultBuilder } from './result.js';
import type { ImportKind, ImportRow, ParseResult } from './types.js';
import { type ContentLine, components, parseContentLine, unescapeText, unfold, valueText } from './vcard-lines.js';

export interface VcardOptions {
  numbering: NumberingConfig;
  /** Default `allow`: an address book is the people who may ring through. */
  kind?: ImportKind;
}

interface Card {
  fn?: string;
  n?: string;
  org?: string;
  uid?: string;
  tels: ContentLine[];
}

const TEL_URI = /^tel:/i;
const EXT_PARAM = /^ext=/i;
const CONTEXT_PARAM = /^phone-context=/i;

/**
 * Reads vCard 2.1, 3.0 and 4.0 files (RFC 2426, RFC 6350) as Apple, Google, Nextcloud, Android and Outlook write
 * them. Every TEL of every card becomes a row labelled with the card's name (FN, else N, else ORG), fax numbers
 * included: a fax machine may call too, and allowing a known contact's number costs nothing.
 */
export function parseVcard(buf: Buffer, options: VcardOptions): ParseResult {
  const out = new ResultBuilder('vcard');
  const kind = options.kind ?? 'allow';
  let depth = 0;
  let card: Card | undefined;
  let cards = 0;
  for (const { line, text } of unfold(buf)) {
    const cl = parseContentLine(line, text);
    if (cl === undefined) continue;
    const isCard = cl.value.trim().toUpperCase() === 'VCARD';
    if (cl.name === 'BEGIN' && isCard) {
      // A card inside a card (vCard 2.1 AGENT) is another person: its lines are not this card's.
      if (++depth === 1) card = { tels: [] };
      continue;
    }
    if (cl.name === 'END' && isCard) {
      if (depth === 1 && card !== undefined) {
        cards++;
        emit(card, kind, options.numbering, out);
        if (out.full) break;
        card = undefined;
      }
      depth = Math.max(0, depth - 1);
      continue;
    }
    if (depth !== 1 || card === undefined) continue;
    collect(card, cl);
  }
  // A last card without END:VCARD (a truncated file) still counts.
  if (card !== undefined && !out.full) {
    cards++;
    emit(card, kind, options.numbering, out);
  }
  if (cards === 0) out.error(rowError(1, '', coded('row.not_vcard')));
  return out.result();
}

function collect(card: Card, cl: ContentLine): void {
  switch (cl.name) {
    case 'TEL':
      card.tels.push(cl);
      break;
    case 'FN':
      card.fn ??= nonEmpty(unescapeText(valueText(cl)));
      break;
    case 'N':
      card.n ??= nameFromN(components(valueText(cl)));
      break;
    case 'ORG':
      card.org ??= nonEmpty(
        components(valueText(cl))
          .map((s) => s.trim())
          .filter(Boolean)
          .join(', '),
      );
      break;
    case 'UID':
      card.uid ??= nonEmpty(unescapeText(cl.value));
      break;
  }
}

/** N is family;given;additional;prefix;suffix (RFC 6350 §6.2.2); people read it prefix given additional family suffix. */
function nameFromN(parts: string[]): string | undefined {
  const [family, given, additional, prefix, suffix] = parts.map((s) => s.trim());
  return nonEmpty([prefix, given, additional, family, suffix].filter(Boolean).join(' '));
}

function nonEmpty(s: string): string | undefined {
  const t = s.trim();
  return t === '' ? undefined : t;
}

function emit(card: Card, kind: ImportKind, cfg: NumberingConfig, out: ResultBuilder): void {
  const tels = card.tels.map((cl) => ({ cl, value: valueText(cl).trim() }));
  // A card without any name still belongs to someone: call it by its first number, as phones do.
  const given = card.fn ?? card.n ?? card.org ?? tels.find((t) => t.value !== '')?.value.replace(TEL_URI, '');
  const name = given === undefined ? undefined : cleanLabel(given);
  for (const { cl, value } of tels) {
    const { number, ext } = telValue(value, cl);
    const r = readAddressBookNumber(number, cfg);
    if ('skip' in r)
      out.skip(rowSkip(cl.line, cl.raw, r.skip.code === 'skip.empty_number' ? coded('skip.empty_tel') : r.skip));
    else if (!r.ok) out.error(rowError(cl.line, cl.raw, r));
    else {
      const row: ImportRow = { line: cl.line, number: r.number, prefix: r.prefix, kind, raw: cl.raw };
      if (name !== undefined) {
        row.label = name;
        row.contact = card.uid === undefined ? { name } : { name, externalId: card.uid };
      }
      // RFC 3966 §5.1.5: an extension is dialled after the call is set up; a caller id never carries it.
      if (ext !== undefined) row.note = `extension ${ext} dropped: a caller id never carries it`;
      out.row(row);
    }
    if (out.full) return;
  }
}

/** The number in a TEL value: a `tel:` URI (vCard 4.0 VALUE=uri) loses its parameters, its `ext=` is returned. */
function telValue(value: string, cl: ContentLine): { number: string; ext?: string } {
  const isUri = TEL_URI.test(value) || cl.params.get('VALUE')?.[0]?.toLowerCase() === 'uri';
  if (!isUri) return { number: value };
  const [user = '', ...params] = value.replace(TEL_URI, '').split(';');
  const ext = params
    .find((p) => EXT_PARAM.test(p))
    ?.slice(4)
    .trim();
  const context = params
    .find((p) => CONTEXT_PARAM.test(p))
    ?.slice('phone-context='.length)
    .trim();
  // RFC 3966 §5.1.5: a local number's phone-context, when it is a global number prefix, completes it.
  const number = context?.startsWith('+') && !user.trim().startsWith('+') ? context + user : user;
  return ext ? { number, ext } : { number };
}
