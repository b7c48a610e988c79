import type { AppContext } from '../context.js';
import { normaliseEntry } from '../numbers/index.js';
import { ACTIONS, type Action, type EntryKind } from '../policy/types.js';
import type { NewEntry, StoredEntry } from '../store/types.js';
import { formatTime, parse, parseIntFlag, parseTime, UsageError } from './args.js';
import { showEntryConflicts } from './conflicts.js';
import type { Out } from './main.js';

function entryNumber(ctx: AppContext, positionals: string[], prefixFlag: boolean | undefined): { number: string; prefix: boolean } {
  if (positionals.length === 0) throw new UsageError('a number is required');
  // Let people type `0170 1234567` without quotes.
  let text = positionals.join(' ').trim();
  if (prefixFlag && !text.endsWith('*')) text += '*';
  const n = normaliseEntry(text, ctx.config.numbering);
  if (!n.ok) throw new UsageError(n.error);
  return { number: n.number, prefix: n.prefix };
}

export function showEntry(e: StoredEntry): string {
  const parts = [`#${e.id}`, e.kind.padEnd(5), `${e.number}${e.prefix ? '*' : ''}`];
  if (e.action) parts.push(`→ ${e.action}${e.cause ? ` (cause ${e.cause})` : ''}`);
  if (e.label) parts.push(`"${e.label}"`);
  if (e.vip) parts.push('VIP');
  if (e.expiresAt) parts.push(`until ${formatTime(e.expiresAt)}`);
  if (e.note) parts.push(`— ${e.note}`);
  parts.push(`[${e.source}, ${formatTime(e.createdAt)}]`);
  return parts.join('  ');
}

function addEntry(ctx: AppContext, entry: NewEntry, out: Out): void {
  const existing = ctx.store.entries.findByNumber(entry.number, entry.prefix ?? false, entry.kind)[0];
  if (existing) {
    const updated = ctx.store.entries.update(existing.id, { ...entry, source: existing.source });
    out(`updated ${showEntry(updated as StoredEntry)}`);
    showEntryConflicts(ctx, updated as StoredEntry, out);
    return;
  }
  const created = ctx.store.entries.create(entry);
  out(`added ${showEntry(created)}`);
  showEntryConflicts(ctx, created, out);
}

export function blockCommand(ctx: AppContext, argv: string[], out: Out): void {
  const { values, positionals } = parse(argv, {
    prefix: { type: 'boolean' },
    action: { type: 'string' },
    cause: { type: 'string' },
    label: { type: 'string' },
    note: { type: 'string' },
    expires: { type: 'string' },
  });
  const { number, prefix } = entryNumber(ctx, positionals, values.prefix);
  const action = values.action as Action | undefined;
  if (action !== undefined && (!ACTIONS.includes(action) || action === 'connect')) throw new UsageError(`--action: ${JSON.stringify(action)} is not one of hangup, announce, voicemail`);
  const entry: NewEntry = { number, prefix, kind: 'block', source: 'cli' };
  if (action) entry.action = action;
  const cause = parseIntFlag(values.cause, '--cause', 1, 127);
  if (cause !== undefined) entry.cause = cause;
  if (values.label) entry.label = values.label;
  if (values.note) entry.note = values.note;
  if (values.expires) entry.expiresAt = parseTime(values.expires, ctx.clock(), 1, '--expires');
  addEntry(ctx, entry, out);
}

export function allowCommand(ctx: AppContext, argv: string[], out: Out): void {
  const { values, positionals } = parse(argv, { prefix: { type: 'boolean' }, name: { type: 'string' }, vip: { type: 'boolean' }, note: { type: 'string' } });
  const { number, prefix } = entryNumber(ctx, positionals, values.prefix);
  const entry: NewEntry = { number, prefix, kind: 'allow', source: 'cli', vip: values.vip === true };
  if (values.name) entry.label = values.name;
  if (values.note) entry.note = values.note;
  addEntry(ctx, entry, out);
}

export function unblockCommand(ctx: AppContext, argv: string[], out: Out): void {
  const { values, positionals } = parse(argv, { prefix: { type: 'boolean' } });
  const { number, prefix } = entryNumber(ctx, positionals, values.prefix);
  const found = ctx.store.entries.findByNumber(number, prefix, 'block');
  if (found.length === 0) {
    out(`no block entry for ${number}${prefix ? '*' : ''}`);
    return;
  }
  for (const e of found) {
    ctx.store.entries.remove(e.id);
    out(`removed ${showEntry(e)}`);
  }
}

export function listCommand(ctx: AppContext, argv: string[], out: Out): void {
  const { values } = parse(argv, { kind: { type: 'string' }, search: { type: 'string' }, limit: { type: 'string' } });
  const kind = values.kind as EntryKind | undefined;
  if (kind !== undefined && kind !== 'allow' && kind !== 'block') throw new UsageError(`--kind: ${JSON.stringify(kind)} is not allow or block`);
  const limit = parseIntFlag(values.limit, '--limit', 1, 1000) ?? 100;
  const page = ctx.store.entries.list({ ...(kind && { kind }), ...(values.search && { search: values.search }), limit });
  if (page.items.length === 0) out('no entries');
  for (const e of page.items) out(showEntry(e));
  if (page.nextCursor !== undefined) out(`… more (showing ${limit}; use --limit or --search)`);
}
