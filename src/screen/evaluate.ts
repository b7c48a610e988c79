import type { AppContext } from '../context.js';
import { allPrefixes, classifyCaller, normaliseDid } from '../numbers/index.js';
import type { Caller, NumberingConfig } from '../numbers/types.js';
import { decide } from '../policy/decide.js';
import { bestEntry, bestListHit } from '../policy/match.js';
import type { Decision, Matches, RecentCall } from '../policy/types.js';

/** What Asterisk told us about the call, as far as screening cares. */
export interface CallInput {
  callerRaw: string;
  callerName?: string;
  presentation?: number;
  /** Called number as the dialplan passed it (first AGI argument), or agi_dnid/agi_extension. */
  didRaw?: string;
  context?: string;
  channel?: string;
  uniqueId?: string;
}

export interface Evaluation {
  caller: Caller;
  did?: string;
  decision: Decision;
}

const MINUTE = 60_000;
const NO_MATCHES: Matches = { entries: [], lists: [] };

/**
 * A line has a handful of called numbers, and parsing one costs as much as parsing the caller (~20 µs of
 * libphonenumber per call): remember them, per numbering config (normaliseDid depends on nothing else). The cap only
 * guards against a dialplan passing something new every call.
 */
const MAX_REMEMBERED_DIDS = 256;
const rememberedDids = new WeakMap<NumberingConfig, Map<string, string>>();

function didOf(raw: string, numbering: NumberingConfig): string {
  let known = rememberedDids.get(numbering);
  if (!known) rememberedDids.set(numbering, (known = new Map()));
  let did = known.get(raw);
  if (did === undefined) {
    did = normaliseDid(raw, numbering);
    if (known.size >= MAX_REMEMBERED_DIDS) known.clear();
    known.set(raw, did);
  }
  return did;
}

/**
 * Normalise, look up and decide — without writing anything. Used by the AGI handler (which then logs the call),
 * by `explain` in the API and the CLI, and by the benchmark.
 */
export async function evaluate(ctx: AppContext, input: CallInput, now: number): Promise<Evaluation> {
  const { numbering, policy } = ctx.config;
  const caller = classifyCaller(input.callerRaw, { presentation: input.presentation, context: input.context, channel: input.channel }, numbering);
  const did = input.didRaw ? didOf(input.didRaw, numbering) : undefined;
  let matches = NO_MATCHES;
  let recent: RecentCall[] = [];
  if (caller.kind === 'number') {
    matches = await ctx.lookup.matches(caller.e164, allPrefixes(caller.e164));
    // Recent calls only matter to the repeat-caller rule, which only applies when no personal entry and no list
    // decides (policy steps 5–7). Contacts, blocked and spam callers — half the calls — skip that lookup.
    if (bestEntry(matches.entries, caller.e164, now) === undefined && bestListHit(matches.lists, caller.e164) === undefined) {
      const window = Math.max(policy.defaultProfile.repeatCaller.windowMinutes, ...policy.profiles.map((p) => p.repeatCaller.windowMinutes));
      recent = await ctx.lookup.recent(caller.e164, now - window * MINUTE);
    }
  }
  const decision = decide({ caller, ...(did !== undefined && { did }) }, matches, recent, now, policy);
  return { caller, ...(did !== undefined && { did }), decision };
}
