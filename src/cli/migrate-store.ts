import pg from 'pg';
import type { AppContext } from '../context.js';
import { copyToPostgres } from '../store/pg/copy.js';
import { count } from '../text.js';
import { parse, UsageError } from './args.js';
import type { Out } from './main.js';

/** The URL as it may be printed: without its password. */
export function redactedUrl(url: URL): string {
  const shown = new URL(url);
  if (shown.password) shown.password = '***';
  return shown.toString();
}

function postgresUrl(value: string | undefined): URL {
  if (!value) throw new UsageError('--to postgres://user:password@host:5432/database is required');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError('--to is not a URL; expected postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new UsageError(`--to must be a postgres:// URL, not ${url.protocol}//…`);
  return url;
}

/**
 * `callfilter migrate-store --to postgres://…`: copies this node's SQLite database (entries, contacts, lists,
 * profiles, settings, sources, the outbox, the call log — every table) into an empty PostgreSQL database, migrating
 * it first, and compares every table's row count. Run it with the service stopped: calls logged during the copy
 * stay in SQLite only.
 */
export async function migrateStoreCommand(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const { values, positionals } = parse(argv, { to: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`unexpected ${JSON.stringify(positionals[0])}`);
  const url = postgresUrl(values.to);
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  try {
    const result = await copyToPostgres(ctx.store.db, pool, {
      onTable: ({ table, rows }) => out(`${table.padEnd(16)} ${count(rows, 'row')}`),
    });
    const rows = result.tables.reduce((n, t) => n + t.rows, 0);
    out(
      `copied ${count(rows, 'row')} in ${count(result.tables.length, 'table')} from ${ctx.config.dbFile} to ${redactedUrl(url)} (schema version ${result.schemaVersion}); every count verified`,
    );
  } finally {
    await pool.end();
  }
}
