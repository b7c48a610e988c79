/**
 * The policy (DESIGN.md "Policy"): a pure function of (call facts, matching entries, recent calls, clock, config)
 * → decision. No I/O, no clock of its own, nothing global changes (STYLE.md rule 4). A decision carries the facts
 * behind it (`because`, `matches`), never a sentence: src/explain puts them into words.
 */
import { type Language, languageFor } from '../config/language.js';
import { spamLabel } from '../messages/ratings.js';
import type { Caller } from '../numbers/types.js';
import { BUILTIN_ACTIONS, DEFAULT_ANNOUNCEMENT, DEFAULT_HANGUP_CAUSE } from './defaults.js';
import { rankMatches } from './match.js';
import { activeSchedules } from './schedule.js';
import type {
  Action,
  Because,
  Decision,
  Entry,
  Grounds,
  ListHit,
  Match,
  Matches,
  PolicyConfig,
  Profile,
  Reason,
  RecentCall,
  Schedule,
  Step,
} from './types.js';

export interface CallFacts {
  caller: Caller;
  /** The called number (DID), normalised; picks the profile. */
  did?: string;
}

const MS_PER_MINUTE = 60_000;

/** Steps whose callers may get through by calling again (DESIGN.md: "a caller of steps 5–7"). */
const REPEAT_STEPS: ReadonlySet<Step> = new Set<Step>(['implausible', 'foreign', 'unknown']);

/** The decision while it is being made. */
interface Draft {
  step: Step;
  action: Action;
  cause: number | undefined;
  announcement: string | undefined;
  reason: Reason;
  label: string | undefined;
  entry: Entry | undefined;
  listHit: ListHit | undefined;
  schedule: string | undefined;
  wouldHave: { action: Action; reason: Reason } | undefined;
  because: Because;
}

/** An entry's or a list's own action, which beats the profile's and the schedule's for its step. */
interface Own {
  action?: Action | undefined;
  cause?: number | undefined;
  announcement?: string | undefined;
}

/** The first profile naming the DID, else the default profile. */
export function selectProfile(did: string | undefined, config: PolicyConfig): Profile {
  if (did !== undefined && did !== '') {
    for (const p of config.profiles) if (p.dids.includes(did)) return p;
  }
  return config.defaultProfile;
}

/**
 * A call through steps 1–7, not yet decided: the policy says here what else it needs — `recentWindowMinutes`, the
 * minutes of this caller's earlier calls the repeat-caller rule would count, or undefined when the rule cannot
 * change the decision (no number to count calls of, the profile has the rule off, or an entry or a list decides
 * first: most callers need no second read). `decideClassified` finishes it, once.
 */
export interface Classified {
  readonly recentWindowMinutes: number | undefined;
  readonly now: number;
  readonly profile: Profile;
  readonly active: Schedule[];
  readonly draft: Draft;
  readonly matches: Match[];
}

export function classifyCall(facts: CallFacts, found: Matches, now: number, config: PolicyConfig): Classified {
  const profile = selectProfile(facts.did, config);
  const active = activeSchedules(profile, now, config.timeZone);
  const { draft, matches } = classify(facts.caller, found, now, profile, active, config);
  const counts = facts.caller.kind === 'number' && profile.repeatCaller.enabled && REPEAT_STEPS.has(draft.step);
  return {
    recentWindowMinutes: counts ? profile.repeatCaller.windowMinutes : undefined,
    now,
    profile,
    active,
    draft,
    matches,
  };
}

/** The decision for a classified call, given the recent calls it asked for (none when it asked for none). */
export function decideClassified(
  classified: Classified,
  recent: readonly RecentCall[],
  config: PolicyConfig,
): Decision {
  const { draft: d, profile, active, matches, now } = classified;
  if (REPEAT_STEPS.has(d.step)) repeatCaller(d, profile, recent, now);
  quietHours(d, active);
  const decision = finish(d, profile.name, matches, languageFor(config.homeCountry, config.language));
  return config.monitor ? monitor(decision) : decision;
}

export function decide(
  facts: CallFacts,
  found: Matches,
  recent: readonly RecentCall[],
  now: number,
  config: PolicyConfig,
): Decision {
  return decideClassified(classifyCall(facts, found, now, config), recent, config);
}

/** Steps 1–7, first match wins. */
function classify(
  caller: Caller,
  found: Matches,
  now: number,
  profile: Profile,
  active: Schedule[],
  config: PolicyConfig,
): { draft: Draft; matches: Match[] } {
  const make = (step: Step, reason: Reason, grounds: Grounds, own?: Own) =>
    draft(step, reason, grounds, profile, active, own);
  const none: Match[] = [];

  if (caller.kind === 'internal')
    return { draft: make('internal', 'internal', { step: 'internal', extension: caller.extension }), matches: none };
  // Only a shown number can match an entry or a list: steps 2 and 3 need an E.164.
  if (caller.kind === 'withheld') return { draft: make('withheld', 'anonymous', { step: 'withheld' }), matches: none };
  // A local number read without the home area code is no E.164: it can match nothing, and is not known.
  if (caller.kind === 'local')
    return { draft: make('unknown', 'unknown', { step: 'local', digits: caller.digits }), matches: none };

  const { entry, hit, matches } = rankMatches(found, caller.e164, now);
  if (entry !== undefined) {
    const contact = matches[0] !== undefined && 'entry' in matches[0] && matches[0].contact;
    const grounds: Grounds = { step: entry.kind, entry, contact };
    const d =
      entry.kind === 'allow'
        ? make('allow', contact ? 'contact' : 'allowlist', grounds, entry)
        : make('block', 'blocklist', grounds, entry);
    d.entry = entry;
    d.label = entry.label;
    return { draft: d, matches };
  }
  if (hit !== undefined) {
    const d = make('list', 'spam-list', { step: 'list', hit }, hit);
    d.listHit = hit;
    d.label = spamLabel(hit.label, hit.listName, languageFor(config.homeCountry, config.language));
    return { draft: d, matches };
  }

  const { e164 } = caller;
  if (!caller.plausible) return { draft: make('implausible', 'implausible', { step: 'implausible', e164 }), matches };
  if (caller.country?.toUpperCase() !== config.homeCountry.toUpperCase()) {
    return {
      draft: make('foreign', 'foreign', {
        step: 'foreign',
        e164,
        ...(caller.country !== undefined && { country: caller.country }),
      }),
      matches,
    };
  }
  return { draft: make('unknown', 'unknown', { step: 'unknown', e164 }), matches };
}

