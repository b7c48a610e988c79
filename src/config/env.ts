import { isIP } from 'node:net';
import { ENV_VARS, type EnvKey, type EnvVar } from './env-schema.js';

/** A configuration error names the key and the bad value, so the fix is obvious from the message alone. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type EnvValue = string | number | boolean | RegExp | string[] | undefined;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `label` names the value in errors: the variable, or where else it came from (`--area-code`, `body/areaCode`). */
function parseValue(v: EnvVar, raw: string, label = v.key): EnvValue {
  const bad = (why: string): never => {
    throw new ConfigError(label, `${JSON.stringify(raw)} ${why}`);
  };
  switch (v.kind) {
    case 'string':
    case 'path':
      return raw;
    case 'host':
      if (isIP(raw) === 0 && !/^[A-Za-z0-9.-]+$/.test(raw)) bad('is not an IP address or host name');
      return raw;
    case 'port':
    case 'integer': {
      if (!/^\d+$/.test(raw)) bad(v.kind === 'port' ? 'is not a port number' : 'is not a whole number');
      const n = Number(raw);
      if ((v.min !== undefined && n < v.min) || (v.max !== undefined && n > v.max)) bad(`is out of range (${v.min}–${v.max})`);
      return n;
    }
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      return bad('is not a boolean (use true or false)');
    case 'country':
      if (!/^[A-Za-z]{2}$/.test(raw)) bad('is not a two-letter country code (e.g. DE)');
      return raw.toUpperCase();
    case 'digits': {
      const digits = raw.replace(/^0/, '');
      if (!/^\d{1,6}$/.test(digits)) bad('is not an area code (digits, e.g. 30)');
      return digits;
    }
    case 'regex':
      try {
        return new RegExp(raw);
      } catch {
        return bad('is not a valid regular expression');
      }
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'level':
      if (!LEVELS.includes(raw)) bad(`is not a log level (${LEVELS.join(', ')})`);
      return raw;
    case 'language':
      if (!/^(de|en)$/i.test(raw)) bad('is not a language callfilter speaks (de or en)');
      return raw.toLowerCase();
    case 'timezone':
      try {
        new Intl.DateTimeFormat('en', { timeZone: raw });
      } catch {
        bad('is not an IANA time zone (e.g. Europe/Berlin)');
      }
      return raw;
  }
}

/** One setting's value checked as its kind (the env table's rules), wherever it came from. Throws ConfigError. */
export function parseEnvValue(key: EnvKey, raw: string, label: string = key): EnvValue {
  const v = (ENV_VARS as readonly EnvVar[]).find((e) => e.key === key);
  if (v === undefined) throw new ConfigError(label, 'is not a setting callfilter knows');
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
