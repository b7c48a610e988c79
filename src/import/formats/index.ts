/**
 * Import parsers: an uploaded file in, rows out. They never touch the store; the admin API and the CLI write the
 * rows as one import that switches in at once (store/entry-imports.ts). What they decide:
 *
 * - Kind: `options.kind` wins; else CSV, PhoneBlock and JSON lists are `block`, vCards `allow`, and a FRITZ!Box
 *   phonebook `allow` — except the call-barring list (`owner="258"`), which is `block`.
 * - Skipped, not errors (address books hold them on purpose): empty numbers, internal extensions (`**610`, a
 *   `type="intern"` number, the box's internal phonebook `owner="255"`), SIP addresses without a global number, and
 *   PhoneBlock numbers with 0 votes (a removal). In a CSV or JSON list the same things are errors.
 * - Fax numbers are imported: a fax machine may call too, and allowing a contact's number costs nothing.
 * - A `tel:` URI's `;ext=` is dropped (a caller id never carries it) and said so in the row's note; a `-3` after a
 *   number is a German direct-dial suffix, part of the number.
 * - A headerless CSV is `number[,label[,note]]`; a header (a first row whose first field has no digit) may name
 *   number / label / note / score columns in any order.
 * - Names, labels and notes lose their bidi controls and are cut to what the admin API takes (src/labels.ts).
 */
import type { NumberingConfig } from '../../numbers/index.js';
import { parseCsv } from './csv.js';
import { decodeText } from './decode.js';
import { detectFormat } from './detect.js';
import { parseFritzbox } from './fritzbox.js';
import { parseJsonList, parsePhoneblockXml } from './phoneblock.js';
import { type ImportFormat, ImportFormatError, type ParseOptions, type ParseResult } from './types.js';
import { parseVcard } from './vcard.js';

export { type CsvOptions, csvRows } from './csv.js';
export { decodeText } from './decode.js';
export { detectFormat } from './detect.js';
export { REMOVAL } from './phoneblock.js';
export {
  type ImportFormat,
  ImportFormatError,
  type ImportKind,
  type ImportRow,
  type ImportSkip,
  MAX_LINE_CHARS,
  MAX_ROWS,
  type ParseOptions,
  type ParseResult,
  type RowError,
} from './types.js';

/**
 * Parses a whole uploaded file. Throws ImportFormatError when the format is not given and cannot be told from the
 * content, name or type; everything wrong inside a file is reported per line in `errors` instead.
 */
export function parseImport(input: Buffer, options: ParseOptions & { numbering: NumberingConfig }): ParseResult {
  const format: ImportFormat | undefined = options.format ?? detectFormat(input, options.filename, options.contentType);
  if (format === undefined) {
    throw new ImportFormatError();
  }
  const common = {
    numbering: options.numbering,
    ...(options.kind !== undefined && { kind: options.kind }),
    ...(options.language !== undefined && { language: options.language }),
  };
  switch (format) {
    case 'vcard':
      return parseVcard(input, common);
    case 'csv':
      return parseCsv(decodeText(input), common);
    case 'fritzbox':
      return parseFritzbox(decodeText(input), common);
    case 'phoneblock':
    case 'json': {
      const text = decodeText(input);
      return text.trimStart().startsWith('<') ? parsePhoneblockXml(text, common) : parseJsonList(text, common);
    }
  }
}
