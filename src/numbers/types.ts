/** What a caller is, once the raw AGI caller id has been looked at. */

export type NumberType =
  | 'MOBILE'
  | 'FIXED_LINE'
  | 'FIXED_LINE_OR_MOBILE'
  | 'PREMIUM_RATE'
  | 'TOLL_FREE'
  | 'SHARED_COST'
  | 'VOIP'
  | 'PERSONAL_NUMBER'
  | 'PAGER'
  | 'UAN'
  | 'VOICEMAIL'
  | 'UNKNOWN';

export type Caller =
  /** No number presented: restricted/unavailable presentation, or `anonymous`, `unknown`, empty, no digits. */
  | { kind: 'withheld'; raw: string; why: 'presentation' | 'no-number' }
  /**
   * A local number (sent without its area code, `222222`) while no home area code is known: it cannot be read, and
   * a guessed E.164 (+49222222) would be someone else's number. The policy screens it as unknown, matching nothing.
   */
  | { kind: 'local'; raw: string; digits: string }
  /** A caller from an internal origin (the dialplan says so; `**610`, `100`): never filtered. */
  | { kind: 'internal'; raw: string; extension: string }
  /**
   * A number. `e164` is always set (`+` and digits); `plausible` is false when libphonenumber (max metadata) says
   * it is not a possible AND valid number for its country — wrong length or an unassigned range (spoofing, a robot's
   * made-up number). Then `type` is undefined and `country` may be.
   */
  | {
      kind: 'number';
      raw: string;
      e164: string;
      country?: string;
      type?: NumberType;
      plausible: boolean;
    };

/** Per-trunk fix-ups, keyed by the AGI context or the channel name's prefix (e.g. `PJSIP/sipgate-`). */
export interface TrunkRule {
  /** Matches `agi_context` exactly. */
  context?: string;
  /** Matches when `agi_channel` starts with this. */
  channelPrefix?: string;
  /**
   * How the trunk writes numbers: `international-bare` (sipgate: `49301234567`, country code without `+`/`00`),
   * or `national` / `international` (only to document; the defaults already handle them).
   */
  format: 'international-bare' | 'national' | 'international';
  /** Digits to strip from the front first (a trunk that prefixes a `0` for the outside line, say). */
  stripPrefix?: string;
}

export interface NumberingConfig {
  /** ISO 3166-1 alpha-2, e.g. `DE`. */
  homeCountry: string;
  /** Home area code without the trunk prefix (`30` for Berlin), for local numbers dialled without it. */
  homeAreaCode?: string;
  /**
   * From an internal origin, only callers matching this (e.g. `^[1-9]\d{1,3}$`) or starting with `*` are internal;
   * the others are screened. Unset: every caller from an internal origin is internal. Never applies to a trunk.
   */
  internalPattern?: RegExp;
  trunkRules: TrunkRule[];
}
