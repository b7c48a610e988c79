/**
 * Why a setting's value cannot be used (config/env.ts, numbers/check.ts). The setting is named beside the message:
 * a ConfigError puts its key (or `body/areaCode`, `--country`) in front, as `field` does for the API.
 */
import { q, spec } from './spec.js';

export const SETTING_MESSAGES = {
  'setting.host': spec(['value'], (p) => `${q(p.value)} is not an IP address or host name`),
  'setting.port': spec(['value'], (p) => `${q(p.value)} is not a port number`),
  'setting.integer': spec(['value'], (p) => `${q(p.value)} is not a whole number`),
  'setting.range': spec(['value', 'min', 'max'], (p) => `${q(p.value)} is out of range (${p.min}–${p.max})`),
  'setting.boolean': spec(['value'], (p) => `${q(p.value)} is not a boolean (use true or false)`),
  'setting.country_form': spec(['value'], (p) => `${q(p.value)} is not a two-letter country code (e.g. DE)`),
  'setting.country': spec(
    ['value'],
    (p) => `${q(p.value)} is not a country libphonenumber knows (ISO 3166 code, e.g. DE)`,
  ),
  'setting.area_code_form': spec(['value'], (p) => `${q(p.value)} is not an area code (digits, e.g. 30)`),
  'setting.area_code': spec(['value', 'country'], (p) => `${q(p.value)} is not an area code in ${p.country}`),
  'setting.area_code_unused': spec(
    ['value', 'country'],
    (p) =>
      `${q(p.value)} is not used in ${p.country}: numbers there are always dialled with their area code; leave the area code unset`,
  ),
  'setting.regex': spec(['value'], (p) => `${q(p.value)} is not a valid regular expression`),
  'setting.level': spec(['value', 'levels'], (p) => `${q(p.value)} is not a log level (${p.levels})`),
  'setting.timezone': spec(['value'], (p) => `${q(p.value)} is not an IANA time zone (e.g. Europe/Berlin)`),
  'setting.names_empty': spec(['value'], (p) => `${q(p.value)} names nothing (comma-separated names; unset for all)`),
  'setting.language': spec(['value'], (p) => `${q(p.value)} is not a language callfilter speaks (de or en)`),
  'setting.pattern_empty': spec(
    ['value'],
    (p) => `${q(p.value)} matches an empty caller id; anchor it, like ^[1-9][0-9]{1,3}$`,
  ),
  'setting.pattern_public': spec(
    ['value', 'sample'],
    (p) =>
      `${q(p.value)} matches ordinary phone numbers such as ${q(p.sample)}, which would never be filtered; anchor it, like ^[1-9][0-9]{1,3}$`,
  ),
  'setting.trunk_empty': spec(['value'], (p) => `${q(p.value)} is empty: the rule would never apply`),
  'setting.trunk_digits': spec(['value'], (p) => `${q(p.value)} is not digits`),
  'setting.trunk_unreachable': spec(
    ['value'],
    (p) => `${q(p.value)} never applies: an earlier trunk rule matches every call this one would`,
  ),
  'setting.unknown': spec([], () => 'is not a setting callfilter knows'),
  /** Any other setting refused, in the checker's own (English) words: the config file's rules, a profile's. */
  'setting.invalid': spec(['detail'], (p) => `${p.detail}`),
} as const;
