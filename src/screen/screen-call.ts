/**
 * One call, top to bottom: classify the caller, ask the store for its entries and list hits (and, only where the
 * policy says the repeat-caller rule could change the outcome, its recent calls), decide, log the row. Any failure or
 * a late lookup becomes `connect` (fail-open): the filter is never why a real call is lost.
 * The AGI handler (handler.ts) turns the environment into a CallInput and the Screened into channel variables.
 */
import { performance } from 'node:perf_hooks';
import type { AppContext } from '../context.js';
import { explain } from '../explain/index.js';
import { faultKind } from '../faults.js';
import { boundedMemo } from '../memo.js';
import { allPrefixes, type CallOrigin, classifyCaller, normaliseDid } from '../numbers/index.js';
import type { Caller, NumberingConfig } from '../numbers/types.js';
import { type CallFacts, classifyCall, decide, decideClassified, selectProfile } from '../policy/decide.js';
import type { Decision, RecentCall } from '../policy/types.js';
import { callRow } from './call-row.js';
import { failOpenDecision, withDeadline } from './fail-open.js';

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
  /** Where the call comes from, as the dialplan says (the second AGI argument); unset is `trunk`. */
  origin?: CallOrigin;
}

/** A screened call: what came in, what was decided, and the call-log row it is in. */
export interface Screened {
  input: CallInput;
  caller: Caller;
  /** The called number, normalised. */
  did?: string;
  decision: Decision;
  /** The call-log row's id; absent when the row could not be written (the call then failed open). */
  callId?: number;
  /** From the request to the decision, before the row is written. */
  latencyUs: number;
  /** The decision in English: the service's log line, and the log row's `explanation`. */
  explanation: string;
  /** Why the call failed open, if it did. */
  error?: unknown;
}

const MINUTE = 60_000;
const NO_CALLS: RecentCall[] = [];
/** The live PhoneBlock check ends this long before the decision deadline: deciding and answering need the rest. */
export const LIVE_MARGIN_MS = 20;

/**
 * A line has a handful of called numbers, and parsing one costs as much as parsing the caller (~20 µs of
 * libphonenumber per call): remembered per numbering config. The cap only guards against a dialplan passing
 * something new every call.
 */
const MAX_REMEMBERED_DIDS = 256;
const rememberedDids = new WeakMap<NumberingConfig, (raw: string) => string>();

function didOf(raw: string, numbering: NumberingConfig): string {
  let known = rememberedDids.get(numbering);
  if (!known)
    rememberedDids.set(
      numbering,
      (known = boundedMemo(MAX_REMEMBERED_DIDS, (r: string) => normaliseDid(r, numbering))),
    );
  return known(raw);
}

/** The caller and the called number as the policy sees them. Never throws. */
export function callFacts(ctx: AppContext, input: CallInput): CallFacts {
  const { numbering } = ctx.config;
  const caller = classifyCaller(
    input.callerRaw,
    { presentation: input.presentation, context: input.context, channel: input.channel, origin: input.origin },
    numbering,
  );
  return input.didRaw ? { caller, did: didOf(input.didRaw, numbering) } : { caller };
}

/**
 * The decision for these facts at `now`, from the store's lookups — without logging anything. `explain` (API and
 * command line) asks this; screenCall does the same and logs the call. A caller on no entry and no list may be asked
 * about live (CALLFILTER_PHONEBLOCK_LIVE): on the call path until `liveUntil` (performance.now() time); explain only
 * reads what an earlier call's check remembered, and sends nothing.
 */
export async function decideCall(
  ctx: AppContext,
  facts: CallFacts,
  now: number,
  liveUntil?: number,
): Promise<Decision> {
  const { policy } = ctx.config;
  const { caller } = facts;
  if (caller.kind !== 'number') return decide(facts, { entries: [], lists: [] }, [], now, policy);
  let matches = await ctx.store.screening.lookup(caller.e164, allPrefixes(caller.e164));
  const live = ctx.phoneblockLive;
  if (live && matches.entries.length === 0 && matches.lists.length === 0) {
    const budget = liveUntil === undefined ? undefined : liveUntil - performance.now();
    const hit =
      budget === undefined
        ? await live.remembered(caller.e164)
        : budget > 0
          ? await live.check(caller.e164, budget)
          : undefined;
    if (hit) matches = { entries: [], lists: [hit] };
  }
  const classified = classifyCall(facts, matches, now, policy);
  const minutes = classified.recentWindowMinutes;
  const recent =
    minutes === undefined ? NO_CALLS : await ctx.store.screening.recent(caller.e164, now - minutes * MINUTE);
  return decideClassified(classified, recent, policy);
}

export interface ScreenOptions {
  /**
   * Runs once the call is decided and its row queued, before the row is committed: the AGI handler sends the
   * variables that do not need the row id here, and the row meanwhile waits to share its commit with the rows of the
   * calls decided in the same time (group-commit.ts). Must not throw.
   */
  meanwhile?: (decision: Decision) => Promise<void>;
  /** No other call is being screened: commit at once instead of waiting for company. Default true. */
  alone?: boolean;
}

export async function screenCall(ctx: AppContext, input: CallInput, options: ScreenOptions = {}): Promise<Screened> {
  const started = performance.now();
  const at = ctx.clock();
  const facts = callFacts(ctx, input);
  let decision: Decision;
  let error: unknown;
  try {
    const { decisionMs, phoneblock } = ctx.config;
    // Counted from the start of the call, so the live check always ends inside the deadline.
    const liveUntil = started + Math.min(phoneblock.liveMs, decisionMs - LIVE_MARGIN_MS);
    decision = await withDeadline(decideCall(ctx, facts, at, ctx.phoneblockLive ? liveUntil : undefined), decisionMs);
  } catch (err) {
    error = err;
    decision = failOpenDecision(err, selectProfile(facts.did, ctx.config.policy).name);
  }
  const latencyUs = Math.round((performance.now() - started) * 1000);
  const words = { language: 'en', timeZone: ctx.config.policy.timeZone } as const;
  let explanation = explain(decision, words);
  let callId: number | undefined;
  try {
    const row = ctx.store.calls.log(callRow(input, facts, decision, at, latencyUs, explanation), options.alone ?? true);
    await options.meanwhile?.(decision);
    callId = await row.committed();
  } catch (err) {
    // A call that is not in the log was not screened as far as anyone can tell: it fails open, and its fail-open row
    // is tried once (it may be the decided row that could not be written, not the log).
    if (error === undefined) {
      error = err;
      decision = failOpenDecision(err, decision.profile);
      explanation = explain(decision, words);
      callId = await ctx.store.calls
        .log(callRow(input, facts, decision, at, latencyUs, explanation))
        .committed()
        .catch(() => undefined);
    }
  }
  if (error !== undefined) {
    const kind = faultKind(error);
    ctx.faults.inc('errors', { source: 'screen', kind });
    ctx.faults.inc('failOpens', { why: kind });
  }
  return {
    input,
    ...facts,
    decision,
    ...(callId !== undefined && { callId }),
    latencyUs,
    explanation,
    ...(error !== undefined && { error }),
  };
}
