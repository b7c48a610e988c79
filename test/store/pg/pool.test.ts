/** The PostgreSQL engine's pool against a real server: a node's kept connections outlast a quiet spell. */
import { describe, expect, it, onTestFinished } from 'vitest';
import { postgresPool } from '../../../src/store/pg/pool.js';
import { usePostgresDatabase } from '../engines.js';

const postgres = usePostgresDatabase('pool');

describe('the PostgreSQL pool', () => {
  it('keeps `keepOpen` connections however long they are idle, and closes the others', async () => {
    const url = (await postgres.fresh()).options.connectionString as string;
    const pool = postgresPool(url, { keepOpen: 2, idleMs: 100 });
    onTestFinished(() => pool.end());
    await Promise.all(Array.from({ length: 5 }, () => pool.query('SELECT pg_sleep(0.05)')));
    expect(pool.totalCount).toBe(5);
    await expect.poll(() => pool.totalCount, { timeout: 2_000, interval: 20 }).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 400)); // four idle timeouts later
    expect(pool.totalCount).toBe(2);
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
