/** What an import reports, and how it fails. Shared by the admin API and the command line. */
import type { ImportFormat, ImportKind } from './formats/index.js';
import type { Conflict } from './conflicts.js';

/** The report lists at most this many rejected or ignored rows (and says how many there were). */
export const MAX_REPORTED = 100;

export interface RejectedRow {
  line: number;
  error: string;
}

export interface IgnoredRow {
  line: number;
  why: string;
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

/** One or more rows do not read: nothing was imported. Lists the first MAX_REPORTED rows with their line. */
export class ImportRejectedError extends Error {
  override readonly name = 'ImportRejectedError';
  constructor(
    readonly format: ImportFormat,
    readonly rejected: RejectedRow[],
    readonly count: number,
  ) {
    const lines = rejected.slice(0, 10).map((r) => r.line).join(', ');
    super(
      `${count} ${count === 1 ? 'row is' : 'rows are'} not valid (line ${lines}${count > 10 ? ', …' : ''}); nothing was imported — fix ${count === 1 ? 'it' : 'them'} and import the file again`,
    );
  }
}

/** The import was asked the wrong way (e.g. a CSV without a kind). The API answers 400, the command line exit 2. */
export class ImportUsageError extends Error {
  override readonly name = 'ImportUsageError';
  constructor(
    message: string,
    /** The kinds the same file would be imported with; empty: leave the kind out. */
    readonly kinds: readonly ImportKind[] = ['allow', 'block'],
  ) {
    super(message);
  }
}
