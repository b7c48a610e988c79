import type { AppContext } from '../context.js';
import { allPrefixes, implausibility, normaliseEntry } from '../numbers/index.js';
import { ACTIONS, type Action, type EntryKind } from '../policy/types.js';
import { barringFollows } from '../sources/fritzbox/write-barring.js';
import type { NewEntry, StoredEntry } from '../store/types.js';
import { oneLine } from '../text.js';
import { formatTime, parse, parseIntFlag, parseTime, UsageError } from './args.js';
import { showEntryConflicts } from './conflicts.js';
import type { CliIo, Out, ShowNumber } from './main.js';

/**
 * The number or prefix of an entry. An exact number to add must be plausible unless `short` says it is
 * deliberately short (a service number); looking one up to remove it takes whatever is stored.
 */
export function entryNumber(
  ctx: AppContext,
  positionals: string[],
  prefixFlag: boolean | undefined,
  check?: { short: boolean },
): { number: string; prefix: boolean } {
  if (positionals.length === 0) throw new UsageError('a number is required');
  // Let people type `0170 1234567` without quotes.
  let text = positionals.join(' ').trim();
  if (prefixFlag && !text.endsWith('*')) text += '*';
  const n = normaliseEntry(text, ctx.config.numbering);
  if (!n.ok) throw new UsageError(n.error);
  const why = check === undefined || check.short || n.prefix ? undefined : implausibility(n.number);
  if (why !== undefined)
    throw new UsageError(
      `${JSON.stringify(text)} is not a plausible phone number: ${why}; for a deliberately short number (a service number) add --short`,
    );
  return { number: n.number, prefix: n.prefix };
}

export function showEntry(e: StoredEntry, number: ShowNumber): string {
  const parts = [`#${e.id}`, e.kind.padEnd(5), number(e.number, e.prefix)];
  if (e.action) parts.push(`→ ${e.action}${e.cause ? ` (cause ${e.cause})` : ''}`);
  if (e.label) parts.push(`"${oneLine(e.label)}"`);
  if (e.vip) parts.push('VIP');
  if (e.expiresAt) parts.push(`until ${formatTime(e.expiresAt)}`);
  if (e.note) parts.push(`— ${oneLine(e.note)}`);
  parts.push(`[${e.source}, ${formatTime(e.createdAt)}]`);
  return parts.join('  ');
}

/** Prefix entries of `kind` that cover `e` and are less specific: `e` beats them where they overlap. */
export async function broader(
  ctx: AppContext,
  e: { number: string; prefix: boolean },
  kind: EntryKind,
): Promise<StoredEntry[]> {
  const covering = await ctx.store.entries.match(e.number, allPrefixes(e.number), { now: ctx.clock() });
  return covering.filter((o) => o.kind === kind && o.prefix && (e.prefix ? o.number.length < e.number.length : true));
}

/**
 * Adds or updates the entry and removes the entry of the other kind for the same number or prefix (entries.put) —
 * the last word wins, as "block this caller" / "allow this caller" do in the API, and says so.
 */
async function addEntry(ctx: AppContext, entry: NewEntry, out: Out, io: CliIo): Promise<void> {
  const { entry: saved, created, removed } = await ctx.store.entries.put(entry);
  // What the person changed is theirs: a sync that drops the number no longer removes the entry.
  if (!created) await ctx.store.origins.claim(saved.id);
  await barringFollows(ctx, { ...(entry.kind === 'block' && { blocked: saved }), unblocked: removed });
  out(`${created ? 'added' : 'updated'} ${showEntry(saved, io.number)}`);
  for (const e of removed)
    out(`removed ${showEntry(e, io.number)}  (the ${entry.kind} entry replaces it: the last word wins)`);
  await showEntryConflicts(ctx, saved, out, io.number);
}

export async function blockCommand(ctx: AppContext, argv: string[], out: Out, io: CliIo): Promise<void> {
  const { values, positionals } = parse(argv, {
    prefix: { type: 'boolean' },
    short: { type: 'boolean' },
    action: { type: 'string' },
    cause: { type: 'string' },
    label: { type: 'string' },
    note: { type: 'string' },
    expires: { type: 'string' },
  });
  const { number, prefix } = entryNumber(ctx, positionals, values.prefix, { short: values.short === true });
  const action = values.action as Action | undefined;
  if (action !== undefined && (!ACTIONS.includes(action) || action === 'connect'))
    throw new UsageError(`--action: ${JSON.stringify(action)} is not one of hangup, announce, voicemail`);
  const entry: NewEntry = { number, prefix, kind: 'block', source: 'cli' };
  if (action) entry.action = action;
  const cause = parseIntFlag(values.cause, '--cause', 1, 127);
  if (cause !== undefined) entry.cause = cause;
  if (values.label) entry.label = values.label;
  if (values.note) entry.note = values.note;
  if (values.expires) entry.expiresAt = parseTime(values.expires, ctx.clock(), 1, '--expires');
  await addEntry(ctx, entry, out, io);
}

export async function allowCommand(ctx: AppContext, argv: string[], out: Out, io: CliIo): Promise<void> {
  const { values, positionals } = parse(argv, {
    prefix: { type: 'boolean' },
    short: { type: 'boolean' },
    name: { type: 'string' },
    vip: { type: 'boolean' },
    note: { type: 'string' },
  });
  const { number, prefix } = entryNumber(ctx, positionals, values.prefix, { short: values.short === true });
  const entry: NewEntry = { number, prefix, kind: 'allow', source: 'cli', vip: values.vip === true };
  if (values.name) entry.label = values.name;
  if (values.note) entry.note = values.note;
  await addEntry(ctx, entry, out, io);
}

export async function listCommand(ctx: AppContext, argv: string[], out: Out, io: CliIo): Promise<void> {
  const { values } = parse(argv, { kind: { type: 'string' }, search: { type: 'string' }, limit: { type: 'string' } });
  const kind = values.kind as EntryKind | undefined;
  if (kind !== undefined && kind !== 'allow' && kind !== 'block')
    throw new UsageError(`--kind: ${JSON.stringify(kind)} is not allow or block`);
  const limit = parseIntFlag(values.limit, '--limit', 1, 1000) ?? 100;
  const page = await ctx.store.entries.list({
    ...(kind && { kind }),
    ...(values.search && { search: values.search }),
    limit,
  });
  if (page.items.length === 0) out('no entries');
  for (const e of page.items) out(showEntry(e, io.number));
  if (page.nextCursor !== undefined) out(`… more (showing ${limit}; use --limit or --search)`);
}
