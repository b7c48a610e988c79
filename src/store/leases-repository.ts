/**
 * Leases (migration 006): a named lock with an owner and an expiry, shared by every process on the database. Each
 * operation is one statement, so taking a lease is atomic without a transaction around it.
 */
import type { Database } from './database.js';
import { withStoreErrors } from './errors.js';
import type { Lease } from './sources-types.js';

interface LeaseRow {
  name: string;
  owner: string;
  expires_at: number;
  acquired_at: number;
}

export function createLeasesRepository(db: Database) {
  // Taken when free, expired, or already ours (a renewal by another name).
  const take = db.prepare<[{ name: string; owner: string; until: number; now: number }]>(
    `INSERT INTO leases (name, owner, expires_at, acquired_at) VALUES (@name, @owner, @until, @now)
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, acquired_at = excluded.acquired_at
     WHERE leases.expires_at <= @now OR leases.owner = excluded.owner`,
  );
  const extend = db.prepare<[number, string, string]>('UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ?');
  const drop = db.prepare<[string, string]>('DELETE FROM leases WHERE name = ? AND owner = ?');
  const byName = db.prepare<[string], LeaseRow>(
    'SELECT name, owner, expires_at, acquired_at FROM leases WHERE name = ?',
  );

  return withStoreErrors({
    /** Takes the lease until `until` if nobody else holds it at `now`; true when it is ours. */
    async acquire(name: string, owner: string, until: number, now: number): Promise<boolean> {
      return take.run({ name, owner, until, now }).changes > 0;
    },

    /** Moves our lease's expiry; false when it is no longer ours (it expired and someone else took it). */
    async renew(name: string, owner: string, until: number): Promise<boolean> {
      return extend.run(until, name, owner).changes > 0;
    },

    async release(name: string, owner: string): Promise<void> {
      drop.run(name, owner);
    },

    /** Who holds the lease, if anyone has (it may have expired: compare expiresAt with the time). */
    async holder(name: string): Promise<Lease | undefined> {
      const row = byName.get(name);
      return row && { name: row.name, owner: row.owner, expiresAt: row.expires_at, acquiredAt: row.acquired_at };
    },
  });
}

export type LeasesRepository = ReturnType<typeof createLeasesRepository>;
