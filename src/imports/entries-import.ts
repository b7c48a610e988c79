/**
 * Import into the personal allow / block entries: read and check the whole file first, then write every row in ONE
 * transaction — a file with a bad row changes nothing, and a crash mid-write leaves the old entries as they were.
 * Address-book rows (vCard, FRITZ!Box allow rows) become contacts with their numbers.
 */
import { languageOf } from '../config/language.js';
import type { AppContext } from '../context.js';
import { parseImport } from '../importers/index.js';
import type { NewEntry } from '../store/index.js';
import { findConflicts } from './conflicts.js';
import { entryKind, NEEDS_KIND } from './kinds.js';
import { collectCsv, collectParsed, type Collected, type Row } from './rows.js';
import { contentTypeOf, filenameOf, readAll, resolveFormat, type ImportSource } from './source.js';
import { csvFromWorker, workerAvailable } from './worker-rows.js';
import { ImportRejectedError, ImportUsageError, type ImportOptions, type ImportProgress, type ImportReport } from './types.js';

/** How often the write phase reports progress (rows). */
const PROGRESS_EVERY = 10_000;

interface Written {
  added: number;
  skipped: number;
  contacts: number;
}

function toEntry(row: Row, source: string): NewEntry {
  const entry: NewEntry = { number: row.number, prefix: row.prefix, kind: row.kind, source };
  if (row.label !== undefined) entry.label = row.label;
  if (row.note !== undefined) entry.note = row.note;
  return entry;
}

/** Reads the file (streaming a CSV) and checks every row; throws ImportRejectedError when any row is bad. */
export async function readImport(ctx: AppContext, src: ImportSource, options: ImportOptions): Promise<Collected> {
  const format = await resolveFormat(src, options.format);
  const numbering = ctx.config.numbering;
  let collected: Collected;
  if (format === 'csv') {
    if (options.kind === undefined) throw new ImportUsageError(NEEDS_KIND);
    collected = await collectCsv(src, { numbering, kind: options.kind }, options.onProgress);
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
  if (problems.rejectedCount > 0) throw new ImportRejectedError(collected.format, problems.rejected, problems.rejectedCount);
  return collected;
}

/** One address-book contact's rows: reuses a contact imported before (same UID), skips one whose numbers all exist. */
function writeContact(ctx: AppContext, contact: NonNullable<Row['contact']>, rows: Row[], source: string): Written {
  const { entries, contacts } = ctx.store;
  const fresh = rows.filter((r) => entries.findByNumber(r.number, r.prefix, 'allow').length === 0);
  const existing = contact.externalId === undefined ? undefined : contacts.findByExternalId(source, contact.externalId)[0];
  if (existing) {
    const { added } = entries.bulkInsert(fresh.map((r) => ({ ...toEntry(r, source), label: r.label ?? existing.name, contactId: existing.id, vip: existing.vip })));
    return { added, skipped: rows.length - added, contacts: 0 };
  }
  if (fresh.length === 0) return { added: 0, skipped: rows.length, contacts: 0 };
  const numbers = fresh.map((r) => {
    const { kind: _kind, ...entry } = toEntry(r, source);
    return entry;
  });
  const created = contacts.createWithNumbers({ name: contact.name, source, ...(contact.externalId !== undefined && { externalId: contact.externalId }) }, numbers);
  const added = fresh.length - created.skipped;
  return { added, skipped: rows.length - added, contacts: 1 };
}

/** Writes checked rows in one transaction. */
export function writeEntries(ctx: AppContext, collected: Collected, onProgress?: (p: ImportProgress) => void): Written {
  const source = collected.format;
  const total: Written = { added: 0, skipped: 0, contacts: 0 };
  const totalRows = collected.count;
  let done = 0;
  const tick = () => {
    if (++done % PROGRESS_EVERY === 0) onProgress?.({ phase: 'write', rows: done, totalRows });
  };
  return ctx.store.db.transaction(() => {
    // Consecutive allow rows of one card or phonebook contact form a group; everything else is a plain entry.
    let group: { contact: NonNullable<Row['contact']>; rows: Row[] } | undefined;
    const flush = () => {
      if (!group) return;
      const w = writeContact(ctx, group.contact, group.rows, source);
      total.added += w.added;
      total.skipped += w.skipped;
      total.contacts += w.contacts;
      group = undefined;
    };
    const plain = function* (): Generator<NewEntry> {
      for (const row of collected.rows()) {
        tick();
        const c = row.contact;
        if (c === undefined || row.kind !== 'allow') {
          yield toEntry(row, source);
          continue;
        }
        if (!group || group.contact.name !== c.name || group.contact.externalId !== c.externalId) {
          flush();
          group = { contact: c, rows: [] };
        }
        group.rows.push(row);
      }
      flush();
    };
    const { added, skipped } = ctx.store.entries.bulkInsert(plain());
    total.added += added;
    total.skipped += skipped;
    onProgress?.({ phase: 'write', rows: done, totalRows });
    return total;
  });
}

/**
 * Imports a file into the personal entries; all or nothing. A CSV file on disk (the command line) is parsed in a
 * worker thread while this thread writes, inside the one transaction: a bad row anywhere rolls everything back.
 * Everything else is read and checked first, then written.
 */
export async function importEntries(ctx: AppContext, src: ImportSource, options: ImportOptions = {}): Promise<ImportReport> {
  const format = await resolveFormat(src, options.format);
  const piped = 'path' in src && format === 'csv' && workerAvailable;
  let collected: Collected;
  if (piped) {
    if (options.kind === undefined) throw new ImportUsageError(NEEDS_KIND);
    collected = csvFromWorker(src.path, { numbering: ctx.config.numbering, kind: options.kind }, options.onProgress);
  } else {
    collected = await readImport(ctx, src, { ...options, format });
  }
  const written = writeEntries(ctx, collected, piped ? undefined : options.onProgress);
  const { problems } = collected;
  const conflicts = await findConflicts(ctx, collected.rows());
  ctx.logger.info({ format: collected.format, ...written, ignored: problems.ignoredCount, conflicts: conflicts.conflictCount }, 'entries imported');
  return { format: collected.format, ...written, rejected: [], ignored: problems.ignored, ignoredCount: problems.ignoredCount, ...conflicts };
}
