/**
 * Rows read from an import file. A whole-file parse (vCard, FRITZ!Box, JSON: address-book size) is held until the
 * file is known to be good; a CSV of any size streams through (csv-stream.ts), and a bad row ends its import at the
 * end of the file, before the switch.
 */
import type { ImportFormat, ImportKind, ParseResult } from './formats/index.js';
import { type IgnoredRow, MAX_REPORTED, type RejectedRow } from './types.js';

export interface Row {
  number: string;
  prefix: boolean;
  kind: ImportKind;
  label?: string;
  note?: string;
  contact?: { name: string; externalId?: string };
  score?: number;
}

/** Rejected and ignored rows: counted in full, the first MAX_REPORTED kept. */
export class RowProblems {
  readonly rejected: RejectedRow[] = [];
  rejectedCount = 0;
  readonly ignored: IgnoredRow[] = [];
  ignoredCount = 0;

  reject(row: RejectedRow): void {
    if (++this.rejectedCount <= MAX_REPORTED)
      this.rejected.push({ line: row.line, error: row.error, code: row.code, params: row.params });
  }

  ignore(row: IgnoredRow): void {
    if (++this.ignoredCount <= MAX_REPORTED)
      this.ignored.push({ line: row.line, why: row.why, code: row.code, params: row.params });
  }
}

export interface Collected {
  format: ImportFormat;
  /** Rows read so far (a stream's grows as it is read). */
  count: number;
  /** A stream's rows can be read once, and it throws ImportRejectedError at its end when a row was bad. */
  rows(): Iterable<Row> | AsyncIterable<Row>;
  problems: RowProblems;
  /** A PhoneBlock list's version. */
  version?: number;
}

/** The rows of a whole-file parse (vCard, FRITZ!Box, JSON lists: files of address-book size), all of `kind`. */
export function collectParsed(result: ParseResult, kind: ImportKind): Collected {
  const problems = new RowProblems();
  for (const e of result.errors) problems.reject(e);
  for (const s of result.skipped) problems.ignore(s);
  const collected: Collected = {
    format: result.format,
    count: result.rows.length,
    problems,
    *rows() {
      for (const r of result.rows) {
        const row: Row = { number: r.number, prefix: r.prefix, kind };
        if (r.label !== undefined) row.label = r.label;
        if (r.note !== undefined) row.note = r.note;
        if (r.contact !== undefined) row.contact = r.contact;
        if (r.score !== undefined) row.score = r.score;
        yield row;
      }
    },
  };
  if (result.version !== undefined) collected.version = result.version;
  return collected;
}
