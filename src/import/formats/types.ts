/** What every importer produces: rows for the store, errors and deliberate skips, each with its line in the file. */
import type { Language } from '../../config/language.js';
import { type Code, type Coded, coded, type Params, render } from '../../messages/index.js';

export type ImportFormat = 'csv' | 'vcard' | 'fritzbox' | 'phoneblock' | 'json';
export type ImportKind = 'allow' | 'block';

export interface ImportRow {
  /** 1-based line in the file where the row starts (a CSV row with a quoted line break spans several). */
  line: number;
  /** E.164, or an E.164 prefix when `prefix` is set. */
  number: string;
  prefix: boolean;
  label?: string;
  note?: string;
  kind?: ImportKind;
  /** The address-book card or phonebook contact this number belongs to (allow rows from vCard / FRITZ!Box). */
  contact?: { name: string; externalId?: string };
  /** The contact is a VIP (a FRITZ!Box contact in category 1): the FRITZ!Box source makes VIP entries of these. */
  vip?: boolean;
  /** Votes or reports, for imported spam lists. */
  score?: number;
  /** The row as written in the file (a vCard / XML row: the property or element carrying the number). */
  raw: string;
}

export interface RowError {
  line: number;
  raw: string;
  /** A sentence that names the input, e.g. `"0800 abc" is not a phone number: …`. */
  error: string;
  /** The sentence as a message of the code table (`number.characters`, `row.bad_score`), for clients to word. */
  code: Code;
  params: Params;
}

/** Something deliberately not imported: a SIP address, an internal extension, an empty number, a removal. */
export interface ImportSkip {
  line: number;
  raw: string;
  why: string;
  /** `why` as a message of the code table (`skip.empty_tel`, `skip.sip`). */
  code: Code;
  params: Params;
}

export interface ParseResult {
  format: ImportFormat;
  rows: ImportRow[];
  errors: RowError[];
  skipped: ImportSkip[];
  /** The list version a PhoneBlock response reports (`version`), to pass as `since` on the next sync. */
  version?: number;
}

export interface ParseOptions {
  /** Read the input as this format; detected from content, file name and content type when left out. */
  format?: ImportFormat;
  /** Overrides the kind the format implies (CSV: block; vCard: allow; FRITZ!Box: per phonebook; PhoneBlock: block). */
  kind?: ImportKind;
  filename?: string;
  contentType?: string;
  /** The language of the labels a file's ratings give (a PhoneBlock list: `Betrug` / `fraud`); default English. */
  language?: Language;
}

/**
 * Row cap per file: twice the largest list we know of (PhoneBlock's community list is well under 1,000,000 numbers),
 * so a runaway or hostile file ends with an error instead of exhausting memory in the caller's transaction.
 */
export const MAX_ROWS = 2_000_000;

/**
 * Longest CSV row / vCard content line / XML element text we read. A real row is under 1 KiB; anything past 64 KiB is
 * a binary file or an unclosed quote swallowing the rest of the file, and becomes a row error rather than a crash.
 */
export const MAX_LINE_CHARS = 64 * 1024;

/** The input is not in any format we read (or not in the one asked for). The admin API answers 415 / 400. */
export class ImportFormatError extends Error {
  override readonly name = 'ImportFormatError';
  constructor(readonly problem: Coded = coded('import.unknown_format')) {
    super(render(problem));
  }
}
