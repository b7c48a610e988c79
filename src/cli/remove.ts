/** `callfilter remove` and `callfilter unblock`: take an entry off the lists, and say so when there is none. */
import type { AppContext } from '../context.js';
import type { EntryKind } from '../policy/types.js';
import { barringFollows } from '../sources/fritzbox/write-barring.js';
import type { StoredEntry } from '../store/types.js';
import { withArticle } from '../text.js';
import { CommandError, kindFlag, parse, parseIntFlag, UsageError } from './args.js';
import { broader, entryNumber, showEntry } from './entries.js';
import type { CliIo, Out } from './main.js';

/** What a person who found nothing to remove needs to know: the entries that do decide this number. */
async function notFound(
  ctx: AppContext,
  target: { number: string; prefix: boolean },
  kind: EntryKind | undefined,
  io: CliIo,
): Promise<CommandError> {
  const lines = [`no ${kind ? `${kind} ` : ''}entry for ${io.number(target.number, target.prefix)}`];
  if (kind !== undefined) {
    const other = (
      await ctx.store.entries.findByNumber(target.number, target.prefix, kind === 'allow' ? 'block' : 'allow')
    )[0];
    if (other) lines.push(`  it has ${withArticle(`${other.kind} entry`)}: ${showEntry(other, io.number)}`);
  }
  for (const k of kind ? [kind] : (['allow', 'block'] as const)) {
    for (const e of await broader(ctx, target, k))
      lines.push(
        `  it is covered by the prefix entry ${showEntry(e, io.number)} (callfilter remove --id ${e.id} removes that)`,
      );
  }
  return new CommandError(lines.join('\n'));
}

async function removeOne(ctx: AppContext, e: StoredEntry, out: Out, io: CliIo): Promise<void> {
  if (!(await ctx.store.entries.remove(e.id))) throw new CommandError(`no entry #${e.id}`);
  out(`removed ${showEntry(e, io.number)}`);
  await barringFollows(ctx, { unblocked: [e] });
}

async function removeByNumber(
  ctx: AppContext,
  positionals: string[],
  prefixFlag: boolean | undefined,
  kind: EntryKind | undefined,
  out: Out,
  io: CliIo,
): Promise<void> {
  const target = entryNumber(ctx, positionals, prefixFlag);
  const found = await ctx.store.entries.findByNumber(target.number, target.prefix, kind);
  if (found.length === 0) throw await notFound(ctx, target, kind, io);
  if (found.length > 1) {
    // Both kinds: guessing could take a contact off the allow list when the block was meant, or the reverse.
    const listed = found.map((e) => `  ${showEntry(e, io.number)}`);
    throw new CommandError(
      [
        `${io.number(target.number, target.prefix)} has an allow and a block entry; say which to remove with --kind allow, --kind block or --id N:`,
        ...listed,
      ].join('\n'),
    );
  }
  return removeOne(ctx, found[0] as StoredEntry, out, io);
}

export async function removeCommand(ctx: AppContext, argv: string[], out: Out, io: CliIo): Promise<void> {
  const { values, positionals } = parse(argv, {
    prefix: { type: 'boolean' },
    kind: { type: 'string' },
    id: { type: 'string' },
  });
  const kind = kindFlag(values.kind);
  if (values.id === undefined) {
    await removeByNumber(ctx, positionals, values.prefix, kind, out, io);
    return;
  }
  if (positionals.length > 0 || values.prefix || kind)
    throw new UsageError('--id names the entry by itself; give no number, --prefix or --kind with it');
  const id = parseIntFlag(values.id, '--id', 1, Number.MAX_SAFE_INTEGER) as number;
  const entry = await ctx.store.entries.get(id);
  if (!entry) throw new CommandError(`no entry #${id}`);
  await removeOne(ctx, entry, out, io);
}

export async function unblockCommand(ctx: AppContext, argv: string[], out: Out, io: CliIo): Promise<void> {
  const { values, positionals } = parse(argv, { prefix: { type: 'boolean' } });
  await removeByNumber(ctx, positionals, values.prefix, 'block', out, io);
}
