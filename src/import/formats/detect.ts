import { decodeText } from './decode.js';
import type { ImportFormat } from './types.js';

/** How much of the file we look at: enough for an XML declaration, a comment and the root element. */
export const SNIFF_BYTES = 4096;

const XML_START = /^<(?:\?xml|!--|!DOCTYPE|[A-Za-z])/;
const FRITZ_ROOT = /<phonebooks?[\s>/]/;
const PHONEBLOCK_ROOT = /<blocklist[\s>/]/;
const VCARD_START = /^BEGIN:VCARD\b/i;
const PHONEBLOCK_JSON = /"numbers"\s*:/;
/** Control characters no text file has (NUL, and the C0 range but tab, LF, FF, CR and ESC): a binary upload. */
const BINARY = /[\u0000-\u0008\u000b\u000e-\u001a\u001c-\u001f]/;

const BY_EXTENSION: Record<string, ImportFormat> = {
  csv: 'csv',
  tsv: 'csv',
  txt: 'csv',
  vcf: 'vcard',
  vcard: 'vcard',
  xml: 'fritzbox',
  json: 'json',
};

const BY_CONTENT_TYPE: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'text/plain': 'csv',
  'text/tab-separated-values': 'csv',
  // What browsers on Windows send for a .csv file when Excel is installed.
  'application/vnd.ms-excel': 'csv',
  'text/vcard': 'vcard',
  'text/x-vcard': 'vcard',
  'text/directory': 'vcard',
  'application/xml': 'fritzbox',
  'text/xml': 'fritzbox',
  'application/json': 'json',
};

/**
 * The format of an upload, from its first bytes first (the signatures are unambiguous), then the file name, then
 * the content type; other text is CSV. Undefined for binary content (a spreadsheet, a picture) and for XML that is
 * neither a FRITZ!Box phonebook nor a PhoneBlock blocklist.
 */
export function detectFormat(head: Buffer | string, filename?: string, contentType?: string): ImportFormat | undefined {
  const sample = typeof head === 'string' ? head.slice(0, SNIFF_BYTES) : decodeText(head.subarray(0, SNIFF_BYTES));
  const text = sample.replace(/^\uFEFF/, '').trimStart();
  if (BINARY.test(text.slice(0, 1024))) return undefined;
  if (VCARD_START.test(text)) return 'vcard';
  if (XML_START.test(text)) {
    if (FRITZ_ROOT.test(text)) return 'fritzbox';
    if (PHONEBLOCK_ROOT.test(text)) return 'phoneblock';
    return undefined;
  }
  if (text.startsWith('{')) return PHONEBLOCK_JSON.test(text) ? 'phoneblock' : 'json';
  if (text.startsWith('[')) return 'json';
  const ext = filename?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  const byName = ext === undefined ? undefined : BY_EXTENSION[ext];
  if (byName !== undefined && byName !== 'fritzbox' && byName !== 'json') return byName;
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  const byType = type === undefined ? undefined : BY_CONTENT_TYPE[type];
  if (byType !== undefined && byType !== 'fritzbox' && byType !== 'json') return byType;
  // Not XML and not JSON by its content, whatever the name says: read it as CSV, the one format without a signature.
  return 'csv';
}
