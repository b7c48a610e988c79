/**
 * Which keys a caller's lookup probes, on PostgreSQL: the same rule as ../prefix-lengths.ts (the number itself, and
 * its leading parts as long as some prefix row of the table), with prefix_lengths kept by the statement triggers of
 * migrations/pg/003. One statement is one snapshot here too: the lengths and the rows are read together.
 */
import type { PrefixTable } from '../prefix-lengths.js';

export { longestPart, type PrefixTable } from '../prefix-lengths.js';

/**
 * The keys as an array, for `number = ANY (…)`: the leading parts of the number as long as some prefix row of
 * `table`, up to the longest part asked for, and the number itself. `number` and `longest` are the placeholders the
 * statement binds them to (`$1`, `$2`); the leading parts are cut from the number, so it must be the number the
 * caller's parts were cut from.
 *
 * An array rather than `IN (subquery)`: PostgreSQL computes it once and probes the index once per key (a
 * ScalarArrayOp index scan), where a semi-join might read the whole table.
 */
export function probeKeysSql(table: PrefixTable, number: string, longest: string): string {
  return `ARRAY(SELECT substr(${number}::text, 1, len) FROM prefix_lengths WHERE tbl = '${table}' AND len <= ${longest}::integer
    UNION ALL SELECT ${number}::text)`;
}
