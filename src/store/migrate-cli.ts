/**
 * `node dist/src/store/migrate-cli.js [dataDir]` (npm run migrate): opens <dataDir>/callfilter.db and applies the
 * missing migrations. dataDir defaults to $CALLFILTER_DATA_DIR, else ./data.
 */
import { join } from 'node:path';
import { Database } from './database.js';
import { migrate, schemaVersion } from './migrate.js';

export const DB_FILE_NAME = 'callfilter.db';

function main(): void {
  const dataDir = process.argv[2] ?? process.env.CALLFILTER_DATA_DIR ?? './data';
  const file = join(dataDir, DB_FILE_NAME);
  const db = Database.open(file);
  try {
    const applied = migrate(db);
    for (const m of applied) process.stdout.write(`applied ${String(m.version).padStart(3, '0')}-${m.name}\n`);
    process.stdout.write(
      `${file}: schema version ${schemaVersion(db)}${applied.length === 0 ? ' (up to date)' : ''}\n`,
    );
  } finally {
    db.close();
  }
}

try {
  main();
} catch (err) {
  process.stderr.write(`callfilter migrate: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
