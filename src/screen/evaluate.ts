import type { AppContext } from '../context.js';
import { allPrefixes, classifyCaller, normaliseDid } from '../numbers/index.js';
import type { Caller } from '../numbers/types.js';
import { decide } from '../policy/decide.js';
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
 * Normalise, look up and decide — without writing anything. Used by the AGI handler (which then logs the call),
 * by `explain` in the API and the CLI, and by the benchmark.
 */
export async function evaluate(ctx: AppContext, input: CallInput, now: number): Promise<Evaluation> {
  const { numbering, policy } = ctx.config;
  const caller = classifyCaller(input.callerRaw, { presentation: input.presentation, context: input.context, channel: input.channel }, numbering);
  const did = input.didRaw ? normaliseDid(input.didRaw, numbering) : undefined;
  let matches = NO_MATCHES;
  let recent: RecentCall[] = [];
  if (caller.kind === 'number') {
    const prefixes = allPrefixes(caller.e164);
    const window = Math.max(policy.defaultProfile.repeatCaller.windowMinutes, ...policy.profiles.map((p) => p.repeatCaller.windowMinutes));
    // Both lookups start before either is awaited; the store answers synchronously anyway.
    const [m, r] = await Promise.all([ctx.lookup.matches(caller.e164, prefixes), ctx.lookup.recent(caller.e164, now - window * MINUTE)]);
    matches = m;
    recent = r;
  }
  const decision = decide({ caller, ...(did !== undefined && { did }) }, matches, recent, now, policy);
  return { caller, ...(did !== undefined && { did }), decision };
}
