import pg from 'pg';
import { parseDatabaseUrl, redactedUrl } from '../config/config.js';
import { ConfigError } from '../config/env.js';
import type { AppContext } from '../context.js';
import { copyToPostgres } from '../store/pg/copy.js';
import { count } from '../text.js';
import { parse, UsageError } from './args.js';
import type { Out } from './main.js';

/** --to, else CALLFILTER_DATABASE_URL. */
function targetUrl(ctx: AppContext, value: string | undefined): URL {
  if (value === undefined) {
    if (ctx.config.databaseUrl) return ctx.config.databaseUrl;
    throw new UsageError('--to postgres://user:password@host:5432/database is required (or CALLFILTER_DATABASE_URL)');
  }
  try {
    return parseDatabaseUrl(value, '--to');
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * `callfilter migrate-store [--to postgres://…]` (default: CALLFILTER_DATABASE_URL): copies this node's SQLite
 * database (entries, contacts, lists, profiles, settings, sources, the outbox, the call log — every table) into an
 * empty PostgreSQL database, migrating it first, and compares every table's row count. Run it with the service
 * stopped: calls logged during the copy stay in SQLite only.
 */
export async function migrateStoreCommand(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const { values, positionals } = parse(argv, { to: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`unexpected ${JSON.stringify(positionals[0])}`);
  if (ctx.store.engine !== 'sqlite') throw new UsageError('migrate-store copies the SQLite file of the data folder');
  const url = targetUrl(ctx, values.to);
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
