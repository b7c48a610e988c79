/** A call-log row as both engines store it: the columns in table order, and how a row maps to a call and back. */
import { packFacts, unpackFacts } from './call-facts.js';
import { conditions } from './sql.js';
import type { CallQuery, CallRecord, NewCall } from './types.js';

/** camelCase field ↔ column, in table order. */
export const FIELDS = [
  ['at', 'at'],
  ['callerRaw', 'caller_raw'],
  ['callerNameRaw', 'caller_name_raw'],
  ['caller', 'caller'],
  ['callerKind', 'caller_kind'],
  ['presentation', 'presentation'],
  ['did', 'did'],
  ['country', 'country'],
  ['action', 'action'],
  ['reason', 'reason'],
  ['cause', 'cause'],
  ['label', 'label'],
  ['entryId', 'entry_id'],
  ['listId', 'list_id'],
  ['listEntryId', 'list_entry_id'],
  ['profile', 'profile'],
  ['uniqueId', 'unique_id'],
  ['channel', 'channel'],
  ['latencyUs', 'latency_us'],
  ['explanation', 'explanation'],
  ['facts', 'facts'],
  ['wouldHaveAction', 'would_have_action'],
  ['wouldHaveReason', 'would_have_reason'],
] as const satisfies readonly (readonly [keyof NewCall, string])[];

/** The written columns, in FIELDS order (what `toParams` binds). */
export const INSERT_COLUMNS = FIELDS.map(([, column]) => column).join(', ');
/** What a read selects: the id, then every written column. */
export const COLUMNS = `id, ${INSERT_COLUMNS}`;
/** One row, its values bound by `toParams` (SQLite's `?`; pg/sql.ts `dollars()` makes them PostgreSQL's). */
export const INSERT_SQL = `INSERT INTO calls (${INSERT_COLUMNS}) VALUES (${FIELDS.map(() => '?').join(', ')})`;

export type CallRow = Record<string, unknown> & { id: number };

export function toCall(row: CallRow): CallRecord {
  const call: Record<string, unknown> = { id: row.id };
  for (const [field, column] of FIELDS) {
    const value = row[column];
    if (value !== null && value !== undefined) call[field] = field === 'facts' ? unpackFacts(value as string) : value;
  }
  return call as unknown as CallRecord;
}

/** Positional parameters in FIELDS order (better-sqlite3 binds these faster than named ones). */
export function toParams(call: NewCall): unknown[] {
  return FIELDS.map(([field]) =>
    field === 'facts'
      ? call.facts === undefined
        ? null
        : packFacts(call.facts)
      : (call[field] ?? (field === 'callerRaw' ? '' : null)),
  );
}

/** The repeat-caller rule's read: calls of one number since a time, newest first, at most a number of them. */
export const RECENT_SQL =
  'SELECT at, action, reason FROM calls WHERE caller = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT ?';
/** How many calls `recent()` gives when not told: what screening asks for. */
export const RECENT_LIMIT = 10;

/**
 * The list's WHERE clause (with `?` placeholders) and its values, for `query`'s filters and, when paging, the time of
 * the cursor row: the rows after it in (at DESC, id DESC) order.
 */
export function listFilter(query: CallQuery, cursorAt?: number): { where: string; params: unknown[] } {
  const { where, params, add } = conditions();
  if (query.action !== undefined) add('action = ?', query.action);
  if (query.reason !== undefined) add('reason = ?', query.reason);
  if (query.number !== undefined) add('caller = ?', query.number);
  if (query.did !== undefined) add('did = ?', query.did);
  if (query.from !== undefined) add('at >= ?', query.from);
  if (query.to !== undefined) add('at < ?', query.to);
  if (query.cursor !== undefined && cursorAt !== undefined)
    add('at <= ? AND (at < ? OR id < ?)', cursorAt, cursorAt, query.cursor);
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}
