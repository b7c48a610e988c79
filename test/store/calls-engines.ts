/** The call log on both engines, for the call-log test files: its repository, and plain SQL beside it. */
import type pg from 'pg';
import type { CallsRepository } from '../../src/store/calls-repository.js';
import { createPostgresCallsRepository, type PostgresCallsOptions } from '../../src/store/pg/calls-repository.js';
import { dollars } from '../../src/store/pg/sql.js';
import type { PostgresDatabase } from './engines.js';
import { tempStore } from './helpers.js';

export interface CallsEngine {
  calls: CallsRepository;
  /** A statement with `?` placeholders, run on the database as it is: the rows of a read, none of a write. */
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** PostgreSQL's pool (undefined on SQLite). */
  pool?: pg.Pool;
}

export function callsEngines(
  postgres: PostgresDatabase,
  options: PostgresCallsOptions = {},
): [string, () => Promise<CallsEngine>][] {
  return [
    [
      'SQLite',
      async () => {
        const { store } = tempStore();
        return {
          calls: store.calls,
          async sql(text, params = []) {
            const statement = store.db.handle.prepare(text);
            if (statement.reader) return statement.all(...params) as Record<string, unknown>[];
            statement.run(...params);
            return [];
          },
        };
      },
    ],
    [
      'PostgreSQL',
      async () => {
        const pool = await postgres.fresh();
        return {
          calls: createPostgresCallsRepository(pool, options),
          pool,
          async sql(text, params = []) {
            return (await pool.query(dollars(text), params)).rows;
          },
        };
      },
    ],
  ];
}
