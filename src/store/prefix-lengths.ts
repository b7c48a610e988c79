/**
 * Which keys a caller's lookup probes. A prefix row can only match the leading part of its own length, and a real
 * database holds prefixes of a few lengths only, so a lookup probes the number itself (its exact rows) and just the
 * leading parts whose length some prefix row of that table has — 1 to 3 index probes instead of ~14.
 *
 * The lengths live in `prefix_lengths`, kept by triggers (migrations/003-prefix-lengths.sql). The lookup reads them
 * inside its own query, not from a cache: reading them is one probe of a one-page table; any cache would need a check
 * per call as dear as that (`PRAGMA data_version`, for the CLI's `block` and `import` in other processes) and would
 * lose to this connection's own writes (a call-log row after every call). And one statement is one snapshot: the
 * lengths and the rows are read together, so a prefix committed by anyone matches on the very next call.
 */

/** The tables whose prefix rows are counted (`prefix_lengths.tbl`). */
export type PrefixTable = 'entries' | 'list_entries';

/**
 * A subquery for `number IN (…)`: the leading parts of the number (parameter 1) as long as some prefix row of `table`,
 * up to the longest part asked for (parameter 2: see `longestPart`), and the number itself (parameter 3, the same
 * number: always probed, for its exact rows). The leading parts are cut from the number, so parameter 1 must be the
 * number the caller's parts were cut from.
 */
export function probeKeysSql(table: PrefixTable): string {
  return `SELECT substr(?, 1, len) FROM prefix_lengths WHERE tbl = '${table}' AND len <= ? UNION ALL SELECT ?`;
}

/**
 * How far to look for prefixes: the length of the longest leading part passed (0 for none). The parts are
 * `allPrefixes()` or its first k (every part up to the longest), so the bound says which parts were asked for.
 */
export function longestPart(prefixes: readonly string[]): number {
  let longest = 0;
  for (const part of prefixes) longest = Math.max(longest, part.length);
  return longest;
}
