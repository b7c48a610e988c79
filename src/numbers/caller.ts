import { splitAddress } from './address.js';
import { homePlan } from './home.js';
import { isLocalNumber, parseNumber, SEPARATORS } from './parse.js';
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
}

const LEADING_DIGIT = /^[1-9]/;

/**
 * Classifies the raw caller id (`agi_callerid`) of an inbound call. Runs on every call; never throws for any input
 * (only for a config `assertNumberingConfig` would have refused at boot).
 *
 * Order: presentation (restricted wins even over a real number) → no number → internal (`*…`, internalPattern) →
 * trunk rule → number (a short one is a local number in the home area; `local` while that area is unknown).
 */
export function classifyCaller(raw: string, facts: CallerFacts, cfg: NumberingConfig): Caller {
  if (isWithheldPresentation(facts.presentation)) return { kind: 'withheld', raw, why: 'presentation' };

  const address = splitAddress(raw);
  if (isWithheldAddress(address)) return { kind: 'withheld', raw, why: 'no-number' };

  const user = address.user;
  // Feature codes and FRITZ!Box internal numbers (`**610`, `*21#`) start with `*`; no public number does.
  if (user.startsWith('*')) return { kind: 'internal', raw, extension: user };

  const compact = user.replace(SEPARATORS, '');
  if (cfg.internalPattern !== undefined && matchesWhole(cfg.internalPattern, compact)) {
    return { kind: 'internal', raw, extension: compact };
  }

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
  if (rule.format === 'international-bare' && LEADING_DIGIT.test(s)) s = '+' + s;
  return s;
}
