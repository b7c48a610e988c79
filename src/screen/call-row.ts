import { cleanLabel } from '../labels.js';
import type { NewCall } from '../store/index.js';
import type { CallInput, Evaluation } from './evaluate.js';

/** The call-log row for one decided call. */
export function callRow(input: CallInput, ev: Evaluation, at: number, latencyUs: number): NewCall {
  const { caller, decision } = ev;
  return {
    at,
    callerRaw: input.callerRaw,
    // The trunk's caller name is the caller's to choose: logged without bidi controls and no longer than a label.
    callerNameRaw: input.callerName === undefined ? undefined : cleanLabel(input.callerName),
    caller: caller.kind === 'number' ? caller.e164 : undefined,
    // The log knows numbers, withheld and internal callers; an unread local number is a number without its E.164.
    callerKind: caller.kind === 'local' ? 'number' : caller.kind,
    presentation: input.presentation,
    did: ev.did ?? input.didRaw,
    country: caller.kind === 'number' ? caller.country : undefined,
    action: decision.action,
    reason: decision.reason,
    cause: decision.cause,
    label: decision.label,
    entryId: decision.entry?.id,
    listId: decision.listHit?.listId,
    listEntryId: decision.listHit?.entryId,
    profile: decision.profile,
    uniqueId: input.uniqueId,
    channel: input.channel,
    latencyUs,
    explanation: decision.explanation,
    wouldHaveAction: decision.wouldHave?.action,
    wouldHaveReason: decision.wouldHave?.reason,
  };
}
