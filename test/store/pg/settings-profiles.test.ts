/** Settings and profiles, the same cases against both engines: SQLite in a data folder and a real PostgreSQL. */
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { defaultProfile } from '../../../src/policy/defaults.js';
import type { Profile } from '../../../src/policy/types.js';
import type { ProfilesRepository, SettingsRepository } from '../../../src/store/index.js';
import { createPostgresProfilesRepository } from '../../../src/store/pg/profiles-repository.js';
import { createPostgresSettingsRepository } from '../../../src/store/pg/settings-repository.js';
import { usePostgresDatabase } from '../engines.js';
import { tempStore } from '../helpers.js';

const postgres = usePostgresDatabase('settings');
const clock = () => 1_800_000_000_000;

interface Repositories {
  settings: SettingsRepository;
  profiles: ProfilesRepository;
}

const engines: [string, () => Promise<Repositories>][] = [
  ['SQLite', async () => tempStore({ clock }).store],
  [
    'PostgreSQL',
    async () => {
      const pool = await postgres.fresh();
      return {
        settings: createPostgresSettingsRepository(pool, { clock }),
        profiles: createPostgresProfilesRepository(pool, { clock }),
      };
    },
  ],
];

const office: Profile = {
  ...defaultProfile(),
  name: 'office',
  dids: ['+4930999'],
  schedules: [
    {
      name: 'office hours',
      days: [1, 2, 3, 4, 5],
      from: '08:00',
      to: '17:00',
      actions: { unknown: { action: 'connect' } },
    },
  ],
};

describe.each(engines)('%s', (_, open) => {
  it('settings: set, replace and remove in one go; all in key order', async () => {
    const { settings } = await open();
    await settings.set({ CALLFILTER_HOME_COUNTRY: 'DE', CALLFILTER_HOME_AREA_CODE: '30' });
    await settings.set({ CALLFILTER_HOME_AREA_CODE: '40', CALLFILTER_HOME_COUNTRY: null });
    expect(await settings.all()).toEqual({ CALLFILTER_HOME_AREA_CODE: '40' });
  });

  it('settings: a key that is no setting is refused as invalid, and nothing of the batch is kept', async () => {
    const { settings } = await open();
    await expect(settings.set({ CALLFILTER_HOME_COUNTRY: 'AT', HOME: '/root' })).rejects.toMatchObject({
      name: 'StoreError',
      code: 'invalid',
    });
    expect(await settings.all()).toEqual({});
  });

  it('profiles: upsert, get, list, remove — schedules travel inside the JSON', async () => {
    const { profiles } = await open();
    expect(await profiles.upsert(office)).toEqual(office);
    expect(await profiles.get('office')).toEqual(office);
    await profiles.upsert({ ...office, dids: ['+4930998'] });
    await profiles.upsert({ ...defaultProfile(), name: 'default' });
    expect((await profiles.list()).map((p) => [p.name, p.dids])).toEqual([
      ['default', []],
      ['office', ['+4930998']],
    ]);
    expect((await profiles.get('office'))?.schedules[0]?.name).toBe('office hours');
    expect(await profiles.remove('office')).toBe(true);
    expect(await profiles.remove('office')).toBe(false);
    expect(await profiles.get('office')).toBeUndefined();
    await expect(profiles.upsert({ ...office, name: '' })).rejects.toMatchObject({ code: 'invalid' });
  });
});

describe('PostgreSQL unreachable', () => {
  it('is an io error of the store, saying so', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://callfilter@127.0.0.1:1/callfilter' });
    onTestFinished(() => pool.end());
    await expect(createPostgresSettingsRepository(pool).all()).rejects.toMatchObject({
      name: 'StoreError',
      code: 'io',
      message: expect.stringContaining('PostgreSQL is not reachable'),
    });
  });
});
