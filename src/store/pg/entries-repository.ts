/**
 * Personal allow / block entries on PostgreSQL, behind the same interface as ../entries-repository.ts. Reads run on
 * the pool; every write runs in a transaction of its own with its announcements (entries-operations.ts), so the
 * screening replicas hear of it exactly when it is committed.
 */
import type pg from 'pg';
import type { EntriesRepository } from '../entries-repository.js';
import type { RepositoryOptions } from '../sql.js';
import { createPostgresEntriesOperations } from './entries-operations.js';
import { withPostgresErrors } from './errors.js';
import { inTransaction } from './sql.js';

export function createPostgresEntriesRepository(pool: pg.Pool, options: RepositoryOptions = {}): EntriesRepository {
  const ops = createPostgresEntriesOperations(options);
  return withPostgresErrors<EntriesRepository>({
    create: (input) => inTransaction(pool, (c) => ops.create(c, input)),
    get: (id) => ops.get(pool, id),
    update: (id, patch) => inTransaction(pool, (c) => ops.update(c, id, patch)),
    remove: (id) => inTransaction(pool, (c) => ops.remove(c, id)),
    put: (input) => inTransaction(pool, (c) => ops.put(c, input)),
    findByNumber: (number, prefix, kind) => ops.findByNumber(pool, number, prefix, kind),
    list: (query) => ops.list(pool, query),
    count: (kind) => ops.count(pool, kind),
    bulkInsert: (rows, opts) => inTransaction(pool, (c) => ops.bulkInsert(c, rows, opts)),
    removeExpired: (now) => inTransaction(pool, (c) => ops.removeExpired(c, now)),
    ofKindBetween: (kind, afterId, upToId) => ops.ofKindBetween(pool, kind, afterId, upToId),
    overlapping: (key, now, limit) => ops.overlapping(pool, key, now, limit),
    match: (e164, prefixes, opts) => ops.match(pool, e164, prefixes, opts),
  });
}
