import { cleanLabel } from '../labels.js';
import type { CallFacts as PolicyFacts } from '../policy/decide.js';
import type { Decision, EntryFacts, HitFacts, Match } from '../policy/types.js';
import type { CallFacts, NewCall } from '../store/index.js';
import type { CallInput } from './screen-call.js';

/** What a logged call keeps of an entry: what explaining it needs, not the entry's note or source. */
function entryFacts(e: EntryFacts): EntryFacts {
  const out: EntryFacts = {
    id: e.id,
    number: e.number,
    prefix: e.prefix,
    kind: e.kind,
    vip: e.vip,
    createdAt: e.createdAt,
  };
  if (e.label !== undefined) out.label = e.label;
  if (e.expiresAt !== undefined) out.expiresAt = e.expiresAt;
  return out;
}

function hitFacts(h: HitFacts): HitFacts {
  const out: HitFacts = {
    listId: h.listId,
    listName: h.listName,
    entryId: h.entryId,
    number: h.number,
    prefix: h.prefix,
    score: h.score,
    threshold: h.threshold,
  };
  if (h.label !== undefined) out.label = h.label;
  if (h.live) out.live = true;
  return out;
}

/** The decision's facts as the call log keeps them (store/types.ts CallFacts). */
export function factsOf(decision: Decision): CallFacts {
  const g = decision.because.grounds;
  const grounds =
    g.step === 'allow' || g.step === 'block'
      ? { ...g, entry: entryFacts(g.entry) }
      : g.step === 'list'
        ? { ...g, hit: hitFacts(g.hit) }
        : g;
  const matches: Match[] = decision.matches.map((m) =>
    'entry' in m ? { ...m, entry: entryFacts(m.entry) } : { ...m, hit: hitFacts(m.hit) },
  );
  return { because: { ...decision.because, grounds }, matches };
}

/** The call-log row for one decided call; `explanation` is the decision in words (the log line's). */
export function callRow(
  input: CallInput,
  facts: PolicyFacts,
  decision: Decision,
  at: number,
  latencyUs: number,
  explanation: string,
): NewCall {
  const { caller } = facts;
  return {
    at,
    callerRaw: input.callerRaw,
    // The trunk's caller name is the caller's to choose: logged without bidi controls and no longer than a label.
    callerNameRaw: input.callerName === undefined ? undefined : cleanLabel(input.callerName),
    caller: caller.kind === 'number' ? caller.e164 : undefined,
    // The log knows numbers, withheld and internal callers; an unread local number is a number without its E.164.
    callerKind: caller.kind === 'local' ? 'number' : caller.kind,
    presentation: input.presentation,
    did: facts.did ?? input.didRaw,
    country: caller.kind === 'number' ? caller.country : undefined,
    action: decision.action,
    reason: decision.reason,
    cause: decision.cause,
    label: decision.label,
    entryId: decision.entry?.id,
    listId: decision.listHit?.listId,
    // A live answer is no row of the list.
    listEntryId: decision.listHit?.live ? undefined : decision.listHit?.entryId,
    profile: decision.profile,
    uniqueId: input.uniqueId,
    channel: input.channel,
    latencyUs,
    explanation,
    facts: factsOf(decision),
    wouldHaveAction: decision.wouldHave?.action,
    wouldHaveReason: decision.wouldHave?.reason,
  };
}
