import { cleanLabel } from '../../labels.js';
import { coded } from '../../messages/index.js';
import type { NumberingConfig } from '../../numbers/index.js';
import { readAddressBookNumber } from './entry.js';
import { rowError, rowSkip } from './problems.js';
import { ResultBuilder } from './result.js';
import type { ImportKind, ImportRow, ParseResult } from './types.js';
import { XmlSyntaxError, xmlTokens } from './xml-tokens.js';

export interface FritzboxOptions {
  numbering: NumberingConfig;
  /** Overrides the kind each phonebook implies (the call-barring list: block; any other phonebook: allow). */
  kind?: ImportKind;
}

/**
 * Phonebook owners with a meaning (AVM TR-064 X_AVM-DE_OnTel): 258 is the call-barring list ("Rufsperren"), exported
 * in the phonebook schema without a name; 255 is the box's own internal phonebook (its handsets and answering
 * machines), which holds extensions only.
 */
const OWNER_CALL_BARRING = '258';
const OWNER_INTERNAL = '255';

interface NumberEl {
  line: number;
  type: string | undefined;
  text: string;
  start: number;
  end: number;
}

interface Contact {
  realName: string;
  uniqueid: string;
  /** `<category>`: 1 marks a VIP (AVM X_AVM-DE_OnTel, "Phonebook Content"). */
  category: string;
  numbers: NumberEl[];
}

/**
 * Reads a FRITZ!Box phonebook export (`<phonebooks><phonebook><contact>…`), the one-line layout the box writes and
 * the pretty-printed layout of AVM's TR-064 spec (comments, `<services>` inside `<telephony>`) alike: only the
 * elements we need are looked at, wherever they sit inside a contact.
 */
export function parseFritzbox(text: string, options: FritzboxOptions): ParseResult {
  const out = new ResultBuilder('fritzbox');
  let kind: ImportKind = 'allow';
  let internalBook = false;
  let contact: Contact | undefined;
  let num: NumberEl | undefined;
  const path: string[] = [];
  let books = 0;
  try {
    for (const tok of xmlTokens(text)) {
      if (tok.type === 'open') {
        path.push(tok.name);
        if (tok.name === 'phonebook') {
          books++;
          kind = options.kind ?? (tok.attrs.owner === OWNER_CALL_BARRING ? 'block' : 'allow');
          internalBook = tok.attrs.owner === OWNER_INTERNAL;
        } else if (tok.name === 'contact') {
          contact = { realName: '', uniqueid: '', category: '', numbers: [] };
        } else if (tok.name === 'number' && contact !== undefined) {
          num = { line: tok.line, type: tok.attrs.type, text: '', start: tok.start, end: tok.end };
        }
      } else if (tok.type === 'text') {
        const parent = path[path.length - 1];
        if (num !== undefined) num.text += tok.text;
        else if (contact !== undefined && parent === 'realName') contact.realName += tok.text;
        else if (contact !== undefined && parent === 'uniqueid' && path[path.length - 2] === 'contact') {
          contact.uniqueid += tok.text;
        } else if (contact !== undefined && parent === 'category' && path[path.length - 2] === 'contact') {
          contact.category += tok.text;
        }
      } else {
        // Tolerant of sloppy nesting: pop up to the matching start tag, if there is one.
        const at = path.lastIndexOf(tok.name);
        if (at >= 0) path.length = at;
        if (tok.name === 'number' && num !== undefined && contact !== undefined) {
          num.end = tok.end;
          contact.numbers.push(num);
          num = undefined;
        } else if (tok.name === 'contact' && contact !== undefined) {
          emit(contact, text, kind, internalBook, options.numbering, out);
          contact = undefined;
          if (out.full) break;
        }
      }
    }
  } catch (err) {
    if (!(err instanceof XmlSyntaxError)) throw err;
    out.error(rowError(err.line, '', coded('row.broken_xml', { detail: err.message })));
  }
  if (books === 0) out.error(rowError(1, '', coded('row.not_fritzbox')));
  return out.result();
}

function emit(
  contact: Contact,
  text: string,
  kind: ImportKind,
  internalBook: boolean,
  cfg: NumberingConfig,
  out: ResultBuilder,
): void {
  const realName = cleanLabel(contact.realName) ?? '';
  const uniqueid = contact.uniqueid.trim();
  for (const n of contact.numbers) {
    const raw = text.slice(n.start, n.end);
    const value = n.text.trim();
    if (internalBook || n.type === 'intern') {
      out.skip(rowSkip(n.line, raw, coded('skip.internal_book')));
      continue;
    }
    const r = readAddressBookNumber(value, cfg);
    if ('skip' in r) {
      out.skip(rowSkip(n.line, raw, r.skip));
      continue;
    }
    if (!r.ok) {
      out.error(rowError(n.line, raw, r));
      continue;
    }
    const row: ImportRow = { line: n.line, number: r.number, prefix: r.prefix, kind, raw };
    const label = labelFor(realName, r.number, cfg);
    if (label !== undefined) row.label = label;
    // A contact is someone to let through; a call-barring entry is not a contact.
    if (kind === 'allow') {
      const name = label ?? value;
      row.contact = uniqueid === '' ? { name } : { name, externalId: uniqueid };
      if (contact.category.trim() === '1') row.vip = true;
    }
    out.row(row);
    if (out.full) return;
  }
}

/** The realName as label — unless it is empty or just the number again (the call-barring list writes it so). */
function labelFor(realName: string, number: string, cfg: NumberingConfig): string | undefined {
  if (realName === '') return undefined;
  const asNumber = readAddressBookNumber(realName, cfg);
  return asNumber.ok && asNumber.number === number ? undefined : realName;
}
