/**
 * A call-log row with what the page needs to say why in plain words ("on your blocklist since 3 May", "called
 * twice within 5 minutes"): the entry that fired (when it was added), the list hit (name, score, threshold), how
 * often the caller had called, and the caller's standing now (so a row shows "blocked" after a click, and names
 * both entries where both lists hold the caller).
 * The sentence itself is built in the browser, in the reader's language.
 */
import { conflictView, type ConflictView } from '../api/national.js';
import type { AppContext } from '../context.js';
import { allPrefixes, displayNumber, nationalNumber } from '../numbers/index.js';
import { judge } from '../imports/conflicts.js';
import { bestEntry, isContact } from '../policy/match.js';
import type { Profile } from '../policy/types.js';
import type { CallRecord } from '../store/index.js';

const MINUTE = 60_000;

export interface CallEntryFacts {
  kind: 'allow' | 'block';
  number: string;
  numberNational: string;
  prefix: boolean;
  label?: string;
  contact: boolean;
  vip: boolean;
  createdAt: number;
  expiresAt?: number;
}

export interface DescribedCall extends CallRecord {
  /** `caller` and `did` as people at home write them (api/national.ts). */
  callerNational?: string;
  didNational?: string;
  /** The personal entry that decided the call, if it still exists. */
  entry?: CallEntryFacts;
  /** The spam list that decided the call, if it still exists (score: the number's score in it now). */
  list?: { name: string; threshold: number; score?: number };
  /** Repeat caller: calls from this number within the window, this one included. */
  repeat?: { calls: number; windowMinutes: number };
  /** The kind of the entry that decides this caller's calls now (exact or prefix), if any. */
  current?: 'allow' | 'block';
  /** Both lists hold the caller: the entry that decides, the one it wins over, and why. */
  both?: ConflictView;
}

function profileOf(ctx: AppContext, name: string | undefined): Profile {
  const { policy } = ctx.config;
  return policy.profiles.find((p) => p.name === name) ?? policy.defaultProfile;
}

export function describeCall(ctx: AppContext, call: CallRecord): DescribedCall {
  const { store } = ctx;
  const numbering = ctx.config.numbering;
  const out: DescribedCall = { ...call };
  if (call.caller !== undefined) out.callerNational = nationalNumber(call.caller, numbering);
  if (call.did !== undefined) out.didNational = nationalNumber(call.did, numbering);
  if (call.entryId !== undefined) {
    const e = store.entries.get(call.entryId);
    if (e) {
      const numberNational = displayNumber(e.number, e.prefix, numbering);
      out.entry = { kind: e.kind, number: e.number, numberNational, prefix: e.prefix, contact: isContact(e), vip: e.vip, createdAt: e.createdAt };
      if (e.label !== undefined) out.entry.label = e.label;
      if (e.expiresAt !== undefined) out.entry.expiresAt = e.expiresAt;
    }
  }
  if (call.listId !== undefined) {
    const list = store.lists.get(call.listId);
    if (list) {
      out.list = { name: list.name, threshold: list.threshold };
      if (call.caller !== undefined) {
        const hit = store.lists.match(call.caller, allPrefixes(call.caller)).find((h) => h.entryId === call.listEntryId || h.listId === call.listId);
        if (hit) out.list.score = hit.score;
      }
    }
  }
  if (call.reason === 'repeat-caller' && call.caller !== undefined) {
    const { windowMinutes } = profileOf(ctx, call.profile).repeatCaller;
    const earlier = store.calls.list({ number: call.caller, from: call.at - windowMinutes * MINUTE, to: call.at, limit: 100 }).items.length;
    out.repeat = { calls: earlier + 1, windowMinutes };
  }
  if (call.caller !== undefined) standing(ctx, call.caller, out);
  return out;
}

/**
 * The caller's standing now, as the policy reads the entries (bestEntry over every entry that matches, exact or
 * prefix): the winner's kind, and where the other list holds the caller too, that conflict — so a row never shows
 * "blocked" for a contact who would ring, or an Allow button for someone who is allowed.
 */
function standing(ctx: AppContext, caller: string, out: DescribedCall): void {
  const now = ctx.clock();
  const matching = ctx.store.entries.match(caller, allPrefixes(caller), { now });
  const winner = bestEntry(matching, caller, now);
  if (!winner) return;
  out.current = winner.kind;
  const rival = bestEntry(
    matching.filter((e) => e.kind !== winner.kind),
    caller,
    now,
  );
  if (rival) out.both = conflictView(judge(winner, rival, now), ctx.config.numbering);
}
