/** What an import reports, and how it fails. Shared by the admin API and the command line. */

import { type Code, type Coded, coded, type Params, render } from '../messages/index.js';
import type { Conflict } from './conflicts.js';
import type { ImportFormat, ImportKind } from './formats/index.js';

/** The report lists at most this many rejected or ignored rows (and says how many there were). */
export const MAX_REPORTED = 100;

/** A row that does not read: the English sentence, and its code and parameters for clients to word (messages/). */
export interface RejectedRow {
  line: number;
  error: string;
  code: Code;
  params: Params;
}

/** A row left out on purpose (a SIP address, an empty TEL), said the same two ways. */
export interface IgnoredRow {
  line: number;
  why: string;
  code: Code;
  params: Params;
}

export interface ImportReport {
  format: ImportFormat;
  /** Entries (or list rows) written. */
  added: number;
  /** Rows not written because the same entry exists already or came earlier in the file. */
  skipped: number;
  /** Always empty in a report: a file with rejected rows is not imported (ImportRejectedError). */
  rejected: RejectedRow[];
  /** Rows deliberately not imported (a SIP address, an internal extension, a removal), with the reason. */
  ignored: IgnoredRow[];
  ignoredCount: number;
  /** Contacts created (vCard, FRITZ!Box). */
  contacts: number;
  /** Imports into the personal entries: the file's numbers the other list holds too, and who wins (first MAX_REPORTED). */
  conflicts?: Conflict[];
  conflictCount?: number;
}

export interface ListImportReport extends ImportReport {
  listId: number;
  /** The list version now active. */
  version: number;
  /** Rows of the previous version removed. */
  removed: number;
}

export interface ImportProgress {
  phase: 'read' | 'write';
  /** Bytes read so far and in all (phase read, when the size is known). */
  bytes?: number;
  totalBytes?: number;
  /** Rows read (phase read) or written (phase write). */
  rows: number;
  totalRows?: number;
}

export interface ImportOptions {
  /** Read the file as this format; detected from its content, name and content type when left out. */
  format?: ImportFormat;
  /** The kind every row gets (required for CSV into personal entries: a CSV row says nothing about it). */
  kind?: ImportKind;
  onProgress?: (progress: ImportProgress) => void;
  /**
   * How an import into the entries shares the machine: `calls` (the default) for the service, whose calls wait for
   * its event loop — short transactions with a rest after each; `bulk` for a process that screens no calls (the
   * command line) — longer ones. Both switch the new rows in at once.
   */
  pace?: 'calls' | 'bulk';
}

/** The lines named in the message of a refused file; the report lists up to MAX_REPORTED. */
const LINES_IN_MESSAGE = 10;

/** One or more rows do not read: nothing was imported. Lists the first MAX_REPORTED rows with their line. */
export class ImportRejectedError extends Error {
  override readonly name = 'ImportRejectedError';
  readonly problem: Coded;
  constructor(
    readonly format: ImportFormat,
    readonly rejected: RejectedRow[],
    readonly count: number,
  ) {
    const lines =
      rejected
        .slice(0, LINES_IN_MESSAGE)
        .map((r) => r.line)
        .join(', ') + (count > LINES_IN_MESSAGE ? ', …' : '');
    const problem = coded('import.rejected', { count, lines });
    super(render(problem));
    this.problem = problem;
  }
}

/** The import was asked the wrong way (e.g. a CSV without a kind). The API answers 400, the command line exit 2. */
export class ImportUsageError extends Error {
  override readonly name = 'ImportUsageError';
  constructor(
    readonly problem: Coded,
    /** The kinds the same file would be imported with; empty: leave the kind out. */
    readonly kinds: readonly ImportKind[] = ['allow', 'block'],
  ) {
    super(render(problem));
  }
}
