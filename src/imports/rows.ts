/**
 * Rows read from an import file, held until the whole file is known to be good. A CSV of a million rows is kept in
 * parallel arrays instead of one object per row: about 60 MB instead of 250, which keeps `callfilter import` of such
 * a file well under its 300 MB budget.
 */
import { csvRows, type ImportFormat, type ImportKind, type ParseResult } from '../importers/index.js';
import type { NumberingConfig } from '../numbers/index.js';
import { chunks, sourceSize, type ImportSource } from './source.js';
import { MAX_REPORTED, type IgnoredRow, type ImportProgress, type RejectedRow } from './types.js';

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
    if (++this.rejectedCount <= MAX_REPORTED) this.rejected.push({ line: row.line, error: row.error, code: row.code, params: row.params });
  }

  ignore(row: IgnoredRow): void {
    if (++this.ignoredCount <= MAX_REPORTED) this.ignored.push({ line: row.line, why: row.why, code: row.code, params: row.params });
  }
}

export interface Collected {
  format: ImportFormat;
  count: number;
  rows(): Iterable<Row>;
  problems: RowProblems;
  /** A PhoneBlock list's version. */
  version?: number;
}

const PREFIX = 1;
const BLOCK = 2;

/** Rows of a CSV, streamed from the source and stored compactly. */
export async function collectCsv(
  src: ImportSource,
  options: { numbering: NumberingConfig; kind: ImportKind },
  onProgress?: (p: ImportProgress) => void,
): Promise<Collected> {
  const numbers: string[] = [];
  const flags: number[] = [];
  const labels: (string | undefined)[] = [];
  const notes: (string | undefined)[] = [];
  const problems = new RowProblems();
  const totalBytes = await sourceSize(src);
  let bytes = 0;
  const source = chunks(src, (n) => {
    bytes = n;
    onProgress?.({ phase: 'read', bytes, totalBytes, rows: numbers.length });
  });
  for await (const item of csvRows(source, options)) {
    if ('error' in item) {
      problems.reject(item);
      continue;
    }
    // After the first bad row the file will not be imported: keep reading only to report every bad line.
    if (problems.rejectedCount > 0) continue;
    numbers.push(item.number);
    flags.push((item.prefix ? PREFIX : 0) | ((item.kind ?? options.kind) === 'block' ? BLOCK : 0));
    labels.push(item.label);
    notes.push(item.note);
  }
  onProgress?.({ phase: 'read', bytes, totalBytes, rows: numbers.length });
  return {
    format: 'csv',
    count: numbers.length,
    problems,
    *rows() {
      for (let i = 0; i < numbers.length; i++) {
        const f = flags[i] as number;
        const row: Row = { number: numbers[i] as string, prefix: (f & PREFIX) !== 0, kind: f & BLOCK ? 'block' : 'allow' };
        const label = labels[i];
        if (label !== undefined) row.label = label;
        const note = notes[i];
        if (note !== undefined) row.note = note;
        yield row;
      }
    },
  };
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
