import { splitAddress } from './address.js';
import { homePlan } from './home.js';
import { e164FromDigits, isLocalNumber, parseNumber, SEPARATORS } from './parse.js';
import type { Caller, NumberingConfig, TrunkRule } from './types.js';
import { isWithheldAddress, isWithheldPresentation } from './withheld.js';

/** What the AGI request says about the call besides the caller id. */
export interface CallerFacts {
  /** `agi_callingpres`. */
  presentation?: number;
  /** `agi_context`. */
  context?: string;
  /** `agi_channel`, e.g. `PJSIP/sipgate-0000002a`. */
  channel?: string;
  /**
   * Where the call comes from, as the dialplan says (never the caller id: a caller on a trunk writes its own).
   * Unset is `trunk`.
   */
  origin?: CallOrigin;
}

/** `internal`: the dialplan vouches that the call comes from the house's own phones. Anything else is a trunk. */
export type CallOrigin = 'internal' | 'trunk';

const LEADING_DIGIT = /^[1-9]/;

/**
 * Classifies the raw caller id (`agi_callerid`) of an inbound call. Runs on every call; never throws for any input
 * (only for a config `assertNumberingConfig` would have refused at boot).
 *
 * Order: presentation (restricted wins even over a real number) → no number → internal (internal origin only) →
 * `*` in the number → trunk rule → number (a short one is a local number in the home area; `local` while that area
 * is unknown).
 */
export function classifyCaller(raw: string, facts: CallerFacts, cfg: NumberingConfig): Caller {
  if (isWithheldPresentation(facts.presentation)) return { kind: 'withheld', raw, why: 'presentation' };

  const address = splitAddress(raw);
  if (isWithheldAddress(address)) return { kind: 'withheld', raw, why: 'no-number' };

  const user = address.user;
  const compact = user.replace(SEPARATORS, '');
  if (facts.origin === 'internal' && isExtension(user, compact, cfg))
    return { kind: 'internal', raw, extension: user.startsWith('*') ? user : compact };
  // No public number holds a `*` (feature codes, FRITZ!Box internal numbers): from a trunk it is a caller writing its
  // own caller id. Not a possible number, whatever a libphonenumber release makes of it: implausible, with its digits
  // as the E.164 form — what the call log stores and a block entry or prefix matches.
  if (user.includes('*'))
    return { kind: 'number', raw, e164: e164FromDigits(compact, homePlan(cfg)), plausible: false };

  const rule = trunkRuleFor(cfg.trunkRules, facts);
  const text = rule === undefined ? user : applyTrunkRule(rule, compact);
  const home = homePlan(cfg);
  if (home.areaCode === undefined) {
    // Without the home area code a local number cannot be read; libphonenumber would make it a national one.
    const digits = text.replace(SEPARATORS, '');
    if (isLocalNumber(digits, home)) return { kind: 'local', raw, digits };
  }
  const n = parseNumber(text, cfg, { local: true });
  const caller: Caller = { kind: 'number', raw, e164: n.e164, plausible: n.plausible };
  if (n.country !== undefined) caller.country = n.country;
  if (n.type !== undefined) caller.type = n.type;
  return caller;
}

/**
 * Which callers an internal origin vouches for: every one, or with internalPattern only those matching it — plus
 * `*…` numbers (FRITZ!Box internal numbers `**610`, feature codes), which no public number looks like. The pattern
 * can only narrow what the dialplan says, never make a trunk caller internal.
 */
function isExtension(user: string, compact: string, cfg: NumberingConfig): boolean {
  return cfg.internalPattern === undefined || user.startsWith('*') || matchesWhole(cfg.internalPattern, compact);
}

function matchesWhole(pattern: RegExp, s: string): boolean {
  pattern.lastIndex = 0; // a /g or /y pattern keeps state between test() calls
  return pattern.test(s);
}

/** The first rule whose `context` equals the AGI context or whose `channelPrefix` starts the channel name. */
export function trunkRuleFor(rules: readonly TrunkRule[], facts: CallerFacts): TrunkRule | undefined {
  for (const rule of rules) {
    if (rule.context !== undefined && rule.context === facts.context) return rule;
    if (rule.channelPrefix && facts.channel?.startsWith(rule.channelPrefix)) return rule;
  }
  return undefined;
}

/**
 * Strips the rule's prefix, then for `international-bare` trunks (sipgate: `49301234567`) puts the `+` back. A
 * number that starts with `0` or `+` is already in a form the default parsing handles, so it is left alone.
 */
export function applyTrunkRule(rule: TrunkRule, compact: string): string {
  let s = compact;
  if (rule.stripPrefix && s.startsWith(rule.stripPrefix)) s = s.slice(rule.stripPrefix.length);
  if (rule.format === 'international-bare' && LEADING_DIGIT.test(s)) s = `+${s}`;
  return s;
}
