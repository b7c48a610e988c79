import { join, resolve } from 'node:path';
import type { NumberingConfig } from '../numbers/types.js';
import { defaultProfile } from '../policy/defaults.js';
import type { PolicyConfig, Profile } from '../policy/types.js';
import type { EnvKey } from './env-schema.js';
import { ConfigError, readEnv, type EnvValue } from './env.js';
import { loadConfigFile, type ConfigFile, type ProfileInput } from './file.js';

export interface Config {
  dataDir: string;
  dbFile: string;
  configFile?: string;
  agi: { host: string; port: number; allow: string[]; maxConnections: number };
  http: { host: string; port: number; importLimitBytes: number; metricsPublic: boolean };
  /** From CALLFILTER_ADMIN_TOKEN; unset = the token file in dataDir (src/api/auth.ts). Never logged. */
  adminToken?: string;
  numbering: NumberingConfig;
  decisionMs: number;
  /** Days the call log keeps a call (CALLFILTER_LOG_RETENTION_DAYS); 0 keeps all. */
  logRetentionDays: number;
  setCallerIdName: boolean;
  logLevel: string;
  policy: PolicyConfig;
}

const MIB = 1024 * 1024;
/** A shorter token can be guessed; the generated one has 43 characters (32 random bytes, base64url). */
export const MIN_TOKEN_CHARS = 16;

/** The error names the rule, never the value: the value is a secret and errors end up in logs. */
function checkAdminToken(token: string): string {
  if (token.length < MIN_TOKEN_CHARS) throw new ConfigError('CALLFILTER_ADMIN_TOKEN', `is too short (at least ${MIN_TOKEN_CHARS} characters; unset it to have one generated)`);
  if (!/^[\x21-\x7e]+$/.test(token)) throw new ConfigError('CALLFILTER_ADMIN_TOKEN', 'may only contain printable ASCII characters without spaces (it is sent in an HTTP header)');
  return token;
}

export interface ConfigOverrides {
  env?: NodeJS.ProcessEnv;
  /** Structured settings given directly (tests), used instead of reading CALLFILTER_CONFIG. */
  file?: ConfigFile;
}

/** A profile from its input: every setting it does not name comes from `base` (the default profile). */
export function toProfile(base: Profile, input: ProfileInput | ConfigFile, name: string, dids: string[]): Profile {
  return {
    name,
    dids,
    actions: { ...base.actions, ...input.actions },
    repeatCaller: { ...base.repeatCaller, ...input.repeatCaller },
    schedules: input.schedules ?? base.schedules,
  };
}

/**
 * Step two: fill defaults, merge the optional config file and check what only makes sense together. Profiles
 * inherit every setting they do not name from the default profile.
 */
export function loadConfig(overrides: ConfigOverrides = {}): Config {
  const env = readEnv(overrides.env ?? process.env);
  const get = <T extends EnvValue>(key: EnvKey) => env[key] as T;
  const configFile = get<string | undefined>('CALLFILTER_CONFIG');
  const file = overrides.file ?? (configFile ? loadConfigFile(configFile) : {});

  const base = toProfile(defaultProfile(), file, 'default', []);
  const profiles = (file.profiles ?? []).map((p) => toProfile(base, p, p.name, p.dids));
  const names = new Set<string>(['default']);
  for (const p of profiles) {
    if (names.has(p.name)) throw new ConfigError('CALLFILTER_CONFIG', `profiles: the name ${JSON.stringify(p.name)} is used twice`);
    names.add(p.name);
  }

  const dataDir = resolve(get<string>('CALLFILTER_DATA_DIR'));
  const homeCountry = get<string>('CALLFILTER_HOME_COUNTRY');
  const numbering: NumberingConfig = { homeCountry, trunkRules: file.trunks ?? [] };
  const areaCode = get<string | undefined>('CALLFILTER_HOME_AREA_CODE');
  if (areaCode) numbering.homeAreaCode = areaCode;
  const internal = get<RegExp | undefined>('CALLFILTER_INTERNAL_PATTERN');
  if (internal) numbering.internalPattern = internal;

  const config: Config = {
    dataDir,
    dbFile: join(dataDir, 'callfilter.db'),
    agi: {
      host: get('CALLFILTER_AGI_HOST'),
      port: get('CALLFILTER_AGI_PORT'),
      allow: get('CALLFILTER_AGI_ALLOW'),
      maxConnections: get('CALLFILTER_AGI_MAX_CONNECTIONS'),
    },
    http: {
      host: get('CALLFILTER_HTTP_HOST'),
      port: get('CALLFILTER_HTTP_PORT'),
      importLimitBytes: get<number>('CALLFILTER_IMPORT_LIMIT_MB') * MIB,
      metricsPublic: get('CALLFILTER_METRICS_PUBLIC'),
    },
    numbering,
    decisionMs: get('CALLFILTER_DECISION_MS'),
    logRetentionDays: get('CALLFILTER_LOG_RETENTION_DAYS'),
    setCallerIdName: get('CALLFILTER_SET_CALLERID_NAME'),
    logLevel: get('CALLFILTER_LOG_LEVEL'),
    policy: {
      monitor: get<boolean>('CALLFILTER_MONITOR') || file.monitor === true,
      timeZone: get<string | undefined>('CALLFILTER_TIMEZONE') ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC',
      homeCountry,
      defaultProfile: base,
      profiles,
    },
  };
  if (configFile) config.configFile = configFile;
  const token = get<string | undefined>('CALLFILTER_ADMIN_TOKEN');
  if (token !== undefined) config.adminToken = checkAdminToken(token);
  return config;
}
