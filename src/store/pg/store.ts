/**
 * The PostgreSQL engine as a whole (issue 22): the repositories over one pool, behind the same interface as SQLite's,
 * for a node of a cluster that shares one database.
 */
import type pg from 'pg';
import type { Repositories } from '../index.js';

export interface PostgresStore extends Repositories {
  readonly engine: 'postgres';
  pool: pg.Pool;
  /**
   * 'ok', or what keeps a call from being screened and logged as it should be now (PostgreSQL unreachable: calls
   * are decided from the node's copy and their rows wait in the spool).
   */
  health(): Promise<string>;
  /** Ends the node's connections (and its replica's feed); the database stays as it is for the other nodes. */
  close(): Promise<void>;
}
