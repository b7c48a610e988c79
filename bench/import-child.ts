/**
 * The streaming CSV import without the CLI (used when `callfilter import` does not exist yet): the importers'
 * csvRows() over a file stream, written with entries.bulkInsert in IMPORT_BATCH-row transactions. Unlike a real
 * import it is not atomic as a whole; it measures the parse + normalise + write path and its memory.
 *
 * Usage: node dist/bench/import-child.js <csv file> <data dir>   → one JSON line on stdout
 */
import { createReadStream } from 'node:fs';
import { loadConfig } from '../src/config/config.js';
import { csvRows } from '../src/import/formats/index.js';
import { IMPORT_BATCH, type NewEntry, openStore } from '../src/store/index.js';
import { serviceEnv } from './servers.js';

const [csv, dataDir] = process.argv.slice(2);
if (!csv || !dataDir) throw new Error('usage: import-child.js <csv file> <data dir>');
const config = loadConfig({ env: serviceEnv(dataDir), file: {} });
const store = openStore(config.dbFile);
let added = 0;
let skipped = 0;
let errors = 0;
let batch: NewEntry[] = [];
const flush = async () => {
  const r = await store.entries.bulkInsert(batch);
  added += r.added;
  skipped += r.skipped;
  batch = [];
};
try {
  for await (const item of csvRows(createReadStream(csv), { numbering: config.numbering, kind: 'block' })) {
    if ('error' in item) {
      errors++;
      continue;
    }
    const row: NewEntry = { number: item.number, prefix: item.prefix, kind: 'block', source: 'csv' };
    if (item.label !== undefined) row.label = item.label;
    if (item.note !== undefined) row.note = item.note;
    batch.push(row);
    if (batch.length >= IMPORT_BATCH) await flush();
  }
  if (batch.length > 0) await flush();
} finally {
  store.db.close();
}
process.stdout.write(`${JSON.stringify({ added, skipped, errors })}\n`);
