/**
 * `callfilter migrate`: brings the database's schema to this build's version and says which version it is at. The
 * service and every command migrate when they open the database; this one does nothing else. For a cluster whose
 * nodes run as an account that may read and write the tables but not change them (docs/scale-out.md, "Roles"), run
 * it with the schema owner's account before nodes of a new version start.
 */
import { redactedUrl } from '../config/config.js';
import type { AppContext } from '../context.js';
import { schemaVersion } from '../store/migrate.js';
import { postgresSchemaVersion } from '../store/pg/migrate.js';
import { parse, UsageError } from './args.js';
import type { Out } from './main.js';

export async function migrateCommand(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const { positionals } = parse(argv, {});
  if (positionals.length > 0) throw new UsageError('migrate takes no arguments');
  const { store, config } = ctx;
  if (store.engine === 'postgres') {
    const version = await postgresSchemaVersion(store.pool);
    out(`schema version ${version} in ${redactedUrl(config.databaseUrl as URL)}`);
  } else out(`schema version ${schemaVersion(store.db)} in ${config.dbFile}`);
}
