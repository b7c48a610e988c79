/**
 * A call-log row as the page shows it: why it was treated so, in the reader's language (src/explain, from the facts
 * the row keeps), and the caller's standing now (so a row shows "blocked" after a click, and names both entries where
 * both lists hold the caller).
 */
import { type ConflictView, conflictView } from '../api/national.js';
import type { AppContext } from '../context.js';
import { explain, explainOthers, type Language, readerOptions } from '../explain/index.js';
import { judge } from '../import/conflicts.js';
import { allPrefixes, nationalNumber } from '../numbers/index.js';
import { bestEntry } from '../policy/match.js';
import type { CallRecord } from '../store/index.js';

export interface DescribedCall extends CallRecord {
  /** Why, in the asked-for language; for a row logged before decisions kept their facts, the English of the log. */
  why?: string;
  /** A sentence per entry or list hit that matched but did not decide. */
  others?: string[];
  /** `caller` and `did` as people at home write them (api/national.ts). */
  callerNational?: string;
  didNational?: string;
  /** The kind of the entry that decides this caller's calls now (exact or prefix), if any. */
  current?: 'allow' | 'block';
  /** Both lists hold the caller: the entry that decides, the one it wins over, and why. */
  both?: ConflictView;
}

/** A call-log row as the page shows it, in `language`. */
export async function describeCall(ctx: AppContext, call: CallRecord, language: Language): Promise<DescribedCall> {
  return (await callDescriber(ctx, call))(language);
}

/**
 * Reads what describing the row takes from the store (the caller's standing) once; the row is then worded in any
 * language at once.
 */
export async function callDescriber(ctx: AppContext, call: CallRecord): Promise<(language: Language) => DescribedCall> {
  const standingNow = call.caller === undefined ? undefined : await standing(ctx, call.caller);
  return (language) => described(ctx, call, language, standingNow);
}

function described(
  ctx: AppContext,
  call: CallRecord,
  language: Language,
  standingNow: Pick<DescribedCall, 'current' | 'both'> | undefined,
): DescribedCall {
  const numbering = ctx.config.numbering;
  const out: DescribedCall = { ...call };
  if (call.caller !== undefined) out.callerNational = nationalNumber(call.caller, numbering);
  if (call.did !== undefined) out.didNational = nationalNumber(call.did, numbering);
  if (call.facts !== undefined) {
    const words = readerOptions(ctx.config, language);
    out.why = explain(call.facts, words);
    const others = explainOthers(call.facts, words);
    if (others.length > 0) out.others = others;
  } else if (call.explanation !== undefined) {
    out.why = call.explanation;
  }
  if (standingNow !== undefined) Object.assign(out, standingNow);
  return out;
}

/**
 * The caller's standing now, as the policy reads the entries (bestEntry over every entry that matches, exact or
 * prefix): the winner's kind, and where the other list holds the caller too, that conflict — so a row never shows
 * "blocked" for a contact who would ring, or an Allow button for someone who is allowed.
 */
async function standing(ctx: AppContext, caller: string): Promise<Pick<DescribedCall, 'current' | 'both'>> {
  const out: Pick<DescribedCall, 'current' | 'both'> = {};
  const now = ctx.clock();
  const matching = await ctx.store.entries.match(caller, allPrefixes(caller), { now });
  const winner = bestEntry(matching, caller, now);
  if (!winner) return out;
  out.current = winner.kind;
  const rival = bestEntry(
    matching.filter((e) => e.kind !== winner.kind),
    caller,
    now,
  );
  if (rival) out.both = conflictView(judge(winner, rival, now), ctx.config.numbering);
  return out;
}
