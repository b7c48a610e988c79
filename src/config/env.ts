import { isIP } from 'node:net';
import { type Code, type Coded, coded, type Params, render } from '../messages/index.js';
import { ENV_VARS, type EnvKey, type EnvVar } from './env-schema.js';

/** A configuration error names the key and the bad value, so the fix is obvious from the message alone. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
    /** The message as a code of the table (messages/settings.ts), where a client may have to word it. */
    readonly problem?: Coded,
  ) {
    super(`${key}: ${message}`);
    this.name = 'ConfigError';
  }

  /** The error of a coded message about the setting `key`. */
  static of(key: string, problem: Coded): ConfigError {
    return new ConfigError(key, render(problem), problem);
  }
}

export type EnvValue = string | number | boolean | RegExp | string[] | undefined;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const commaList = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `label` names the value in errors: the variable, or where else it came from (`--area-code`, `body/areaCode`). */
function parseValue(v: EnvVar, raw: string, label = v.key): EnvValue {
  const bad = (code: Code, more: Params = {}): never => {
    throw ConfigError.of(label, { code, params: { value: raw, ...more } });
  };
  switch (v.kind) {
    case 'string':
    case 'path':
      return raw;
    case 'host':
      if (isIP(raw) === 0 && !/^[A-Za-z0-9.-]+$/.test(raw)) bad('setting.host');
      return raw;
    case 'port':
    case 'integer': {
      if (!/^\d+$/.test(raw)) bad(v.kind === 'port' ? 'setting.port' : 'setting.integer');
      const n = Number(raw);
      if ((v.min !== undefined && n < v.min) || (v.max !== undefined && n > v.max))
        bad('setting.range', { min: v.min ?? '', max: v.max ?? '' });
      return n;
    }
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      return bad('setting.boolean');
    case 'country':
      if (!/^[A-Za-z]{2}$/.test(raw)) bad('setting.country_form');
      return raw.toUpperCase();
    case 'digits': {
      const digits = raw.replace(/^0/, '');
      if (!/^\d{1,6}$/.test(digits)) bad('setting.area_code_form');
      return digits;
    }
    case 'regex':
      try {
        return new RegExp(raw);
      } catch {
        return bad('setting.regex');
      }
    case 'list':
      return commaList(raw);
    case 'names': {
      // Unset means "all"; a value that names nothing is a slip, and "none" would read nothing at all.
      const names = commaList(raw);
      if (names.length === 0) bad('setting.names_empty');
      return names;
    }
    case 'level':
      if (!LEVELS.includes(raw)) bad('setting.level', { levels: LEVELS.join(', ') });
      return raw;
    case 'language':
      if (!/^(de|en)$/i.test(raw)) bad('setting.language');
      return raw.toLowerCase();
    case 'timezone':
      try {
        new Intl.DateTimeFormat('en', { timeZone: raw });
      } catch {
        bad('setting.timezone');
      }
      return raw;
  }
}

/** One setting's value checked as its kind (the env table's rules), wherever it came from. Throws ConfigError. */
export function parseEnvValue(key: EnvKey, raw: string, label: string = key): EnvValue {
  const v = (ENV_VARS as readonly EnvVar[]).find((e) => e.key === key);
  if (v === undefined) throw ConfigError.of(label, coded('setting.unknown'));
  return parseValue(v, raw.trim(), label);
}

/**
 * Step one of two (atproto pds style): read the environment into typed values, defaults filled in. An empty
 * string counts as unset, so `CALLFILTER_HOME_AREA_CODE=` in a compose file means "none".
 */
export function readEnv(env: NodeJS.ProcessEnv = process.env): Record<EnvKey, EnvValue> {
  const out = {} as Record<EnvKey, EnvValue>;
  for (const v of ENV_VARS as readonly EnvVar[]) {
    const given = env[v.key];
    const raw = given !== undefined && given.trim() !== '' ? given.trim() : v.default;
    out[v.key as EnvKey] = raw === undefined ? undefined : parseValue(v, raw);
  }
  return out;
}
