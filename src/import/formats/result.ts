import { coded } from '../../messages/index.js';
import { rowError } from './problems.js';
import {
  type ImportFormat,
  type ImportRow,
  type ImportSkip,
  MAX_ROWS,
  type ParseResult,
  type RowError,
} from './types.js';

/**
 * Collects what a whole-file parser finds. Rows, errors and skips all count towards MAX_ROWS (a file of a million
 * bad lines must not make a million errors either); past it, one error says so and `full` tells the parser to stop.
 */
export class ResultBuilder {
  private readonly res: ParseResult;
  private count = 0;
  full = false;

  constructor(format: ImportFormat) {
    this.res = { format, rows: [], errors: [], skipped: [] };
  }

  row(row: ImportRow): void {
    if (this.take(row.line)) this.res.rows.push(row);
  }

  error(error: RowError): void {
    if (this.take(error.line)) this.res.errors.push(error);
  }

  skip(skip: ImportSkip): void {
    if (this.take(skip.line)) this.res.skipped.push(skip);
  }

  set version(v: number) {
    this.res.version = v;
  }

  result(): ParseResult {
    return this.res;
  }

  private take(line: number): boolean {
    if (this.full) return false;
    if (++this.count <= MAX_ROWS) return true;
    this.full = true;
    this.res.errors.push(rowError(line, '', coded('row.too_many_rows', { max: MAX_ROWS })));
    return false;
  }
}
