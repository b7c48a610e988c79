/** Policy profiles in the shared database (../profiles-repository.ts, the same statements). */
import type pg from 'pg';
import type { Profile } from '../../policy/types.js';
import { StoreError } from '../errors.js';
import { type ProfilesRepository, toProfile } from '../profiles-repository.js';
import type { RepositoryOptions } from '../sql.js';
import { withPostgresErrors } from './errors.js';

export function createPostgresProfilesRepository(pool: pg.Pool, options: RepositoryOptions = {}): ProfilesRepository {
  const clock = options.clock ?? Date.now;
  return withPostgresErrors({
    async list() {
      const r = await pool.query<{ name: string; body: string }>('SELECT name, body FROM profiles ORDER BY name');
      return r.rows.map(toProfile);
    },

    async get(name) {
      const r = await pool.query<{ name: string; body: string }>('SELECT name, body FROM profiles WHERE name = $1', [
        name,
      ]);
      const row = r.rows[0];
      return row && toProfile(row);
    },

    /** Creates or replaces the profile with this name; returns it as stored. */
    async upsert(profile: Profile) {
      if (!profile.name) throw new StoreError('invalid', 'a profile needs a name');
      const body = JSON.stringify(profile);
      await pool.query(
        `INSERT INTO profiles (name, dids, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (name) DO UPDATE SET dids = excluded.dids, body = excluded.body, updated_at = excluded.updated_at`,
        [profile.name, JSON.stringify(profile.dids ?? []), body, clock()],
      );
      return JSON.parse(body) as Profile;
    },

    async remove(name) {
      const r = await pool.query('DELETE FROM profiles WHERE name = $1', [name]);
      return (r.rowCount ?? 0) > 0;
    },
  });
}
