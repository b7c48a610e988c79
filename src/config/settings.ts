/**
 * Settings a person may keep in the database instead of the environment (`callfilter setup`, the web page's setup
 * form): the home country and area code, which a new installation cannot guess and `npm start` never asks for.
 * Precedence: environment, then the config file, then the database, then the built-in default. Every value is
 * checked by the env table's rules and by the numbers module before it is used or stored.
 */

import type { Coded } from '../messages/index.js';
import { areaCodeProblem, countryProblem, hasLocalNumbers } from '../numbers/index.js';
import type { NumberingConfig } from '../numbers/types.js';
import type { PolicyConfig } from '../policy/types.js';
import { ConfigError, parseEnvValue } from './env.js';
import { ENV_VARS, type EnvKey, type EnvVar } from './env-schema.js';

export const STORED_KEYS = [
  'CALLFILTER_HOME_COUNTRY',
  'CALLFILTER_HOME_AREA_CODE',
] as const satisfies readonly EnvKey[];
export type StoredKey = (typeof STORED_KEYS)[number];

/** Where the value in force comes from; `unset`: nowhere, and there is no default. */
export type SettingSource = 'env' | 'file' | 'database' | 'default' | 'unset';

export interface SettingInForce {
  key: StoredKey;
  value?: string;
  source: SettingSource;
  /** What the database holds for the key, when it holds something (whether or not it is in force). */
  stored?: string;
  /** How messages name the value: the variable, or the config file's path and key. */
  label: string;
}
export type SettingsInForce = Record<StoredKey, SettingInForce>;

/** Values the environment or the config file set: they win over the database. */
export type FixedSettings = Partial<Record<StoredKey, { value: string; source: 'env' | 'file'; label: string }>>;

/** The stored settings table as the store offers it (store/settings-repository.ts). */
export interface SettingsTable {
  all(): Promise<Record<string, string>>;
  /** Writes the values, and removes the keys given as null, in one transaction. */
  set(changes: Record<string, string | null>): Promise<void>;
}

export const isStoredKey = (key: string): key is StoredKey => (STORED_KEYS as readonly string[]).includes(key);
export const databaseLabel = (key: StoredKey) => `${key} (database)`;

function defaultOf(key: StoredKey): string | undefined {
  return (ENV_VARS as readonly EnvVar[]).find((v) => v.key === key)?.default;
}

/** The database's raw values for the stored keys, checked by the env table's rules. Throws ConfigError. */
export function parseStored(
  raw: Record<string, string>,
  labelOf: (key: StoredKey) => string = databaseLabel,
): Partial<Record<StoredKey, string>> {
  const out: Partial<Record<StoredKey, string>> = {};
  for (const key of STORED_KEYS) {
    const value = raw[key];
    if (value !== undefined && value.trim() !== '') out[key] = String(parseEnvValue(key, value, labelOf(key)));
  }
  return out;
}

export function resolveSettings(fixed: FixedSettings, stored: Partial<Record<StoredKey, string>>): SettingsInForce {
  const one = (key: StoredKey): SettingInForce => {
    const s: SettingInForce = { key, source: 'unset', label: key };
    const inDb = stored[key];
    if (inDb !== undefined) s.stored = inDb;
    const set = fixed[key];
    const def = defaultOf(key);
    if (set !== undefined) Object.assign(s, { value: set.value, source: set.source, label: set.label });
    else if (inDb !== undefined) Object.assign(s, { value: inDb, source: 'database', label: databaseLabel(key) });
    else if (def !== undefined) Object.assign(s, { value: String(parseEnvValue(key, def)), source: 'default' });
    return s;
  };
  return {
    CALLFILTER_HOME_COUNTRY: one('CALLFILTER_HOME_COUNTRY'),
    CALLFILTER_HOME_AREA_CODE: one('CALLFILTER_HOME_AREA_CODE'),
  };
}

function refuse(label: string, problem: Coded | undefined): void {
  if (problem !== undefined) throw ConfigError.of(label, problem);
}

/**
 * What only the numbers module knows about the values in force: a country libphonenumber has, and an area code of
 * that country. Throws ConfigError naming the value by `labelOf` (default: where it came from).
 */
