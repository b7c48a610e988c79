import { describe, expect, it } from 'vitest';
import { dollars } from '../../../src/store/pg/sql.js';

describe("dollars(): SQLite's placeholders as PostgreSQL's", () => {
  it('numbers each ? in order, and leaves quoted ones alone', () => {
    expect(dollars('SELECT a FROM t WHERE b = ? AND c IN (?, ?)')).toBe(
      'SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)',
    );
    expect(dollars(`SELECT '?' AS "q?", ? WHERE x <> 'it''s ?'`)).toBe(`SELECT '?' AS "q?", $1 WHERE x <> 'it''s ?'`);
    expect(dollars('SELECT 1')).toBe('SELECT 1');
  });
});
