/**
 * The vocabulary of a screening decision, shared by the policy, the store and the AGI handler.
 * These are the values of the dialplan contract (DESIGN.md, "Contract with the dialplan"): renaming one breaks
 * every shipped dialplan, so the dialplan test checks them against `dialplan/`.
 */
import type { Language } from '../config/language.js';

export const ACTIONS = ['connect', 'voicemail', 'hangup', 'announce'] as const;
export type Action = (typeof ACTIONS)[number];

export const REASONS = [
  'internal',
  'contact',
  'allowlist',
  'blocklist',
  'spam-list',
  'anonymous',
  'implausible',
  'foreign',
  'unknown',
  'repeat-caller',
  'quiet-hours',
  'monitor',
  'fail-open',
] as const;
export type Reason = (typeof REASONS)[number];

/** The policy steps whose action is configurable (DESIGN.md "Policy", steps 1–7). */
export const STEPS = ['internal', 'allow', 'block', 'list', 'withheld', 'implausible', 'foreign', 'unknown'] as const;
export type Step = (typeof STEPS)[number];

/** What to do: an action and, where it needs one, its Q.850 cause or announcement. */
export interface ActionSpec {
  action: Action;
  /** Q.850 cause for `hangup` (21 call rejected, 17 user busy, 1 unallocated number). */
  cause?: number;
  /** Sound file for `announce`, as Playback() takes it (no extension). */
  announcement?: string;
}

export type EntryKind = 'allow' | 'block';

/** A personal entry: the user's own allow or block list, contacts included (they are allow entries). */
export interface Entry {
  id: number;
  /** E.164 number (`+4930123456`) or, when `prefix` is true, the leading part of one (`+49301234`). */
  number: string;
  prefix: boolean;
  kind: EntryKind;
  /** Overrides the profile's action for this step (block entries: hangup/announce/voicemail). */
  action?: Action;
  cause?: number;
  announcement?: string;
  label?: string;
  vip: boolean;
  note?: string;
  /** Where it came from: `manual`, `cli`, `api`, `csv`, `vcard`, `fritzbox`, `call-log`… */
  source: string;
  /** Contact the entry belongs to, when it came from an address book. */
  contactId?: number;
  /** Epoch ms; the entry is ignored from then on. */
  expiresAt?: number;
  createdAt: number;
}

/** A hit in an imported call-centre / spam list. */
export interface ListHit {
  listId: number;
  listName: string;
  entryId: number;
  number: string;
  prefix: boolean;
  /** Score or vote count of this number in the list. */
  score: number;
  /** The list's threshold: a hit counts when score >= threshold. */
  threshold: number;
  /** Action the list asks for (overrides the profile's `list` step when set). */
  action?: Action;
  cause?: number;
  announcement?: string;
  label?: string;
  /** Not a row of the list: PhoneBlock answered for this caller on the call path (sources/phoneblock/live.ts). */
  live?: boolean;
}

/** Everything the store found for one caller: personal entries (exact and every matching prefix) and list hits. */
export interface Matches {
  entries: Entry[];
  lists: ListHit[];
}

/** `HH:MM` on the given weekdays (0 = Sunday … 6 = Saturday), in the configured time zone. `to` < `from` spans midnight. */
export interface TimeWindow {
  days: number[];
  from: string;
  to: string;
}

/** A schedule: inside its window, either quiet hours (connect → voicemail unless VIP) or overridden step actions. */
export interface Schedule extends TimeWindow {
  name: string;
  quiet?: boolean;
  actions?: Partial<Record<Step, ActionSpec>>;
}

/** A policy profile. The default profile has no `dids`; a profile with `dids` applies to calls to those numbers. */
export interface Profile {
  name: string;
  /** Called numbers (DIDs, as the dialplan passes them, normalised to E.164 where possible) this profile is for. */
  dids: string[];
  actions: Record<Step, ActionSpec>;
  repeatCaller: {
    enabled: boolean;
    windowMinutes: number;
    /** How many earlier calls within the window make a repeat caller (default 1). */
    minCalls: number;
  };
  schedules: Schedule[];
}

export interface PolicyConfig {
  /** Decide and log, but always connect (reason `monitor`). */
  monitor: boolean;
  /** IANA time zone for schedules, e.g. `Europe/Berlin`. */
  timeZone: string;
  /** ISO 3166-1 alpha-2 of home (`DE`): a caller from another country is `foreign`. Same value as the numbering's. */
  homeCountry: string;
  /**
   * CALLFILTER_LANGUAGE when set: the language of the spam label and the default announcement. Unset, the home
   * country decides (config/language.ts).
   */
  language?: Language;
  /** The default profile (used when no profile names the DID). */
  defaultProfile: Profile;
  profiles: Profile[];
}

