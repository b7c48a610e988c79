/**
 * What only the numbers module can judge about a numbering config: whether libphonenumber knows the country, whether
 * the area code is one of that country's, whether the internal pattern and the trunk rules can work. The config
 * loader asks at boot (and before storing a setting), so a setting the call path cannot use stops the service with
 * its name and value instead of failing every call open.
 */
import { isSupportedCountry } from 'libphonenumber-js/max';
import { type Coded, coded, render } from '../messages/index.js';
import { homePlan } from './home.js';
import { parsePhone } from './libphonenumber.js';
import { numberType } from './number-type.js';
import type { NumberingConfig, TrunkRule } from './types.js';

/** What is wrong, for the config loader to put beside the setting's name: a message that quotes the value. */
export interface NumberingProblem {
  field: 'homeCountry' | 'homeAreaCode' | 'internalPattern' | 'trunkRules';
  /** With `trunkRules`: which rule, and which of its keys. */
  index?: number;
  key?: keyof TrunkRule;
  problem: Coded;
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

export function countryProblem(country: string): Coded | undefined {
  if (!isSupportedCountry(country.toUpperCase())) return coded('setting.country', { value: country });
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
export function areaCodeProblem(country: string, areaCode: string): Coded | undefined {
  const upper = country.toUpperCase();
  if (countryProblem(upper) !== undefined) return undefined; // the country is the problem; it is named first
  const home = homePlan({ homeCountry: upper, homeAreaCode: areaCode, trunkRules: [] });
  if (home.nationalPrefix === undefined) {
    return coded('setting.area_code_unused', { value: areaCode, country: upper });
  }
  const area = home.areaCode;
  if (area === undefined || !/^\d+$/.test(area)) return coded('setting.area_code_form', { value: areaCode });
  for (let len = 1; home.callingCode.length + area.length + len <= MAX_E164_DIGITS; len++) {
    for (const sample of SUBSCRIBER_SAMPLES) {
      const subscriber = sample.slice(0, len).padEnd(len, '0');
      try {
        const pn = parsePhone(`+${home.callingCode}${area}${subscriber}`, { extract: false });
        const type = numberType(pn);
        if (
          type !== undefined &&
          FIXED_TYPES.has(type) &&
          firstGroup(pn.formatNational(), home.nationalPrefix) === area
        )
          return undefined;
      } catch {
        // not a number at this length; try the next
      }
    }
  }
  return coded('setting.area_code', { value: areaCode, country: upper });
}

function matches(pattern: RegExp, s: string): boolean {
  pattern.lastIndex = 0; // a /g or /y pattern keeps state between test() calls
  return pattern.test(s);
}

export function internalPatternProblem(pattern: RegExp): Coded | undefined {
  if (matches(pattern, '')) return coded('setting.pattern_empty', { value: pattern.source });
  const sample = PUBLIC_SAMPLES.find((s) => matches(pattern, s));
  if (sample !== undefined) return coded('setting.pattern_public', { value: pattern.source, sample });
  return undefined;
}

/** An empty matcher never matches; a rule whose every matcher an earlier rule has is never reached. */
function trunkRuleProblem(rules: readonly TrunkRule[], i: number): NumberingProblem | undefined {
  const rule = rules[i] as TrunkRule;
  const problem = (key: keyof TrunkRule, message: Coded): NumberingProblem => ({
    field: 'trunkRules',
    index: i,
    key,
    problem: message,
  });
  if (rule.context === '') return problem('context', coded('setting.trunk_empty', { value: '' }));
  if (rule.channelPrefix === '') return problem('channelPrefix', coded('setting.trunk_empty', { value: '' }));
  if (rule.stripPrefix !== undefined && !/^\d+$/.test(rule.stripPrefix))
    return problem('stripPrefix', coded('setting.trunk_digits', { value: rule.stripPrefix }));
  const earlier = rules.slice(0, i);
  const contextTaken = rule.context === undefined || earlier.some((r) => r.context === rule.context);
  const channelTaken =
    rule.channelPrefix === undefined ||
    earlier.some((r) => r.channelPrefix !== undefined && rule.channelPrefix?.startsWith(r.channelPrefix));
  if (contextTaken && channelTaken) {
    const key = rule.context !== undefined ? 'context' : 'channelPrefix';
    return problem(key, coded('setting.trunk_unreachable', { value: rule[key] ?? '' }));
  }
  return undefined;
}

/** The first problem of a numbering config, or undefined when the call path can work with it. */
export function numberingProblem(cfg: NumberingConfig): NumberingProblem | undefined {
  const country = countryProblem(cfg.homeCountry);
  if (country !== undefined) return { field: 'homeCountry', problem: country };
  if (cfg.homeAreaCode !== undefined) {
    const area = areaCodeProblem(cfg.homeCountry, cfg.homeAreaCode);
    if (area !== undefined) return { field: 'homeAreaCode', problem: area };
  }
  if (cfg.internalPattern !== undefined) {
    const pattern = internalPatternProblem(cfg.internalPattern);
    if (pattern !== undefined) return { field: 'internalPattern', problem: pattern };
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
  throw new Error(`numbering: ${where}: ${render(p.problem)}`);
}

/** Whether local numbers (sent without area code) exist in the country: only where a trunk prefix marks the others. */
export function hasLocalNumbers(country: string): boolean {
  return (
    countryProblem(country) === undefined &&
    homePlan({ homeCountry: country.toUpperCase(), trunkRules: [] }).nationalPrefix !== undefined
  );
}