export function checkSettings(s: SettingsInForce, labelOf: (key: StoredKey) => string = (key) => s[key].label): void {
  const country = s.CALLFILTER_HOME_COUNTRY.value ?? '';
  refuse(labelOf('CALLFILTER_HOME_COUNTRY'), countryProblem(country));
  const area = s.CALLFILTER_HOME_AREA_CODE.value;
  if (area !== undefined) refuse(labelOf('CALLFILTER_HOME_AREA_CODE'), areaCodeProblem(country, area));
}

/**
 * Checks the changes (an empty value removes the stored one) with everything else that will be in force, and stores
 * them. A value the environment or the config file overrides is checked too (against the country in force): it is
 * used once that goes. `labelOf` names a changed value in messages (`--area-code`, `body/areaCode`). Throws
 * ConfigError and then stores nothing.
 */
export async function storeSettings(
  table: SettingsTable,
  fixed: FixedSettings,
  changes: Partial<Record<StoredKey, string>>,
  labelOf: (key: StoredKey) => string,
): Promise<void> {
  const next: Record<string, string | null> = {};
  for (const key of STORED_KEYS) {
    const raw = changes[key];
    if (raw !== undefined) next[key] = raw.trim() === '' ? null : String(parseEnvValue(key, raw, labelOf(key)));
  }
  const merged: Record<string, string> = { ...(await table.all()) };
  for (const [key, value] of Object.entries(next)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  const changed = (key: StoredKey) => Object.hasOwn(next, key);
  const s = resolveSettings(
    fixed,
    parseStored(merged, (key) => (changed(key) ? labelOf(key) : databaseLabel(key))),
  );
  checkSettings(s, (key) => (changed(key) && s[key].source === 'database' ? labelOf(key) : s[key].label));
  const country = s.CALLFILTER_HOME_COUNTRY.value ?? '';
  for (const key of STORED_KEYS) {
    const value = next[key];
    if (value == null || s[key].source === 'database') continue;
    refuse(labelOf(key), key === 'CALLFILTER_HOME_COUNTRY' ? countryProblem(value) : areaCodeProblem(country, value));
  }
  await table.set(next);
}

/** Puts the settings in force into the config: a new numbering object, so caches keyed by the old one start over. */
export function applySettings(config: { numbering: NumberingConfig; policy: PolicyConfig }, s: SettingsInForce): void {
  const homeCountry = s.CALLFILTER_HOME_COUNTRY.value ?? config.numbering.homeCountry;
  const { homeAreaCode: _old, ...rest } = config.numbering;
  const area = s.CALLFILTER_HOME_AREA_CODE.value;
  config.numbering = { ...rest, homeCountry, ...(area !== undefined && { homeAreaCode: area }) };
  config.policy.homeCountry = homeCountry;
}

/** Local numbers cannot be read: the country has them and no area code is known. */
export function needsSetup(s: SettingsInForce): boolean {
  return s.CALLFILTER_HOME_AREA_CODE.value === undefined && hasLocalNumbers(s.CALLFILTER_HOME_COUNTRY.value ?? '');
}

/** The line the service logs at start while setup is needed; `url` is the web page's. */
export function setupHint(s: SettingsInForce, url?: string): string | undefined {
  if (!needsSetup(s)) return undefined;
  const country = s.CALLFILTER_HOME_COUNTRY.value ?? 'DE';
  const page = url === undefined ? 'sign in on the web page' : `sign in at ${url}/`;
  return (
    'the home area code is not set: a local number sent without it (like 222222) cannot be read and is screened as unknown. ' +
    `Run "callfilter setup --country ${country} --area-code <your area code, e.g. 30>", or ${page} and fill in the setup form ` +
    '(or set CALLFILTER_HOME_AREA_CODE)'
  );
}

/** `(database)`, `(default)`, `(CALLFILTER_HOME_AREA_CODE wins)`: where the value in force comes from. */
export function sourceText(s: SettingInForce): string {
  const overrides = s.stored !== undefined && s.stored !== s.value;
  if (s.source === 'env') return overrides ? `(${s.key} wins over ${s.stored} in the database)` : `(${s.key})`;
  if (s.source === 'file') return overrides ? `(${s.label} wins over ${s.stored} in the database)` : `(${s.label})`;
  return `(${s.source})`;
}
