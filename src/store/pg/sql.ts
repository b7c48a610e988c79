/** What the PostgreSQL repositories share. */
import type pg from 'pg';

export type Queryable = pg.Pool | pg.ClientBase;

/**
 * One transaction on a connection the caller holds (an import keeps one for its session lock). `onRollbackFailed`
 * hears of a connection that could not even roll back.
 */
export async function transactionOn<T>(
  client: pg.ClientBase,
  fn: () => Promise<T>,
  onRollbackFailed?: () => void,
): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await fn();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => onRollbackFailed?.());
    throw err;
  }
}

/** Runs `fn` in one transaction on one connection of the pool: committed when it resolves, rolled back when not. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    // A connection that cannot even roll back is not handed out again.
    return await transactionOn(
      client,
      () => fn(client),
      () => {
        broken = true;
      },
    );
  } finally {
    client.release(broken);
  }
}

/**
 * SQLite's `?` placeholders as PostgreSQL's `$1, $2, …`, so a statement both engines read alike is written once.
 * A `?` inside a quoted string or identifier stays as it is.
 */
export function dollars(sql: string): string {
  let n = 0;
  let quote: string | undefined;
  let out = '';
  for (const c of sql) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '?') {
      out += `$${++n}`;
      continue;
    }
    out += c;
  }
  return out;
}
