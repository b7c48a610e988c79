/**
 * PostgreSQL's flavour of ../prefix-lengths.ts `probeKeysSql`: the keys a caller's lookup of list_entries probes —
 * the number itself and its leading parts as long as some prefix row of the table (prefix_lengths, kept by the
 * triggers of migrations/pg/003). PostgreSQL can name a parameter twice, so the number is bound once; the casts say
 * the parameters' types, which PostgreSQL cannot infer from substr() and a bare SELECT.
 */
import type { PrefixTable } from '../prefix-lengths.js';

/** A subquery for `number IN (…)`; `number` and `longest` are the placeholders ($n) of the number and `longestPart`. */
export function postgresProbeKeysSql(table: PrefixTable, number: string, longest: string): string {
  return `SELECT substr(${number}::text, 1, len) FROM prefix_lengths WHERE tbl = '${table}' AND len <= ${longest}::integer
      UNION ALL SELECT ${number}::text`;
}
