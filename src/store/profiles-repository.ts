/** Policy profiles, stored as the Profile JSON (schedules included), keyed by name. */
import type { Profile } from '../policy/types.js';
import type { Database } from './database.js';
import { StoreError, withStoreErrors } from './errors.js';
import type { RepositoryOptions } from './sql.js';

interface ProfileRow {
  name: string;
  body: string;
}

export function toProfile(row: ProfileRow): Profile {
  try {
    return JSON.parse(row.body) as Profile;
  } catch (err) {
    throw new StoreError('corrupt', `profile "${row.name}": the stored JSON does not parse`, { cause: err });
  }
}

export function createProfilesRepository(db: Database, options: RepositoryOptions = {}) {
  const clock = options.clock ?? Date.now;
  const all = db.prepare<[], ProfileRow>('SELECT name, body FROM profiles ORDER BY name');
  const byName = db.prepare<[string], ProfileRow>('SELECT name, body FROM profiles WHERE name = ?');
  const upsert = db.prepare<[{ name: string; dids: string; body: string; now: number }]>(
    `INSERT INTO profiles (name, dids, body, created_at, updated_at) VALUES (@name, @dids, @body, @now, @now)
     ON CONFLICT (name) DO UPDATE SET dids = excluded.dids, body = excluded.body, updated_at = excluded.updated_at`,
  );
  const deleteByName = db.prepare<[string]>('DELETE FROM profiles WHERE name = ?');

  return withStoreErrors({
    async list(): Promise<Profile[]> {
      return all.all().map(toProfile);
    },

    async get(name: string): Promise<Profile | undefined> {
      const row = byName.get(name);
      return row && toProfile(row);
    },

    /** Creates or replaces the profile with this name; returns it as stored. */
    async upsert(profile: Profile): Promise<Profile> {
      if (!profile.name) throw new StoreError('invalid', 'a profile needs a name');
      const body = JSON.stringify(profile);
      upsert.run({ name: profile.name, dids: JSON.stringify(profile.dids ?? []), body, now: clock() });
      return JSON.parse(body) as Profile;
    },

    async remove(name: string): Promise<boolean> {
      return deleteByName.run(name).changes > 0;
    },
  });
}

export type ProfilesRepository = ReturnType<typeof createProfilesRepository>;