/**
 * The action of a step: the profile's, replaced by the first active schedule that names the step, replaced in turn
 * by the entry's or list's own. An own action without its own cause or announcement borrows the step's when the
 * actions agree; `finish` fills in the defaults otherwise.
 */
function draft(step: Step, reason: Reason, grounds: Grounds, profile: Profile, active: Schedule[], own?: Own): Draft {
  let spec = profile.actions[step] ?? BUILTIN_ACTIONS[step];
  let schedule: string | undefined;
  for (const s of active) {
    const override = s.actions?.[step];
    if (override !== undefined) {
      spec = override;
      schedule = s.name;
      break;
    }
  }
  let { action, cause, announcement } = spec;
  if (own?.action != null) {
    if (own.action !== action) {
      cause = undefined;
      announcement = undefined;
    }
    action = own.action;
    schedule = undefined; // the entry decided, not the schedule
  }
  cause = own?.cause ?? cause;
  announcement = own?.announcement || announcement;
  return {
    step,
    action,
    cause,
    announcement,
    reason,
    label: undefined,
    entry: undefined,
    listHit: undefined,
    schedule,
    wouldHave: undefined,
    because: { grounds, ...(schedule !== undefined && { schedule }) },
  };
}

/** DESIGN.md: someone who calls again within minutes really needs you. Counts earlier calls in [now − window, now). */
function repeatCaller(d: Draft, profile: Profile, recent: readonly RecentCall[], now: number): void {
  const rule = profile.repeatCaller;
  if (!rule.enabled || d.action === 'connect') return;
  const since = now - rule.windowMinutes * MS_PER_MINUTE;
  let calls = 0;
  for (const c of recent) if (c.at >= since && c.at < now) calls++;
  // minCalls below 1 would make every caller a repeat caller.
  if (calls < Math.max(1, rule.minCalls)) return;
  d.wouldHave = { action: d.action, reason: d.reason };
  d.action = 'connect';
  d.reason = 'repeat-caller';
  d.schedule = undefined;
  d.because = { grounds: d.because.grounds, repeat: { calls: calls + 1, windowMinutes: rule.windowMinutes } };
}

/**
 * Quiet hours turn every connect into voicemail — contacts, allow entries, repeat callers, a schedule's own
 * connect — except internal callers (the house) and VIP allow entries.
 */
function quietHours(d: Draft, active: Schedule[]): void {
  if (d.action !== 'connect' || d.step === 'internal' || (d.entry?.kind === 'allow' && d.entry.vip)) return;
  const quiet = active.find((s) => s.quiet === true);
  if (quiet === undefined) return;
  d.wouldHave = { action: 'connect', reason: d.reason };
  d.because = { ...d.because, quiet: { schedule: quiet.name } };
  d.action = 'voicemail';
  d.reason = 'quiet-hours';
  d.schedule = quiet.name;
}

/**
 * The dialplan contract: a cause only with hangup, an announcement only with announce, always one there. The
 * default sound comes with the language to play it in; a sound someone named is played as given, in the channel's.
 */
function finish(d: Draft, profile: string, matches: Match[], language: Language): Decision {
  const out: Decision = { action: d.action, reason: d.reason, profile, because: d.because, matches };
  if (d.action === 'hangup') out.cause = d.cause ?? DEFAULT_HANGUP_CAUSE;
  if (d.action === 'announce') {
    out.announcement = d.announcement || DEFAULT_ANNOUNCEMENT;
    if (!d.announcement) out.announcementLanguage = language;
  }
  if (d.label) out.label = d.label;
  if (d.entry !== undefined) out.entry = d.entry;
  if (d.listHit !== undefined) out.listHit = d.listHit;
  if (d.schedule !== undefined) out.schedule = d.schedule;
  if (d.wouldHave !== undefined) out.wouldHave = d.wouldHave;
  return out;
}

/** DESIGN.md: "decide and log everything, but always connect — to build trust before switching on". */
function monitor(real: Decision): Decision {
  if (real.action === 'connect') return real;
  const { cause: _cause, announcement: _announcement, announcementLanguage: _language, ...rest } = real;
  return {
    ...rest,
    action: 'connect',
    reason: 'monitor',
    wouldHave: { action: real.action, reason: real.reason },
    because: {
      ...real.because,
      monitor: {
        action: real.action,
        ...(real.cause !== undefined && { cause: real.cause }),
        ...(real.announcement !== undefined && { announcement: real.announcement }),
      },
    },
  };
}
