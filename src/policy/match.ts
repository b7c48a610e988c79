import type { Entry, ListHit, LostBecause, Match, Matches } from './types.js';

/** Above any prefix length: an exact entry beats every prefix (DESIGN.md "Numbers": longest match wins). */
const EXACT = 1000;

/** Sources that make an allow entry a contact (reason `contact` rather than `allowlist`). */
const CONTACT_SOURCES: ReadonlySet<string> = new Set(['vcard', 'fritzbox', 'carddav', 'contacts']);

/** A prefix as stored (`+49301234`); tolerates the display form with a trailing `*`. */
export function prefixDigits(number: string): string {
  return number.endsWith('*') ? number.slice(0, -1) : number;
}

/**
 * How specifically `number` matches the caller: EXACT for an exact entry equal to it, the prefix's length for a
 * prefix it starts with, -1 when it does not match at all (the store should not have returned it, but the policy
 * does not take that on trust). A prefix shorter than `+` and one digit would match everyone: ignored.
 */
export function specificity(number: string, prefix: boolean, e164: string): number {
  if (!prefix) return number === e164 ? EXACT : -1;
  const p = prefixDigits(number);
  return p.length >= 2 && e164.startsWith(p) ? p.length : -1;
}

export function isContact(entry: Entry): boolean {
  return entry.contactId != null || CONTACT_SOURCES.has(entry.source);
}

/** At equal specificity: a VIP allow, then any allow, then block (allow beats block: missing a call is worse). */
function rank(entry: Entry): number {
  if (entry.kind === 'allow') return entry.vip ? 0 : 1;
  return 2;
}

function isExpired(entry: Entry, now: number): boolean {
  // `typeof`: a store that hands back `null` for "no expiry" must not expire the entry (null <= now is true).
  return typeof entry.expiresAt === 'number' && entry.expiresAt <= now;
}

/**
 * The personal entry that decides: most specific first, allow before block at equal specificity, then the oldest
 * (lowest id) so the answer does not depend on the order the store returned them in.
 */
export function bestEntry(entries: readonly Entry[], e164: string, now: number): Entry | undefined {
  let best: Entry | undefined;
  let bestSpec = -1;
  for (const e of entries) {
    if (isExpired(e, now)) continue;
    const spec = specificity(e.number, e.prefix, e164);
    if (spec < 0) continue;
    if (best === undefined || spec > bestSpec || (spec === bestSpec && beats(e, best))) {
      best = e;
      bestSpec = spec;
    }
  }
  return best;
}

function beats(a: Entry, b: Entry): boolean {
  const ra = rank(a);
  const rb = rank(b);
  return ra !== rb ? ra < rb : a.id < b.id;
}

/**
 * The list hit that decides: only hits at or over their list's threshold count; the most specific wins, then the
 * highest score, then the lowest list and entry id (deterministic).
 */
export function bestListHit(hits: readonly ListHit[], e164: string): ListHit | undefined {
  let best: ListHit | undefined;
  let bestSpec = -1;
  for (const h of hits) {
    if (!(h.score >= h.threshold)) continue;
    const spec = specificity(h.number, h.prefix, e164);
    if (spec < 0) continue;
    if (best === undefined || spec > bestSpec || (spec === bestSpec && hitBeats(h, best))) {
      best = h;
      bestSpec = spec;
    }
  }
  return best;
}

function hitBeats(a: ListHit, b: ListHit): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.listId !== b.listId) return a.listId < b.listId;
  return a.entryId < b.entryId;
}

/** Why `loser` (of a kind, specificity) does not decide where `winner` does (both match, the winner ranks first). */
function lostTo(loserSpec: number, winnerSpec: number, loserRank: number, winnerRank: number): LostBecause {
  if (loserSpec < winnerSpec) return winnerSpec === EXACT ? 'exact-beats-prefix' : 'longer-prefix';
  if (loserRank === winnerRank) return 'older-entry';
  return winnerRank === 0 && loserRank === 1 ? 'vip-beats-allow' : 'allow-beats-block';
}

/** A hit's rank at equal specificity, as hitBeats orders them: by score alone (ids only break ties). */
const hitRank = (h: ListHit, winner: ListHit) => (h.score === winner.score ? 0 : 1);

/**
 * Every entry and list hit that matches the caller, in the policy's order: the personal entry that decides (step 2),
 * else the list hit that does (step 3), first; then each other one with why it does not decide. The store may return
 * rows that do not match at all (the policy does not take its word): those are left out.
 */
export function rankMatches(
  found: Matches,
  e164: string,
  now: number,
): { entry?: Entry; hit?: ListHit; matches: Match[] } {
  const entry = bestEntry(found.entries, e164, now);
  const hit = entry === undefined ? bestListHit(found.lists, e164) : undefined;
  const matches: Match[] = [];
  if (entry !== undefined) matches.push({ entry, contact: isContact(entry), wins: true });
  if (hit !== undefined) matches.push({ hit, wins: true });
  const entrySpec = entry === undefined ? -1 : specificity(entry.number, entry.prefix, e164);
  for (const e of found.entries) {
    const spec = specificity(e.number, e.prefix, e164);
    if (e === entry || spec < 0) continue;
    // Without a winner every matching entry has expired (bestEntry takes any other).
    const lost = isExpired(e, now) || entry === undefined ? 'expired' : lostTo(spec, entrySpec, rank(e), rank(entry));
    matches.push({ entry: e, contact: isContact(e), wins: false, lost });
  }
  const hitSpec = hit === undefined ? -1 : specificity(hit.number, hit.prefix, e164);
  for (const h of found.lists) {
    const spec = specificity(h.number, h.prefix, e164);
    if (h === hit || spec < 0) continue;
    let lost: LostBecause;
    if (!(h.score >= h.threshold)) lost = 'below-threshold';
    else if (entry !== undefined || hit === undefined) lost = 'entry-beats-list';
    else lost = spec < hitSpec ? lostTo(spec, hitSpec, 0, 0) : hitRank(h, hit) === 0 ? 'older-entry' : 'higher-score';
    matches.push({ hit: h, wins: false, lost });
  }
  return { ...(entry !== undefined && { entry }), ...(hit !== undefined && { hit }), matches };
}
