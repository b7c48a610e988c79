/** A source's status in words for the command line: "41,233 numbers · updated 3 h ago · next in 20 h". */

import { intervalText } from '../sources/schedule.js';
import { STALE_AFTER_MS } from '../sources/status.js';
import type { SyncReport } from '../sources/types.js';
import type { Source, SpamList } from '../store/index.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const n = (x: number) => x.toLocaleString('en');

/** `3 min`, `5 h`, `2 days`. */
export function duration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < HOUR) return `${Math.max(1, Math.round(abs / MINUTE))} min`;
  if (abs < 2 * DAY) return `${Math.round(abs / HOUR)} h`;
  return `${Math.round(abs / DAY)} days`;
}

/** Where a contact source's numbers go: the personal entries, not a list. */
const ENTRY_TARGETS: Partial<Record<Source['kind'], string>> = {
  fritzbox: 'allow entries (phone books), block entries (call-barring list)',
  carddav: 'allow entries',
  called: 'allow entries, trusted for a while',
};

export function sourceLines(source: Source, list: SpamList | undefined, now: number): string[] {
  const target =
    ENTRY_TARGETS[source.kind] ??
    (list ? `list "${list.name}"` : source.listId === undefined ? 'no list' : `list ${source.listId} (gone)`);
  const parts = [
    source.rows === undefined
      ? list
        ? `${n(list.entryCount)} numbers`
        : undefined
      : ENTRY_TARGETS[source.kind]
        ? `${n(source.rows)} entries`
        : `${n(source.rows)} numbers`,
    source.lastSuccessAt === undefined ? 'never synced' : `updated ${duration(now - source.lastSuccessAt)} ago`,
    !source.enabled
      ? 'disabled'
      : source.nextRunAt === undefined
        ? undefined
        : source.nextRunAt <= now
          ? 'next: now'
          : `next in ${duration(source.nextRunAt - now)}`,
    `every ${intervalText(source.schedule.intervalMs)}`,
    source.cursor === undefined || ENTRY_TARGETS[source.kind]
      ? undefined
      : source.kind === 'phoneblock'
        ? `version ${source.cursor}`
        : `ETag ${source.cursor}`,
  ].filter((p): p is string => p !== undefined);
  const stale = source.enabled && now - (source.lastSuccessAt ?? source.createdAt) >= STALE_AFTER_MS ? '  STALE' : '';
  const lines = [`${source.name}  ${source.kind} → ${target}${stale}`, `  ${parts.join(' · ')}`];
  if (typeof source.settings.url === 'string') lines.push(`  ${source.settings.url}`);
  if (source.kind === 'called' && typeof source.settings.host === 'string')
    lines.push(`  AMI ${source.settings.host}:${String(source.settings.port)}`);
  const conflicts = source.state.conflictCount;
  if (typeof conflicts === 'number' && conflicts > 0)
    lines.push(
      `  ${n(conflicts)} ${conflicts === 1 ? 'number is' : 'numbers are'} on the other list too (callfilter list shows the entries; resolve them on the page)`,
    );
  if (source.heldBack)
    lines.push(`  held back: ${source.heldBack} — "callfilter sync ${source.name} --accept" takes it`);
  if (source.lastError) lines.push(`  last error (${source.failures} in a row): ${source.lastError}`);
  return lines;
}

export function reportLine(report: SyncReport): string {
  const word = { synced: 'synced', unchanged: 'unchanged', held: 'HELD BACK', failed: 'FAILED', busy: 'skipped' }[
    report.outcome
  ];
  return `${report.source}: ${word} — ${report.message}`;
}
