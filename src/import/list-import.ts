/**
 * Import into a call-centre / spam list: the list's rows are replaced as a whole through the store's versioned
 * replace (lists.replaceEntries), which streams in batches and switches versions in one short transaction. A bad row
 * anywhere makes the replace fail, so the old version stays active and the new rows are dropped.
 */
import { languageOf } from '../config/language.js';
import type { AppContext } from '../context.js';
import type { ListEntryInput } from '../store/index.js';
import { csvRows, type ImportFormat, type ImportRow, parseImport, type RowError } from './formats/index.js';
import { RowProblems } from './rows.js';
import { chunks, contentTypeOf, filenameOf, type ImportSource, readAll, resolveFormat, sourceSize } from './source.js';
import { type ImportOptions, type ImportProgress, ImportRejectedError, type ListImportReport } from './types.js';
import { listRowsFromWorker, workerAvailable } from './worker-rows.js';

function listRow(row: ImportRow): ListEntryInput {
  const entry: ListEntryInput = { number: row.number, prefix: row.prefix, score: row.score ?? 1 };
  if (row.label !== undefined) entry.label = row.label;
  return entry;
}

/** Rows and errors of a CSV streamed in this thread (an upload), counted for the progress report. */
async function* csvItems(
  ctx: AppContext,
  src: ImportSource,
  onProgress?: (p: ImportProgress) => void,
): AsyncGenerator<ImportRow | RowError> {
  const totalBytes = await sourceSize(src);
  let rows = 0;
  const source = chunks(src, (bytes) => onProgress?.({ phase: 'read', bytes, totalBytes, rows }));
  for await (const item of csvRows(source, { numbering: ctx.config.numbering, kind: 'block' })) {
    rows++;
    yield item;
  }
}

/** The good rows; after the last one, ImportRejectedError when any was bad (thrown inside replaceEntries' loop). */
async function* checked(
  items: AsyncIterable<ImportRow | RowError> | Iterable<ImportRow | RowError>,
  format: ImportFormat,
  problems: RowProblems,
): AsyncGenerator<ListEntryInput> {
  for await (const item of items) {
    if ('error' in item) problems.reject(item);
    else if (problems.rejectedCount === 0) yield listRow(item);
  }
  if (problems.rejectedCount > 0) {
    problems.rejected.sort((a, b) => a.line - b.line);
    throw new ImportRejectedError(format, problems.rejected, problems.rejectedCount);
  }
}

export interface ListImportGate {
  /**
   * Called after the last row is written and before the new rows replace the old ones, with how many rows were read:
   * throwing keeps the old list (a source holds back a suspiciously small list this way).
   */
  beforeSwitch?: (rows: number) => void | Promise<void>;
  signal?: AbortSignal;
}

async function* gated(
  rows: AsyncIterable<ListEntryInput>,
  check: (rows: number) => void | Promise<void>,
): AsyncGenerator<ListEntryInput> {
  let n = 0;
  for await (const row of rows) {
    n++;
    yield row;
  }
  await check(n);
}

export async function importList(
  ctx: AppContext,
  listId: number,
  src: ImportSource,
  options: Omit<ImportOptions, 'kind'> & ListImportGate = {},
): Promise<ListImportReport> {
  const format = await resolveFormat(src, options.format);
  const problems = new RowProblems();
  let version: number | undefined;
  let rows: AsyncIterable<ListEntryInput>;
  if (format === 'csv' && 'path' in src && workerAvailable) {
    // A CSV file on disk (the command line) is parsed in a worker thread while this one writes.
    rows = listRowsFromWorker(src.path, ctx.config.numbering, options.onProgress);
  } else if (format === 'csv') {
    rows = checked(csvItems(ctx, src, options.onProgress), format, problems);
  } else {
    const filename = filenameOf(src);
    const contentType = contentTypeOf(src);
    const result = parseImport(await readAll(src), {
      numbering: ctx.config.numbering,
      language: languageOf(ctx.config),
      format,
      kind: 'block',
      ...(filename !== undefined && { filename }),
      ...(contentType !== undefined && { contentType }),
    });
    for (const s of result.skipped) problems.ignore(s);
    version = result.version;
    rows = checked([...result.errors, ...result.rows], format, problems);
  }
  if (options.beforeSwitch) rows = gated(rows, options.beforeSwitch);
  const result = await ctx.store.lists.replaceEntries(listId, rows, options.signal ? { signal: options.signal } : {});
  if (version !== undefined)
    await ctx.store.lists.update(listId, { syncCursor: String(version), syncedAt: ctx.clock(), syncError: null });
  return {
    format,
    listId,
    version: result.version,
    added: result.added,
    skipped: result.duplicates,
    removed: result.removed,
    contacts: 0,
    rejected: [],
    ignored: problems.ignored,
    ignoredCount: problems.ignoredCount,
  };
}
