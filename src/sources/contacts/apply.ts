/**
 * Writing a contact source's answer into the personal entries (fritzbox, carddav, called): as the source's own
 * origin (src/store/origins-repository.ts), so a sync adds and removes only what it brought and never the person's
 * entries; then the conflicts with the other list, as an import reports them (a contact from the box that is also
 * blocked here), kept in the source's state so the status shows them until they are resolved.
 */
import type { AppContext } from '../../context.js';
import { type Conflict, findConflicts } from '../../import/conflicts.js';
import { MANUAL_ORIGIN, type OriginChanges, type OriginSyncResult, type Source } from '../../store/index.js';

/** Conflicts kept in a source's state: enough to name them on the page and in the status. */
export const STATE_CONFLICTS = 10;

export interface ContactsApplied {
  result: OriginSyncResult;
  /** Entries that hold this source's origin now. */
  rows: number;
  conflicts: Conflict[];
  conflictCount: number;
}

/** The origin a source writes under: its name (never the person's). */
export function originOf(source: Source): string {
  if (source.name === MANUAL_ORIGIN)
    throw new Error(`a source may not be named "${MANUAL_ORIGIN}": that name is the person's own entries`);
  return source.name;
}

export async function applyContacts(
  ctx: AppContext,
  source: Source,
  changes: OriginChanges,
  signal: AbortSignal,
): Promise<ContactsApplied> {
  const origin = originOf(source);
  const result = await ctx.store.origins.sync(origin, changes, { signal });
  const held = await ctx.store.origins.list(origin);
  const report = await findConflicts(
    ctx,
    held.map((r) => ({ number: r.number, prefix: r.prefix ?? false, kind: r.kind })),
  );
  return {
    result,
    rows: await ctx.store.origins.count(origin),
    conflicts: report.conflicts,
    conflictCount: report.conflictCount,
  };
}

const n = (x: number) => x.toLocaleString('en');

/** One line for a person: what the sync changed. */
export function appliedText(a: ContactsApplied): string {
  const { result: r } = a;
  const changes =
    r.added + r.changed + r.removed === 0
      ? 'no changes'
      : `${n(r.added)} added, ${n(r.changed)} changed, ${n(r.removed)} removed`;
  const conflicts =
    a.conflictCount === 0
      ? ''
      : `; ${n(a.conflictCount)} ${a.conflictCount === 1 ? 'number is' : 'numbers are'} also on the other list (conflicts)`;
  return `${changes}: ${n(a.rows)} ${a.rows === 1 ? 'entry' : 'entries'}${conflicts}`;
}

/** The state a contact sync keeps besides its own: the conflicts to show. */
export function conflictState(a: ContactsApplied): Record<string, unknown> {
  return { conflictCount: a.conflictCount, conflicts: a.conflicts.slice(0, STATE_CONFLICTS) };
}
