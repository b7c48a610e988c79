/**
 * Import into the personal allow / block entries, all or nothing, without holding the call path: the rows are
 * written as one pending import in short transactions, invisible to screening, and switched in at once at the end
 * (store/entry-imports.ts). A file with a bad row, a crash or a full disk leaves the old entries exactly as they
 * were. A CSV streams (parsed in a worker thread where there is one); other formats are address-book size, read
 * and checked whole first. Address-book rows (vCard, FRITZ!Box allow rows) become contacts with their numbers. The
 * report names every number the import put on both lists, and which entry decides there (conflicts.ts).
 */
import { languageOf } from '../config/language.js';
import type { AppContext } from '../context.js';
import {
  BULK_PACE,
  CALL_PATH_PACE,
  type EntryImportItem,
  type EntryImportResult,
  type NewEntry,
} from '../store/index.js';
import { type ConflictKey, findConflicts } from './conflicts.js';
import { streamCsv } from './csv-stream.js';
import { parseImport } from './formats/index.js';
import { entryKind, NEEDS_KIND } from './kinds.js';
import { type Collected, collectParsed, type Row } from './rows.js';
import { contentTypeOf, filenameOf, type ImportSource, readAll, resolveFormat } from './source.js';
import {
  type ImportOptions,
  type ImportProgress,
  ImportRejectedError,
  type ImportReport,
  ImportUsageError,
} from './types.js';

/** How often the write phase reports progress (rows). */
const PROGRESS_EVERY = 10_000;

type Written = EntryImportResult;

function toEntry(row: Row, source: string): NewEntry {
  const entry: NewEntry = { number: row.number, prefix: row.prefix, kind: row.kind, source };
  if (row.label !== undefined) entry.label = row.label;
  if (row.note !== undefined) entry.note = row.note;
  return entry;
}

/**
 * Reads the file and checks every row; throws ImportRejectedError when any row is bad. A CSV is not read here but
 * streamed by the write: its rows throw ImportRejectedError at their end.
 */
export async function readImport(ctx: AppContext, src: ImportSource, options: ImportOptions): Promise<Collected> {
  const format = await resolveFormat(src, options.format);
  const numbering = ctx.config.numbering;
  let collected: Collected;
  if (format === 'csv') {
    if (options.kind === undefined) throw new ImportUsageError(NEEDS_KIND);
    collected = streamCsv(src, { numbering, kind: options.kind }, options.onProgress);
  } else {
    const buf = await readAll(src);
    const filename = filenameOf(src);
    const contentType = contentTypeOf(src);
    // No kind for the parser: its own reading (which phonebook is the call-barring list) is what entryKind checks.
    const result = parseImport(buf, {
      numbering,
      language: languageOf(ctx.config),
      format,
      ...(filename !== undefined && { filename }),
      ...(contentType !== undefined && { contentType }),
    });
    collected = collectParsed(result, entryKind(result, options.kind));
  }
  const { problems } = collected;
  if (problems.rejectedCount > 0)
    throw new ImportRejectedError(collected.format, problems.rejected, problems.rejectedCount);
  return collected;
}

/**
 * The rows as the store writes them: consecutive allow rows of one card or phonebook contact form one card (its
 * numbers go onto one contact); everything else is a plain entry.
 */
async function* importItems(
  rows: Iterable<Row> | AsyncIterable<Row>,
  source: string,
  tick: () => void,
): AsyncGenerator<EntryImportItem> {
  let card: { contact: NonNullable<Row['contact']>; numbers: NewEntry[] } | undefined;
  for await (const row of rows) {
    tick();
    const c = row.contact;
    if (c === undefined || row.kind !== 'allow') {
      yield toEntry(row, source);
      continue;
    }
    if (!card || card.contact.name !== c.name || card.contact.externalId !== c.externalId) {
      if (card) yield card;
      card = { contact: c, numbers: [] };
    }
    card.numbers.push(toEntry(row, source));
  }
  if (card) yield card;
}

/**
 * The rows an import skipped because they exist already, kept compactly (a number and two bits each): they are in
 * force all the same, so the report names their conflicts too. A fresh import skips few; a file imported again, all.
 */
class SkippedKeys {
  private readonly numbers: string[] = [];
  private readonly flags: number[] = [];

  add(entry: NewEntry): void {
    this.numbers.push(entry.number);
    this.flags.push((entry.prefix ? 1 : 0) | (entry.kind === 'block' ? 2 : 0));
  }

  *keys(): Generator<ConflictKey> {
    for (let i = 0; i < this.numbers.length; i++) {
      const f = this.flags[i] as number;
      yield { number: this.numbers[i] as string, prefix: (f & 1) !== 0, kind: f & 2 ? 'block' : 'allow' };
    }
  }
}

/** Writes the rows as one import: they appear together when it resolves, and not at all when it rejects. */
export async function writeEntries(
  ctx: AppContext,
  collected: Collected,
  onProgress?: (p: ImportProgress) => void,
  pace: ImportOptions['pace'] = 'calls',
  onSkipped?: (entry: NewEntry) => void,
): Promise<Written> {
  const totalRows = collected.count;
  let done = 0;
  const tick = () => {
    if (++done % PROGRESS_EVERY === 0) onProgress?.({ phase: 'write', rows: done, totalRows });
  };
  const items = importItems(collected.rows(), collected.format, tick);
  const written = await ctx.store.entryImports.run(collected.format, items, {
    pace: pace === 'bulk' ? BULK_PACE : CALL_PATH_PACE,
    ...(onSkipped && { onSkipped }),
  });
  onProgress?.({ phase: 'write', rows: done, totalRows });
  return written;
}

/** What an import put in force: the rows it wrote (read back from the store), then those it found there already. */
async function* inForce(ctx: AppContext, importId: number, skipped: SkippedKeys): AsyncGenerator<ConflictKey> {
  yield* ctx.store.entryImports.rowsOf(importId);
  yield* skipped.keys();
}

/**
 * Imports a file into the personal entries; all or nothing. Reads (a CSV: streams), writes as one import, then
 * reports — with the conflicts of what it put in force, read back from the store (a streamed CSV is not held).
 * An upload's buffer is handed to the CSV worker thread and is empty afterwards.
 */
export async function importEntries(
  ctx: AppContext,
  src: ImportSource,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const format = await resolveFormat(src, options.format);
  const collected = await readImport(ctx, src, { ...options, format });
  // A streamed CSV reports its progress as it is read (bytes); a parsed file as it is written (rows).
  const already = new SkippedKeys();
  const written = await writeEntries(
    ctx,
    collected,
    format === 'csv' ? undefined : options.onProgress,
    options.pace,
    (entry) => already.add(entry),
  );
  const { problems } = collected;
  const conflicts = await findConflicts(ctx, inForce(ctx, written.importId, already));
  ctx.logger.info(
    { format: collected.format, ...written, ignored: problems.ignoredCount, conflicts: conflicts.conflictCount },
    'entries imported',
  );
  const { added, skipped, contacts } = written;
  return {
    format: collected.format,
    added,
    skipped,
    contacts,
    rejected: [],
    ignored: problems.ignored,
    ignoredCount: problems.ignoredCount,
    ...conflicts,
  };
}