/** Recent calls from the same caller, newest first, as the store knows them (for the repeat-caller rule). */
export interface RecentCall {
  at: number;
  action: Action;
  reason: Reason;
}

/** What a sentence about a call needs of a personal entry (and what a logged call keeps of it). */
export type EntryFacts = Pick<Entry, 'id' | 'number' | 'prefix' | 'kind' | 'vip' | 'createdAt'> &
  Partial<Pick<Entry, 'label' | 'expiresAt'>>;

/** What a sentence about a call needs of a list hit. */
export type HitFacts = Pick<ListHit, 'listId' | 'listName' | 'entryId' | 'number' | 'prefix' | 'score' | 'threshold'> &
  Partial<Pick<ListHit, 'label' | 'live'>>;

/**
 * What the step that decided saw: the facts a sentence about the call is made of (src/explain words them). One per
 * policy step; `local` is a short number read while the home area code is unknown (screened as unknown), and
 * `fail-open` the decision made when none could be.
 */
export type Grounds =
  | { step: 'internal'; extension: string }
  | { step: 'withheld' }
  | { step: 'local'; digits: string }
  | { step: 'allow' | 'block'; entry: EntryFacts; contact: boolean }
  | { step: 'list'; hit: HitFacts }
  | { step: 'implausible'; e164: string }
  | { step: 'foreign'; e164: string; country?: string }
  | { step: 'unknown'; e164: string }
  /** No decision could be made (a lookup failed or was late): connected. `error` is for the log, not for people. */
  | { step: 'fail-open'; error: string };

/** Why a call was decided as it was: the step's grounds and every rule that changed the step's action after it. */
export interface Because {
  grounds: Grounds;
  /** The schedule whose action for the step applied (an entry's or list's own action beats it). */
  schedule?: string;
  /** Connected as a repeat caller: this many calls (this one included) within the window. */
  repeat?: { calls: number; windowMinutes: number };
  /** Quiet hours turned a connect into voicemail. */
  quiet?: { schedule: string };
  /** Monitor mode connected a call the policy would have treated otherwise: what it would have done. */
  monitor?: { action: Action; cause?: number; announcement?: string };
}

/**
 * Why a matching entry or list hit did not decide: a more specific one did (exact beats prefix, a longer prefix
 * beats a shorter), at equal specificity an allow entry beat a block entry or a VIP allow entry beat a plain one, an
 * older one did (same kind and specificity), a personal entry did (step 2 before step 3), a list hit with a higher
 * score did, its score is under its list's threshold, or it has expired.
 */
export const LOST_BECAUSE = [
  'exact-beats-prefix',
  'longer-prefix',
  'allow-beats-block',
  'vip-beats-allow',
  'older-entry',
  'entry-beats-list',
  'higher-score',
  'below-threshold',
  'expired',
] as const;
export type LostBecause = (typeof LOST_BECAUSE)[number];

/** The policy steps a decision's grounds name (`Grounds['step']`). */
export const GROUND_STEPS = [
  'internal',
  'withheld',
  'local',
  'allow',
  'block',
  'list',
  'implausible',
  'foreign',
  'unknown',
  'fail-open',
] as const;

/** One entry or list hit that matched the caller, and whether it decided. */
export type Match =
  | { entry: EntryFacts; contact: boolean; wins: boolean; lost?: LostBecause }
  | { hit: HitFacts; wins: boolean; lost?: LostBecause };

export interface Decision {
  action: Action;
  reason: Reason;
  cause?: number;
  announcement?: string;
  /**
   * With the default announcement: the language to play it in (CALLFILTER_LANGUAGE, else the home country's). Absent
   * for a sound someone named, which plays in the channel's language.
   */
  announcementLanguage?: Language;
  /** Human label for the display and the log: a contact's name, `SPAM: call centre`… */
  label?: string;
  /** The personal entry that fired, if one did. */
  entry?: Entry;
  /** The list hit that fired, if one did. */
  listHit?: ListHit;
  /** The profile that applied. */
  profile: string;
  /** The schedule that changed the outcome, if one did. */
  schedule?: string;
  /** When monitor mode or a modifier changed the action: what the step alone would have done. */
  wouldHave?: { action: Action; reason: Reason };
  /** The facts behind it, for src/explain to put into words. */
  because: Because;
  /** Every entry and list hit that matched the caller: the winner first, then the others with why they lost. */
  matches: Match[];
}
