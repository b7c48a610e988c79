/** The PostgreSQL engine's connections: one pool per node, values typed as the SQLite engine gives them. */
import pg from 'pg';

/** bigint columns (ids, epoch milliseconds) as numbers, as SQLite gives them: they stay far below 2^53. */
const TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export interface PoolOptions {
  /** Connections at most (default 10, node-pg's). */
  max?: number;
  /** Shown in pg_stat_activity, so an operator can tell a node's sessions apart. */
  applicationName?: string;
  /**
   * Connections kept open however long they sit idle (default none: an idle one closes after 10 s). A node keeps
   * those its call path uses, so the first call after a quiet spell does not wait for a new session — a connect, a
   * fork on the server, and its statements prepared again.
   */
  keepOpen?: number;
  /** How long an idle connection beyond `keepOpen` stays open (default node-pg's 10 s). */
  idleMs?: number;
}

/**
 * A connect that hangs (a host that vanished, a server still starting) must fail, not hold whoever waits for it —
 * the call log's writer, the poll of recent calls — for as long as the OS would wait.
 */
export const CONNECT_TIMEOUT_MS = 5_000;

export function postgresPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  return new pg.Pool({
    connectionString,
    types: TYPES,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    ...(options.max !== undefined && { max: options.max }),
    ...(options.keepOpen !== undefined && { min: options.keepOpen }),
    ...(options.idleMs !== undefined && { idleTimeoutMillis: options.idleMs }),
    application_name: options.applicationName ?? 'callfilter',
  });
}
