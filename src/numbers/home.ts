import { type CountryCode, isSupportedCountry, Metadata } from 'libphonenumber-js/max';
import type { NumberingConfig } from './types.js';

/** What parsing needs to know about the home country, looked up once per country from libphonenumber's metadata. */
export interface HomePlan {
  country: CountryCode;
  /** `49` for DE. */
  callingCode: string;
  /** The trunk prefix for national numbers (`0` in DE); undefined where there is none (IT, ES…). */
  nationalPrefix: string | undefined;
  /** The international call prefix (`00` in DE, `011` in the US). */
  iddPrefix: string | undefined;
  /** The configured home area code without its trunk prefix (`030` → `30`), or undefined. */
  areaCode: string | undefined;
}

/**
 * The parts of libphonenumber's numbering plan we read. `nationalPrefix()` and `callingCode()` exist at runtime
 * (source/metadata.js) but are missing from the published `NumberingPlan` type.
 */
interface PlanAccess {
  callingCode(): string;
  nationalPrefix(): string | undefined;
  IDDPrefix(): string | undefined;
  defaultIDDPrefix(): string | undefined;
}

// Module-level so calling-code checks allocate nothing; `hasCallingCode` is public at runtime but untyped.
const metadata = new Metadata() as unknown as { hasCallingCode(callingCode: string): boolean | undefined };

const countryPlans = new Map<string, Omit<HomePlan, 'areaCode'>>();
const homes = new WeakMap<NumberingConfig, HomePlan>();

function countryPlan(country: string): Omit<HomePlan, 'areaCode'> {
  let plan = countryPlans.get(country);
  if (plan) return plan;
  if (!isSupportedCountry(country)) {
    throw new Error(
      `numbering: "${country}" is not a country libphonenumber knows (use ISO 3166-1 alpha-2, e.g. "DE")`,
    );
  }
  const m = new Metadata(); // its own instance: selectNumberingPlan() changes the instance's state
  m.selectNumberingPlan(country as CountryCode);
  const p = m.numberingPlan as unknown as PlanAccess;
  plan = {
    country: country as CountryCode,
    callingCode: p.callingCode(),
    nationalPrefix: p.nationalPrefix() || undefined,
    iddPrefix: p.defaultIDDPrefix() ?? p.IDDPrefix() ?? undefined,
  };
  countryPlans.set(country, plan);
  return plan;
}

/**
 * The home plan for a config. Cached per config object (a NumberingConfig is never mutated: a changed setting
 * makes a new one, config/settings.ts).
 * Throws on an unknown country — the config loader refuses one at boot (check.ts) so the first call does not.
 */
export function homePlan(cfg: NumberingConfig): HomePlan {
  let home = homes.get(cfg);
  if (home) return home;
  const plan = countryPlan(cfg.homeCountry.toUpperCase());
  let areaCode = cfg.homeAreaCode?.replace(/\D/g, '') || undefined;
  // People write the area code as they dial it (`030`); the trunk prefix is not part of it.
  if (areaCode && plan.nationalPrefix && areaCode.startsWith(plan.nationalPrefix)) {
    areaCode = areaCode.slice(plan.nationalPrefix.length) || undefined;
  }
  home = { ...plan, areaCode };
  homes.set(cfg, home);
  return home;
}

/** True when `digits` (no `+`) starts with a whole country calling code: `1…`, `44…`, `49…`, `800…`. */
export function startsWithCallingCode(digits: string): boolean {
  // Calling codes are 1–3 digits and none is the start of another, so at most one length can match.
  for (let len = 1; len <= 3 && len <= digits.length; len++) {
    if (metadata.hasCallingCode(digits.slice(0, len))) return true;
  }
  return false;
}
