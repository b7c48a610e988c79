/**
 * What only the numbers module can judge about a numbering config: whether libphonenumber knows the country, whether
 * the area code is one of that country's, whether the internal pattern and the trunk rules can work. The config
 * loader asks at boot (and before storing a setting), so a setting the call path cannot use stops the service with
 * its name and value instead of failing every call open.
 */
import { isSupportedCountry, parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { homePlan } from './home.js';
import type { NumberingConfig, TrunkRule } from './types.js';

/** What is wrong, for the config loader to put beside the setting's name. `why` follows the quoted value. */
export interface NumberingProblem {
  field: 'homeCountry' | 'homeAreaCode' | 'internalPattern' | 'trunkRules';
  /** With `trunkRules`: which rule, and which of its keys. */
  index?: number;
  key?: keyof TrunkRule;
  value: string;
  why: string;
}

/** E.164 §6.1: at most 15 digits after the `+`; an area code leaves the rest to the subscriber number. */
const MAX_E164_DIGITS = 15;
/**
 * Subscriber numbers tried behind an area code, cut to each possible length: numbering plans refuse some leading
 * digits (0 and 1 in DE), so one sample is not enough; these cover every leading digit from 2 to 9.
 */
const SUBSCRIBER_SAMPLES = ['2345678', '3456789', '4567890', '5555555', '6123456', '7654321', '8123456', '9876543'];
const FIXED_TYPES: ReadonlySet<string> = new Set(['FIXED_LINE', 'FIXED_LINE_OR_MOBILE']);
/**
 * Ordinary public numbers, as trunks send them: an internal pattern that matches one of them would take such callers
 * for extensions, and extensions are never filtered.
 */
const PUBLIC_SAMPLES = ['0301234567', '01701234567', '+4930123456', '004930123456', '49301234567', '301234567'];

export function countryProblem(country: string): string | undefined {
  if (!isSupportedCountry(country.toUpperCase())) return 'is not a country libphonenumber knows (ISO 3166 code, e.g. DE)';
  return undefined;
}

/** The digits of the first group of the national format: `030 1234567` → `30`, `(212) 555-0143` → `212`. */
function firstGroup(national: string, nationalPrefix: string | undefined): string {
  const digits = (national.trim().split(/\s+/)[0] ?? '').replace(/\D/g, '');
  return nationalPrefix && digits.startsWith(nationalPrefix) ? digits.slice(nationalPrefix.length) : digits;
}

/**
 * An area code is plausible when some valid fixed-line number of the country starts with it and libphonenumber
 * groups it as the area code (`2` is only the start of DE area codes such as 221, so `02 23456` is refused).
 */
export function areaCodeProblem(country: string, areaCode: string): string | undefined {
  const upper = country.toUpperCase();
  if (countryProblem(upper) !== undefined) return undefined; // the country is the problem; it is named first
  const home = homePlan({ homeCountry: upper, homeAreaCode: areaCode, trunkRules: [] });
  if (home.nationalPrefix === undefined) {
    return `is not used in ${upper}: numbers there are always dialled with their area code; leave the area code unset`;
  }
  const area = home.areaCode;
  if (area === undefined || !/^\d+$/.test(area)) return 'is not an area code (digits, e.g. 30)';
  for (let len = 1; home.callingCode.length + area.length + len <= MAX_E164_DIGITS; len++) {
    for (const sample of SUBSCRIBER_SAMPLES) {
      const subscriber = sample.slice(0, len).padEnd(len, '0');
      try {
        const pn = parsePhoneNumberWithError(`+${home.callingCode}${area}${subscriber}`, { extract: false });
        const type = pn.isValid() ? pn.getType() : undefined;
        if (type !== undefined && FIXED_TYPES.has(type) && firstGroup(pn.formatNational(), home.nationalPrefix) === area) return undefined;
      } catch {
        // not a number at this length; try the next
      }
    }
  }
  return `is not an area code in ${upper}`;
}

function matches(pattern: RegExp, s: string): boolean {
  pattern.lastIndex = 0; // a /g or /y pattern keeps state between test() calls
  return pattern.test(s);
}

export function internalPatternProblem(pattern: RegExp): string | undefined {
  if (matches(pattern, '')) return 'matches an empty caller id; anchor it, like ^[1-9][0-9]{1,3}$';
  const sample = PUBLIC_SAMPLES.find((s) => matches(pattern, s));
  if (sample !== undefined) {
    return `matches ordinary phone numbers such as ${JSON.stringify(sample)}, which would never be filtered; anchor it, like ^[1-9][0-9]{1,3}$`;
  }
  return undefined;
}

/** An empty matcher never matches; a rule whose every matcher an earlier rule has is never reached. */
function trunkRuleProblem(rules: readonly TrunkRule[], i: number): NumberingProblem | undefined {
  const rule = rules[i] as TrunkRule;
  const problem = (key: keyof TrunkRule, value: string, why: string): NumberingProblem => ({ field: 'trunkRules', index: i, key, value, why });
  if (rule.context === '') return problem('context', '', 'is empty: the rule would never apply');
  if (rule.channelPrefix === '') return problem('channelPrefix', '', 'is empty: the rule would never apply');
  if (rule.stripPrefix !== undefined && !/^\d+$/.test(rule.stripPrefix)) return problem('stripPrefix', rule.stripPrefix, 'is not digits');
  const earlier = rules.slice(0, i);
  const contextTaken = rule.context === undefined || earlier.some((r) => r.context === rule.context);
  const channelTaken = rule.channelPrefix === undefined || earlier.some((r) => r.channelPrefix !== undefined && rule.channelPrefix?.startsWith(r.channelPrefix));
  if (contextTaken && channelTaken) {
    const key = rule.context !== undefined ? 'context' : 'channelPrefix';
    return problem(key, rule[key] ?? '', 'never applies: an earlier trunk rule matches every call this one would');
  }
  return undefined;
}

/** The first problem of a numbering config, or undefined when the call path can work with it. */
export function numberingProblem(cfg: NumberingConfig): NumberingProblem | undefined {
  const why = countryProblem(cfg.homeCountry);
  if (why !== undefined) return { field: 'homeCountry', value: cfg.homeCountry, why };
  if (cfg.homeAreaCode !== undefined) {
    const area = areaCodeProblem(cfg.homeCountry, cfg.homeAreaCode);
    if (area !== undefined) return { field: 'homeAreaCode', value: cfg.homeAreaCode, why: area };
  }
  if (cfg.internalPattern !== undefined) {
    const pattern = internalPatternProblem(cfg.internalPattern);
    if (pattern !== undefined) return { field: 'internalPattern', value: cfg.internalPattern.source, why: pattern };
  }
  for (let i = 0; i < cfg.trunkRules.length; i++) {
    const rule = trunkRuleProblem(cfg.trunkRules, i);
    if (rule !== undefined) return rule;
  }
  return undefined;
}

/** Throws a clear error for a config the numbers module cannot work with. For code that has no config loader. */
export function assertNumberingConfig(cfg: NumberingConfig): void {
  const p = numberingProblem(cfg);
  if (p === undefined) return;
  const where = p.index === undefined ? p.field : `${p.field}[${p.index}].${p.key}`;
  throw new Error(`numbering: ${where}: ${JSON.stringify(p.value)} ${p.why}`);
}

/** Whether local numbers (sent without area code) exist in the country: only where a trunk prefix marks the others. */
export function hasLocalNumbers(country: string): boolean {
  return countryProblem(country) === undefined && homePlan({ homeCountry: country.toUpperCase(), trunkRules: [] }).nationalPrefix !== undefined;
}
