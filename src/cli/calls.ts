import { languageOf } from '../config/language.js';
import type { AppContext } from '../context.js';
import { explain, explainOthers, type Language, readerOptions } from '../explain/index.js';
import { normaliseNumber } from '../numbers/index.js';
import { callFacts, decideCall } from '../screen/screen-call.js';
import type { CallRecord } from '../store/types.js';
import { oneLine } from '../text.js';
import { formatTime, parse, parseIntFlag, parseTime, UsageError } from './args.js';
import type { CliIo, Out, ShowNumber } from './main.js';

/** What would happen if this number called now (or at --at), and why — without logging a call. */
export async function explainCommand(ctx: AppContext, argv: string[], out: Out, io: CliIo): Promise<void> {
  const { values, positionals } = parse(argv, {
    did: { type: 'string' },
    at: { type: 'string' },
    presentation: { type: 'string' },
    internal: { type: 'boolean' },
    lang: { type: 'string' },
  });
  if (positionals.length === 0) throw new UsageError('a number is required (use "anonymous" for a withheld caller)');
  const at = values.at ? parseTime(values.at, ctx.clock(), -1, '--at') : ctx.clock();
  const presentation = parseIntFlag(values.presentation, '--presentation', 0, 255);
  // --internal asks what the dialplan's `internal` origin would get; without it the caller is on the trunk.
  const origin = values.internal ? 'internal' : 'trunk';
  if (values.lang !== undefined && values.lang !== 'de' && values.lang !== 'en')
    throw new UsageError(`--lang: ${JSON.stringify(values.lang)} is not de or en`);
  const language: Language = (values.lang as Language | undefined) ?? languageOf(ctx.config);
  const facts = callFacts(ctx, {
    callerRaw: positionals.join(' '),
    origin,
    ...(presentation !== undefined && { presentation }),
    ...(values.did && { didRaw: values.did }),
  });
  const decision = await decideCall(ctx, facts, at);
  const { caller } = facts;
  out(
    `caller:   ${caller.kind === 'number' ? `${io.number(caller.e164)} (${caller.country ?? 'unknown country'}${caller.type ? `, ${caller.type.toLowerCase().replace(/_/g, ' ')}` : ''}${caller.plausible ? '' : ', implausible'})` : `${caller.kind} (${caller.raw || 'empty'})`}`,
  );
  if (facts.did) out(`called:   ${io.number(facts.did)}`);
  out(`at:       ${formatTime(at)}`);
  out(
    `decision: ${decision.action}${decision.cause ? ` (cause ${decision.cause})` : ''}${decision.announcement ? ` (${decision.announcement})` : ''}`,
  );
  out(`reason:   ${decision.reason}${decision.label ? `  "${oneLine(decision.label)}"` : ''}`);
  out(`profile:  ${decision.profile}${decision.schedule ? `, schedule ${decision.schedule}` : ''}`);
  if (decision.wouldHave) out(`without the modifier: ${decision.wouldHave.action} (${decision.wouldHave.reason})`);
  const words = { ...readerOptions(ctx.config, language), showNumber: (e164: string) => io.number(e164) };
  out(`why:      ${oneLine(explain(decision, words))}`);
  for (const other of explainOthers(decision, words)) out(`also:     ${oneLine(other)}`);
}

function showCall(c: CallRecord, number: ShowNumber): string {
  const who =
    c.caller !== undefined ? number(c.caller) : oneLine(c.callerKind === 'withheld' ? 'withheld' : c.callerRaw);
  // A DID the dialplan passed that is not a number (`s`, an extension) is shown as it came, on one line.
  return [
    `#${c.id}`,
    formatTime(c.at),
    who.padEnd(16),
    `→ ${c.did === undefined ? '?' : oneLine(number(c.did))}`.padEnd(16),
    c.action.padEnd(9),
    c.reason,
    c.label ? `"${oneLine(c.label)}"` : '',
  ]
    .join('  ')
    .trimEnd();
}

export async function callsCommand(ctx: AppContext, argv: string[], out: Out, io: CliIo): Promise<void> {
  const { values } = parse(argv, {
    blocked: { type: 'boolean' },
    since: { type: 'string' },
    number: { type: 'string' },
    limit: { type: 'string' },
  });
  const limit = parseIntFlag(values.limit, '--limit', 1, 1000) ?? 50;
  const from = values.since ? parseTime(values.since, ctx.clock(), -1, '--since') : undefined;
  let number: string | undefined;
  if (values.number) {
    const n = normaliseNumber(values.number, ctx.config.numbering);
    if (!n.ok) throw new UsageError(n.error);
    number = n.e164;
  }
  const query = { limit, ...(from !== undefined && { from }), ...(number && { number }) };
  // "Blocked" is what never rang and never reached voicemail: hang-ups and announcements.
  const calls = values.blocked
    ? [
        ...(await ctx.store.calls.list({ ...query, action: 'hangup' })).items,
        ...(await ctx.store.calls.list({ ...query, action: 'announce' })).items,
      ]
        .sort((a, b) => b.at - a.at || b.id - a.id)
        .slice(0, limit)
    : (await ctx.store.calls.list(query)).items;
  if (calls.length === 0) out('no calls');
  for (const c of calls) out(showCall(c, io.number));
}
