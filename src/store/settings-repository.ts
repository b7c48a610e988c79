/** Settings kept in the database (migrations/004): text values keyed by their environment variable's name. */
import type { Database } from './database.js';
import { withStoreErrors } from './errors.js';
import type { RepositoryOptions } from './sql.js';

interface SettingRow {
  key: string;
  value: string;
}

export function createSettingsRepository(db: Database, options: RepositoryOptions = {}) {
  const clock = options.clock ?? Date.now;
  const all = db.prepare<[], SettingRow>('SELECT key, value FROM settings ORDER BY key');
  const upsert = db.prepare<[{ key: string; value: string; now: number }]>(
    `INSERT INTO settings (key, value, updated_at) VALUES (@key, @value, @now)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');

  return withStoreErrors({
    async all(): Promise<Record<string, string>> {
      return Object.fromEntries(all.all().map((r) => [r.key, r.value]));
    },

    /** Writes each value and removes each key given as null, in one transaction. */
    async set(changes: Record<string, string | null>): Promise<void> {
      const now = clock();
      db.transaction(() => {
        for (const [key, value] of Object.entries(changes)) {
          if (value === null) remove.run(key);
          else upsert.run({ key, value, now });
        }
      });
    },
  });
}

export type SettingsRepository = ReturnType<typeof createSettingsRepository>;
