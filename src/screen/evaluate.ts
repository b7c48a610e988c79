import type { AppContext } from '../context.js';
import { boundedMemo } from '../memo.js';
import { allPrefixes, classifyCaller, normaliseDid } from '../numbers/index.js';
import type { CallOrigin } from '../numbers/index.js';
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
  /** Where the call comes from, as the dialplan says (second AGI argument); unset is `trunk`. */
  origin?: CallOrigin;
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
const rememberedDids = new WeakMap<NumberingConfig, (raw: string) => string>();

function didOf(raw: string, numbering: NumberingConfig): string {
  let known = rememberedDids.get(numbering);
  if (!known) rememberedDids.set(numbering, (known = boundedMemo(MAX_REMEMBERED_DIDS, (r: string) => normaliseDid(r, numbering))));
  return known(raw);
}

/** `f(value)`, after the value if it is a promise; at once (no microtask, no promise) if it is not. */
function andThen<T, R>(value: T | Promise<T>, f: (v: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/**
 * Normalise, look up and decide — without writing anything. Used by the AGI handler (which then logs the call),
 * by `explain` in the API and the CLI, and by the benchmark. Synchronous when the lookups are (the SQLite store's
 * are): then nothing can make it late, and the handler needs no deadline timer; a promise when a lookup returns one.
 */
export function evaluate(ctx: AppContext, input: CallInput, now: number): Evaluation | Promise<Evaluation> {
  const { numbering, policy } = ctx.config;
  const caller = classifyCaller(input.callerRaw, { presentation: input.presentation, context: input.context, channel: input.channel, origin: input.origin }, numbering);
  const did = input.didRaw ? didOf(input.didRaw, numbering) : undefined;
  const finish = (matches: Matches, recent: RecentCall[]): Evaluation => {
    const decision = decide({ caller, ...(did !== undefined && { did }) }, matches, recent, now, policy);
    return { caller, ...(did !== undefined && { did }), decision };
  };
  if (caller.kind !== 'number') return finish(NO_MATCHES, []);
  const { e164 } = caller;
  const { lookup } = ctx;
  const lookUp = () =>
    andThen(lookup.matches(e164, allPrefixes(e164)), (matches) => {
      // Recent calls only matter to the repeat-caller rule, which only applies when no personal entry and no list
      // decides (policy steps 5–7). Contacts, blocked and spam callers — half the calls — skip that lookup.
      if (bestEntry(matches.entries, e164, now) !== undefined || bestListHit(matches.lists, e164) !== undefined) return finish(matches, []);
      const window = Math.max(policy.defaultProfile.repeatCaller.windowMinutes, ...policy.profiles.map((p) => p.repeatCaller.windowMinutes));
      return andThen(lookup.recent(e164, now - window * MINUTE), (recent) => finish(matches, recent));
    });
  return lookup.snapshot ? lookup.snapshot(lookUp) : lookUp();
}
