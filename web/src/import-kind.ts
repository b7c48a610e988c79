/**
 * What the import form asks, by the file chosen. Contacts are contacts: a vCard's and a phone book's numbers are
 * allowed, a PhoneBlock list's blocked, and only a file that does not say (a CSV, a plain JSON list) asks the person —
 * with no answer preselected, so nobody is blocked by a default. A FRITZ!Box file asks whether it is the box's
 * call-barring list (default no). The server applies the same rules and refuses what does not fit; this only decides
 * which question to show.
 */
import { byId } from './dom.js';
import type { Key } from './i18n.js';

export type FileFormat = 'csv' | 'vcard' | 'fritzbox' | 'phoneblock' | 'json';

/** As much of the file as the server's format detection looks at (src/importers/detect.ts SNIFF_BYTES). */
const SNIFF_BYTES = 4096;

const XML_START = /^<(?:\?xml|!--|!DOCTYPE|[A-Za-z])/;
const FRITZ_ROOT = /<phonebooks?[\s>/]/;
/** The box's call-barring list exports as a phonebook owned by 258 (AVM TR-064 X_AVM-DE_OnTel). */
const BARRING_BOOK = /<phonebook\b[^>]*\bowner\s*=\s*["']258["']/;
const PHONEBLOCK_ROOT = /<blocklist[\s>/]/;
const PHONEBLOCK_JSON = /"numbers"\s*:/;

/** The format by the file's first bytes, as the server tells it; other text is CSV, unknown XML is nothing we read. */
export function sniffFormat(head: string): FileFormat | undefined {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (/^BEGIN:VCARD\b/i.test(text)) return 'vcard';
  if (XML_START.test(text)) {
    if (FRITZ_ROOT.test(text)) return 'fritzbox';
    if (PHONEBLOCK_ROOT.test(text)) return 'phoneblock';
    return undefined;
  }
  if (text.startsWith('{')) return PHONEBLOCK_JSON.test(text) ? 'phoneblock' : 'json';
  if (text.startsWith('[')) return 'json';
  return 'csv';
}

export interface FileFacts {
  format: FileFormat | undefined;
  /** A FRITZ!Box export of the call-barring list. */
  barring: boolean;
}

export async function fileFacts(file: File): Promise<FileFacts> {
  const head = await file.slice(0, SNIFF_BYTES).text();
  const format = sniffFormat(head);
  return { format, barring: format === 'fritzbox' && BARRING_BOOK.test(head) };
}

const asksKind = (f: FileFacts) => f.format === 'csv' || f.format === 'json';

/** Shows the question this file needs, and only that one. */
export function showQuestions(facts: FileFacts | undefined): void {
  byId('import-kind').hidden = !(facts && asksKind(facts));
  byId('import-barring').hidden = facts?.format !== 'fritzbox';
}

/** The `kind` to send for this file, or the message (and the field to focus) when the form is not ready. */
export function kindToSend(
  form: HTMLFormElement,
  facts: FileFacts,
): { kind?: 'allow' | 'block' } | { problem: Key; focus: string } {
  if (asksKind(facts)) {
    const chosen = new FormData(form).get('kind');
    if (chosen !== 'allow' && chosen !== 'block') return { problem: 'import.kind.missing', focus: 'import-kind-block' };
    return { kind: chosen };
  }
  if (facts.format === 'fritzbox') {
    if (new FormData(form).get('barring') === 'yes') return { kind: 'block' };
    if (facts.barring) return { problem: 'import.barring.detected', focus: 'import-barring-yes' };
  }
  return {};
}
