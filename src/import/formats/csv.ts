import { cleanLabel, cleanNote } from '../../labels.js';
import { coded } from '../../messages/index.js';
import type { NumberingConfig } from '../../numbers/index.js';
import { type CsvColumns, columnsFromHeader, isHeader, POSITIONAL } from './csv-columns.js';
import { type CsvProblem, type CsvRecord, CsvSplitter } from './csv-splitter.js';
import { TextStreamDecoder } from './decode.js';
import { readNumber } from './entry.js';
import { rowError } from './problems.js';
import { type ImportKind, type ImportRow, MAX_ROWS, type ParseResult, type RowError } from './types.js';

export interface CsvOptions {
  numbering: NumberingConfig;
  /**
   * The kind every row gets. Default `block`: a CSV is how call-centre and spam lists are shared; an allow list
   * comes as a vCard or FRITZ!Box phonebook. The admin API should still make the caller choose.
   */
  kind?: ImportKind;
}

const WHOLE_NUMBER = /^\d+$/;

/**
 * Gives split CSV records their meaning: header detection on the first record, column mapping, number
 * normalisation, and the MAX_ROWS cap. Used by the whole-file parser and the streaming one alike.
 */
export class CsvRowReader {
  private columns: CsvColumns | undefined;
  private count = 0;
  /** Set once MAX_ROWS is passed: the caller stops reading. */
  done = false;
  private readonly kind: ImportKind;

  constructor(private readonly options: CsvOptions) {
    this.kind = options.kind ?? 'block';
  }

  /** The row or error for one record; undefined for a header or a row of empty fields. */
  read(item: CsvRecord | CsvProblem): ImportRow | RowError | undefined {
    if (this.done) return undefined;
    if ('error' in item) return this.counted(item);
    const { fields, line, raw } = item;
    if (fields.every((f) => f.trim() === '')) return undefined; // Excel writes `;;` for an empty row
    if (this.columns === undefined) {
      if (isHeader(fields)) {
        this.columns = columnsFromHeader(fields);
        return undefined;
      }
      this.columns = POSITIONAL;
    }
    const cols = this.columns;
    const n = readNumber(fields[cols.number] ?? '', this.options.numbering);
    if (!n.ok) return this.counted(rowError(line, raw, n));
    const row: ImportRow = { line, number: n.number, prefix: n.prefix, kind: this.kind, raw };
    const label = text(fields, cols.label, cleanLabel);
    if (label !== undefined) row.label = label;
    const note = text(fields, cols.note, cleanNote);
    if (note !== undefined) row.note = note;
    const score = field(fields, cols.score);
    if (score !== undefined) {
      if (!WHOLE_NUMBER.test(score)) {
        return this.counted(rowError(line, raw, coded('row.bad_score', { value: score })));
      }
      row.score = Number(score);
    }
    return this.counted(row);
  }

  private counted<T extends ImportRow | RowError>(item: T): T | RowError {
    if (++this.count <= MAX_ROWS) return item;
    this.done = true;
    return rowError(item.line, '', coded('row.too_many_rows', { max: MAX_ROWS }));
  }
}

/** A label or note field, cleaned (labels.ts); undefined when absent or empty. */
function text(
  fields: readonly string[],
  i: number | undefined,
  clean: (s: string) => string | undefined,
): string | undefined {
  const s = field(fields, i);
  return s === undefined ? undefined : clean(s);
}

/** A field's trimmed text, undefined when the column is absent or empty. Line breaks inside become `\n`. */
function field(fields: readonly string[], i: number | undefined): string | undefined {
  if (i === undefined) return undefined;
  const s = fields[i]?.trim();
  return s ? s.replace(/\r\n?/g, '\n') : undefined;
}

/** Parses a whole CSV file already decoded to text (see `decodeText`). */
export function parseCsv(text: string, options: CsvOptions): ParseResult {
  const result: ParseResult = { format: 'csv', rows: [], errors: [], skipped: [] };
  const splitter = new CsvSplitter();
  const reader = new CsvRowReader(options);
  const records: Array<CsvRecord | CsvProblem> = [];
  splitter.push(text, records);
  splitter.end(records);
  for (const record of records) {
    const item = reader.read(record);
    if (item === undefined) continue;
    if ('error' in item) result.errors.push(item);
    else result.rows.push(item);
    if (reader.done) break;
  }
  return result;
}

/**
 * Streams rows and errors out of a CSV of any size, in file order. Bytes are decoded as UTF-8 until a chunk is not
 * valid UTF-8, then as Windows-1252 (see TextStreamDecoder). Memory stays bounded: one chunk plus one partial row.
 */
export async function* csvRows(
  source: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  options: CsvOptions,
): AsyncGenerator<ImportRow | RowError> {
  const decoder = new TextStreamDecoder();
  const splitter = new CsvSplitter();
  const reader = new CsvRowReader(options);
  const records: Array<CsvRecord | CsvProblem> = [];
  const drain = function* (): Generator<ImportRow | RowError> {
    for (const record of records) {
      const item = reader.read(record);
      if (item !== undefined) yield item;
      if (reader.done) break;
    }
    records.length = 0;
  };
  for await (const chunk of source as AsyncIterable<Buffer | string>) {
    splitter.push(decoder.write(chunk), records);
    yield* drain();
    if (reader.done) return;
  }
  splitter.push(decoder.end(), records);
  splitter.end(records);
  yield* drain();
}
