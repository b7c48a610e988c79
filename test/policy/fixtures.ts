/** Builders for the policy tables: small, explicit, no hidden state. */

import type { Caller } from '../../src/numbers/types.js';
import { decide } from '../../src/policy/decide.js';
import { defaultPolicyConfig, defaultProfile } from '../../src/policy/defaults.js';
import type { Decision, Entry, ListHit, PolicyConfig, Profile, RecentCall, Schedule } from '../../src/policy/types.js';

export const MINUTE = 60_000;

/** Wednesday 2026-05-20 12:00 in Berlin (CEST): no quiet hours, office open. */
export const WED_NOON = Date.parse('2026-05-20T10:00:00Z');
/** Wednesday 2026-05-20 23:30 in Berlin: night. */
export const WED_2330 = Date.parse('2026-05-20T21:30:00Z');
/** Wednesday 2026-05-20 19:00 in Berlin: office closed, not yet night. */
export const WED_1900 = Date.parse('2026-05-20T17:00:00Z');
/** Saturday 2026-05-23 12:00 in Berlin: weekend. */
export const SAT_NOON = Date.parse('2026-05-23T10:00:00Z');
/** When the fixture entries were added: 2026-05-03 11:00 in Berlin. */
export const ADDED = Date.parse('2026-05-03T09:00:00Z');

export const TZ = 'Europe/Berlin';
export const BUSINESS_DID = '+4930555000';

export const internal: Caller = { kind: 'internal', raw: '**610', extension: '**610' };
export const withheld: Caller = { kind: 'withheld', raw: 'anonymous', why: 'no-number' };

/** A shown number; `country: null` for one libphonenumber could not place. */
export function num(e164: string, country: string | null = 'DE', plausible = true): Caller {
  return { kind: 'number', raw: e164, e164, ...(country !== null && { country }), plausible };
}

type EntryInput = Partial<Entry> & Pick<Entry, 'id' | 'number' | 'kind'>;
export function entry(e: EntryInput): Entry {
  return { prefix: false, vip: false, source: 'manual', createdAt: ADDED, ...e };
}

type HitInput = Partial<ListHit> & Pick<ListHit, 'entryId' | 'number'>;
export function hit(h: HitInput): ListHit {
  return { listId: 1, listName: 'PhoneBlock', prefix: false, score: 20, threshold: 4, ...h };
}

/** Earlier calls, `minutesAgo` before `now` (fractions allowed). */
export function callsAgo(now: number, ...minutesAgo: number[]): RecentCall[] {
  return minutesAgo.map((m) => ({ at: now - m * MINUTE, action: 'voicemail', reason: 'unknown' }));
}

export const night: Schedule = { name: 'night', days: [0, 1, 2, 3, 4, 5, 6], from: '22:00', to: '07:00', quiet: true };
export const office: Schedule = {
  name: 'office',
  days: [1, 2, 3, 4, 5],
  from: '08:00',
  to: '18:00',
  actions: { unknown: { action: 'connect' }, foreign: { action: 'connect' } },
};

export function profile(name: string, dids: string[], change?: (p: Profile) => void): Profile {
  const p = { ...defaultProfile(), name, dids };
  change?.(p);
  return p;
}

/** The default config in Berlin, with a business profile for BUSINESS_DID (office hours connect unknown callers). */
export function baseConfig(): PolicyConfig {
  return {
    ...defaultPolicyConfig(),
    timeZone: TZ,
    profiles: [profile('business', [BUSINESS_DID], (p) => (p.schedules = [office]))],
  };
}

/** The parts of a decision a table row states; the full entry and list hit are reduced to their ids. */
export function outcome(d: Decision) {
  return {
    action: d.action,
    reason: d.reason,
    cause: d.cause,
    announcement: d.announcement,
    label: d.label,
    entryId: d.entry?.id,
    listEntryId: d.listHit?.entryId,
    profile: d.profile,
    schedule: d.schedule,
    wouldHave: d.wouldHave,
  };
}
export type Outcome = Partial<ReturnType<typeof outcome>> & Pick<Decision, 'action' | 'reason'>;

/** One row of a decision table: the facts, the clock, a config change → what must come out. */
export interface Row {
  name: string;
  caller: Caller;
  entries?: Entry[];
  lists?: ListHit[];
  recent?: RecentCall[];
  /** Defaults to WED_NOON. */
  now?: number;
  did?: string;
  config?: (c: PolicyConfig) => void;
  expect: Outcome;
}

export function decideRow(row: Row): Decision {
  const config = baseConfig();
  row.config?.(config);
  const facts = { caller: row.caller, ...(row.did !== undefined && { did: row.did }) };
  return decide(
    facts,
    { entries: row.entries ?? [], lists: row.lists ?? [] },
    row.recent ?? [],
    row.now ?? WED_NOON,
    config,
  );
}
