/**
 * Leases, the same cases against both engines: SQLite in a data folder and a real PostgreSQL. On PostgreSQL, nodes
 * racing for one lease get it once.
 */
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { LeasesRepository } from '../../../src/store/leases-repository.js';
import { createPostgresLeasesRepository } from '../../../src/store/pg/leases-repository.js';
import { migratePostgres } from '../../../src/store/pg/migrate.js';
import { usePostgres } from '../../helpers/postgres.js';
import { tempStore } from '../helpers.js';

const postgres = usePostgres();

async function postgresPool(): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: postgres.cluster.url(await postgres.cluster.createDatabase('leases')) });
  onTestFinished(() => pool.end());
  await migratePostgres(pool);
  return pool;
}

const engines: [string, () => Promise<LeasesRepository>][] = [
  ['SQLite', async () => tempStore().store.leases],
  ['PostgreSQL', async () => createPostgresLeasesRepository(await postgresPool())],
];

describe.each(engines)('leases on %s', (_, open) => {
  it('one owner at a time: taken when free, refused while held, taken again once expired', async () => {
    const leases = await open();
    expect(await leases.acquire('job:sync', 'node-a', 100, 0)).toBe(true);
    expect(await leases.acquire('job:sync', 'node-b', 150, 50)).toBe(false);
    expect(await leases.holder('job:sync')).toEqual({
      name: 'job:sync',
      owner: 'node-a',
      expiresAt: 100,
      acquiredAt: 0,
    });
    expect(await leases.acquire('job:sync', 'node-a', 160, 60)).toBe(true); // ours: taken again, moved on
    expect(await leases.acquire('job:sync', 'node-b', 300, 170)).toBe(true); // expired at 160
    expect(await leases.holder('job:sync')).toMatchObject({ owner: 'node-b', expiresAt: 300, acquiredAt: 170 });
  });

  it('renews and releases only its own lease', async () => {
    const leases = await open();
    await leases.acquire('job:digest', 'node-a', 100, 0);
    expect(await leases.renew('job:digest', 'node-b', 500)).toBe(false);
    expect(await leases.renew('job:digest', 'node-a', 500)).toBe(true);
    await leases.release('job:digest', 'node-b');
    expect(await leases.holder('job:digest')).toMatchObject({ owner: 'node-a', expiresAt: 500 });
    await leases.release('job:digest', 'node-a');
    expect(await leases.holder('job:digest')).toBeUndefined();
    expect(await leases.acquire('job:digest', 'node-b', 600, 10)).toBe(true);
  });
});

describe('leases on PostgreSQL, shared by nodes', () => {
  it('twenty nodes racing for a free lease: exactly one gets it', async () => {
    const pool = await postgresPool();
    const nodes = Array.from({ length: 20 }, () => createPostgresLeasesRepository(pool));
    const won = await Promise.all(nodes.map((leases, i) => leases.acquire('job:retention', `node-${i}`, 1_000, 0)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = won.indexOf(true);
    expect((await nodes[0]?.holder('job:retention'))?.owner).toBe(`node-${winner}`);
  });
});
