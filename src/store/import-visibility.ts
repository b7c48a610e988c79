/**
 * Which entries and contacts exist for everyone but the import writing them (migrations/005). An import's rows carry
 * its id and stay hidden while the import is not 'done': pending (still being written) or failed (being deleted). The
 * switch is one UPDATE of the import's row, so all its rows appear together, in one statement's snapshot.
 *
 * The subquery reads the unfinished imports through a partial index that is empty unless an import runs (named, as
 * the planner would rather scan the whole `imports` table, which keeps a row per import ever made). SQLite evaluates
 * it once per statement, not per row: the call path's lookup pays one probe of an empty index, below what a
 * benchmark of the lookup can tell apart.
 */

/** For a table with an `import_id` column, unqualified (one table in FROM). */
export const VISIBLE =
  "(import_id IS NULL OR import_id NOT IN (SELECT id FROM imports INDEXED BY imports_unfinished WHERE state <> 'done'))";

/** The same on PostgreSQL, which has no INDEXED BY (its planner picks the partial index of migrations/pg/005). */
export const POSTGRES_VISIBLE =
  "(import_id IS NULL OR import_id NOT IN (SELECT id FROM imports WHERE state <> 'done'))";
