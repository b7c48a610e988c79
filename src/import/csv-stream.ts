/**
 * The rows of a CSV import into the personal entries, streamed: nothing is held but a batch, whatever the file's size.
 * They are parsed in a worker thread when there is one (compiled: the service and the command line), so that the
 * service's event loop only writes; from the TypeScript sources (tests) in this thread, in the small pieces of
 * source.ts `chunks`.
 */

import type { NumberingConfig } from '../numbers/index.js';
import { csvRows, type ImportKind } from './formats/index.js';
import { type Collected, type Row, RowProblems } from './rows.js';
import { chunks, type ImportSource, sourceSize } from './source.js';
import { type ImportProgress, ImportRejectedError } from './types.js';
import { entryRowsFromWorker, type WorkerSource, workerAvailable } from './worker-rows.js';

type Options = { numbering: NumberingConfig; kind: ImportKind };

async function* inThisThread(
  src: ImportSource,
  options: Options,
  collected: Collected,
  onProgress?: (p: ImportProgress) => void,
): AsyncGenerator<Row> {
  const { problems } = collected;
  const totalBytes = await sourceSize(src);
  let bytes = 0;
  const source = chunks(src, (n) => {
    bytes = n;
    onProgress?.({ phase: 'read', bytes, totalBytes, rows: collected.count });
  });
  for await (const item of csvRows(source, options)) {
    if ('error' in item) {
      problems.reject(item);
      continue;
    }
    // After a bad row nothing will be switched in: only keep reading to report every bad line.
    if (problems.rejectedCount > 0) continue;
    collected.count++;
    const row: Row = { number: item.number, prefix: item.prefix, kind: item.kind ?? options.kind };
    if (item.label !== undefined) row.label = item.label;
    if (item.note !== undefined) row.note = item.note;
    yield row;
  }
  onProgress?.({ phase: 'read', bytes, totalBytes, rows: collected.count });
  if (problems.rejectedCount > 0) throw new ImportRejectedError('csv', problems.rejected, problems.rejectedCount);
}

/** An upload's bytes go to the worker (and are gone from `src` afterwards); a file is read there. */
function workerSource(src: ImportSource): WorkerSource {
  return 'path' in src ? { path: src.path } : { bytes: src.buffer };
}

/** The rows, read once; ImportRejectedError at their end when any row was bad. */
export function streamCsv(src: ImportSource, options: Options, onProgress?: (p: ImportProgress) => void): Collected {
  const collected: Collected = {
    format: 'csv',
    count: 0,
    problems: new RowProblems(),
    rows: () =>
      workerAvailable
        ? entryRowsFromWorker(workerSource(src), options, collected, onProgress)
        : inThisThread(src, options, collected, onProgress),
  };
  return collected;
}
