/**
 * Which kind an imported file's numbers get in the personal entries. Contacts are contacts: a number becomes a block
 * entry only when the file itself is a blocklist or the person says so, never because of a default — a contact
 * blocked by mistake is a real call lost without a word (DESIGN.md: the filter must never be why a call is lost).
 *
 * - vCard: an address book; always allow. `block` is refused, `allow` is what it is anyway.
 * - FRITZ!Box XML: a phone book; allow, unless the person declares it to be the box's call-barring list (`block`).
 *   A file that is the call-barring list (`<phonebook owner="258">`) without that declaration is refused: its
 *   numbers are the box's blocked callers, and allowing them would be as wrong as blocking a phone book.
 * - PhoneBlock blocklist: community spam reports (votes, ratings); block. `allow` is refused.
 * - CSV and a plain JSON list: the file does not say what its numbers are; the person must choose.
 */

import { coded } from '../messages/index.js';
import type { ImportKind, ParseResult } from './formats/index.js';
import { ImportUsageError } from './types.js';

export const NEEDS_KIND = coded('import.needs_kind');

const NEEDS_KIND_JSON = coded('import.json_needs_kind');
const VCARD_BLOCK = coded('import.vcard_block');
const PHONEBLOCK_ALLOW = coded('import.phoneblock_allow');
const BARRING_UNDECLARED = coded('import.barring_undeclared');

/**
 * The kind every row of a parsed file gets, or ImportUsageError when the request does not fit the file. `result`
 * must come from a parse WITHOUT a kind override, so the FRITZ!Box reader's own view shows which phonebook is the
 * call-barring list (its rows come out as block).
 */
export function entryKind(result: ParseResult, requested: ImportKind | undefined): ImportKind {
  switch (result.format) {
    case 'vcard':
      if (requested === 'block') throw new ImportUsageError(VCARD_BLOCK, []);
      return 'allow';
    case 'fritzbox':
      if (requested === 'block') return 'block';
      if (result.rows.some((r) => r.kind === 'block')) throw new ImportUsageError(BARRING_UNDECLARED, ['block']);
      return 'allow';
    case 'phoneblock':
      if (requested === 'allow') throw new ImportUsageError(PHONEBLOCK_ALLOW, []);
      return 'block';
    case 'json':
      if (requested === undefined) throw new ImportUsageError(NEEDS_KIND_JSON);
      return requested;
    case 'csv':
      if (requested === undefined) throw new ImportUsageError(NEEDS_KIND);
      return requested;
  }
}
