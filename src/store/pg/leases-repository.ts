/**
 * Leases on PostgreSQL: the first repository of the PostgreSQL engine (issue 22), the same statements as the SQLite
 * one (../leases-repository.ts). With the leases table shared by every node, a job that takes its lease before it
 * runs (source syncs, retention, digests) runs on one node of the cluster at a time, and a node that dies hands its
 * lease on when it expires — no advisory lock needed, and none lost with a dropped connection.
 */
import type { LeasesRepository } from '../leases-repository.js';
import { withPostgresErrors } from './errors.js';
import type { Queryable } from './sql.js';

interface LeaseRow {
  name: string;
  owner: string;
  expires_at: string;
  acquired_at: string;
}

export function createPostgresLeasesRepository(db: Queryable): LeasesRepository {
  return withPostgresErrors({
    async acquire(name, owner, until, now) {
      // One statement: taken when free, expired, or already ours — atomic without a transaction around it.
      const r = await db.query(
        `INSERT INTO leases (name, owner, expires_at, acquired_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, acquired_at = excluded.acquired_at
         WHERE leases.expires_at <= $4 OR leases.owner = excluded.owner`,
        [name, owner, until, now],
      );
      return (r.rowCount ?? 0) > 0;
    },

    async renew(name, owner, until) {
      const r = await db.query('UPDATE leases SET expires_at = $1 WHERE name = $2 AND owner = $3', [
        until,
        name,
        owner,
      ]);
      return (r.rowCount ?? 0) > 0;
    },

    async release(name, owner) {
      await db.query('DELETE FROM leases WHERE name = $1 AND owner = $2', [name, owner]);
    },

    async holder(name) {
      const r = await db.query<LeaseRow>('SELECT name, owner, expires_at, acquired_at FROM leases WHERE name = $1', [
        name,
      ]);
      const row = r.rows[0];
      return (
        row && {
          name: row.name,
          owner: row.owner,
          expiresAt: Number(row.expires_at),
          acquiredAt: Number(row.acquired_at),
        }
      );
    },
  });
}
