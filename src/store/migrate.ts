/**
 * Numbered SQL migrations (`migrations/NNN-name.sql`), applied in order, each in its own transaction together with
 * `PRAGMA user_version = NNN` — so a migration is applied completely or not at all, and running again is a no-op.
 * A migration that rebuilds a table (SQLite's 12-step ALTER) must use `PRAGMA defer_foreign_keys = ON`:
 * `foreign_keys` cannot be switched inside a transaction.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';
import { StoreError } from './errors.js';

export interface Migration {
  version: number;
  name: string;
  file: string;
}

const MIGRATION_FILE = /^(\d+)-([\w.-]+)\.sql$/;

/**
 * The migrations folder at the project root, found from this module: src/store/ (vitest) is two levels below it,
 * dist/src/store/ (compiled) three.
 */
export function defaultMigrationsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..', 'migrations'), join(here, '..', '..', '..', 'migrations')];
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) throw new StoreError('schema', `migrations folder not found (looked in ${candidates.join(', ')})`);
  return found;
}

export function loadMigrations(dir = defaultMigrationsDir()): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir)) {
    const match = MIGRATION_FILE.exec(file);
    if (!match) continue;
    migrations.push({ version: Number(match[1]), name: match[2] ?? file, file: join(dir, file) });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    const [prev, cur] = [migrations[i - 1], migrations[i]];
    if (prev && cur && prev.version === cur.version) {
      throw new StoreError('schema', `two migrations have version ${cur.version}: ${prev.file}, ${cur.file}`);
    }
  }
  return migrations;
}

export function schemaVersion(db: Database): number {
  return Number(db.pragma('user_version'));
}

/** The newest schema version this build knows. */
export function latestVersion(dir?: string): number {
  return loadMigrations(dir).at(-1)?.version ?? 0;
}

/** Applies what is missing and returns it (empty when the schema is current). */
export function migrate(db: Database, options: { dir?: string } = {}): Migration[] {
  const migrations = loadMigrations(options.dir);
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new StoreError(
      'schema',
      `the database schema is version ${current}, newer than this build knows (${latest}); upgrade callfilter`,
    );
  }
  const applied: Migration[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    const sql = readFileSync(migration.file, 'utf8');
    const done = db.transaction(() => {
      // Checked again inside the write lock: another process may have migrated meanwhile.
      if (schemaVersion(db) >= migration.version) return false;
      db.exec(sql);
      db.pragma(`user_version = ${migration.version}`);
      return true;
    });
    if (!done) continue;
    applied.push(migration);
    db.logger?.info({ version: migration.version, name: migration.name }, 'applied migration');
  }
  return applied;
}

/** For read-only opens, which cannot migrate: the schema must already be current. */
export function assertMigrated(db: Database, options: { dir?: string } = {}): void {
  const current = schemaVersion(db);
  const latest = latestVersion(options.dir);
  if (current !== latest) {
    throw new StoreError(
      'schema',
      `the database schema is version ${current}, this build expects ${latest}; run the migrations (npm run migrate)`,
    );
  }
}
