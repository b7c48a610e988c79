/** Settings kept in the shared database (../settings-repository.ts, the same statements). */
import type pg from 'pg';
import type { SettingsRepository } from '../settings-repository.js';
import type { RepositoryOptions } from '../sql.js';
import { withPostgresErrors } from './errors.js';
import { inTransaction } from './sql.js';

export function createPostgresSettingsRepository(pool: pg.Pool, options: RepositoryOptions = {}): SettingsRepository {
  const clock = options.clock ?? Date.now;
  return withPostgresErrors({
    async all() {
      const r = await pool.query<{ key: string; value: string }>('SELECT key, value FROM settings ORDER BY key');
      return Object.fromEntries(r.rows.map((row) => [row.key, row.value]));
    },

    /** Writes each value and removes each key given as null, in one transaction. */
    async set(changes) {
      const now = clock();
      await inTransaction(pool, async (client) => {
        for (const [key, value] of Object.entries(changes)) {
          if (value === null) await client.query('DELETE FROM settings WHERE key = $1', [key]);
          else
            await client.query(
              `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
               ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
              [key, value, now],
            );
        }
      });
    },
  });
}
