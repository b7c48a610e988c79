import { resolve } from 'node:path';
import type { AppContext } from '../context.js';
import { backupDatabase } from '../store/backup.js';
import { isStoreError, StoreError } from '../store/index.js';
import { count } from '../text.js';
import { parse, UsageError } from './args.js';
import type { Out } from './main.js';

/**
 * `callfilter backup <file> [--force]` (also `npm run backup -- <file>`): an online, consistent copy of the
 * database, checked with PRAGMA integrity_check, taken while the service runs.
 */
export async function backupCommand(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const { values, positionals } = parse(argv, { force: { type: 'boolean' } });
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError('one backup file name is required');
  // `npm run` changes into the package folder; INIT_CWD is where the person typed the command.
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0]);
  if (ctx.store.engine === 'postgres') throw new UsageError(postgresBackupAdvice(ctx, file));
  try {
    const r = await backupDatabase(ctx.store.db, file, { force: values.force === true });
    out(
      `backed up ${ctx.config.dbFile} to ${r.file} (${formatBytes(r.bytes)}, ${count(r.pages, 'page')}, schema version ${r.schemaVersion}, integrity ok)`,
    );
  } catch (err) {
    if (isStoreError(err, 'conflict') && !values.force && /already exists$/.test(err.message)) {
      throw new StoreError('conflict', `${err.message} (add --force to overwrite it)`, { cause: err });
    }
    throw err;
  }
}

/** With PostgreSQL the data is the cluster's, and its own tool makes the consistent copy. */
function postgresBackupAdvice(ctx: AppContext, file: string): string {
  const url = ctx.config.databaseUrl as URL;
  const target = new URL(url);
  target.password = '';
  return [
    'this node keeps its data in PostgreSQL (CALLFILTER_DATABASE_URL): back it up with pg_dump, on any node, while the service runs:',
    `  pg_dump --format=custom --file=${shellQuote(file)} ${shellQuote(target.toString())}`,
    `(the password: PGPASSWORD or ~/.pgpass; restore with pg_restore --dbname=… ${shellQuote(file)})`,
  ].join('\n');
}

const shellQuote = (s: string) => (/^[\w./:@%+=-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
