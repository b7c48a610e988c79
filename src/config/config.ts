import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createAllowList } from '../net/allow-list.js';
import { numberingProblem } from '../numbers/index.js';
import type { NumberingConfig } from '../numbers/types.js';
import { defaultProfile } from '../policy/defaults.js';
import type { PolicyConfig, Profile } from '../policy/types.js';
import { type ContactsConfig, contactsConfig } from './contacts.js';
import { ConfigError, type EnvValue, parseEnvValue, readEnv } from './env.js';
import type { EnvKey } from './env-schema.js';
import { type ConfigFile, loadConfigFile, type ProfileInput } from './file.js';
import type { Language } from './language.js';
import { type NotifyConfig, notifyConfig } from './notify.js';
import { applySettings, checkSettings, type FixedSettings, resolveSettings } from './settings.js';

export interface Config {
  dataDir: string;
  dbFile: string;
  /** From CALLFILTER_DATABASE_URL: the shared PostgreSQL database (docs/scale-out.md). Holds a password: never logged. */
  databaseUrl?: URL;
  configFile?: string;
  /** `secret`: from CALLFILTER_AGI_SECRET; never logged. */
  agi: { host: string; port: number; allow: string[]; maxConnections: number; maxPerAddress: number; secret?: string };
  http: { host: string; port: number; importLimitBytes: number; metricsPublic: boolean };
  /** From CALLFILTER_ADMIN_TOKEN; unset = the token file in dataDir (src/api/auth.ts). Never logged. */
  adminToken?: string;
  numbering: NumberingConfig;
  /** The settings the database may also keep that the environment or the config file set: these win (settings.ts). */
  fixed: FixedSettings;
  decisionMs: number;
  /** Days the call log keeps a call (CALLFILTER_LOG_RETENTION_DAYS); 0 keeps all. */
  logRetentionDays: number;
  setCallerIdName: boolean;
  logLevel: string;
  policy: PolicyConfig;
  /** CALLFILTER_LANGUAGE when set; unset, the home country in force decides (languageOf in language.ts). */
  language?: Language;
  /** The PhoneBlock subscription (src/sources/phoneblock). The token is a secret: never logged. */
  phoneblock: { token?: string; url: string; reportBlocked: boolean; live: boolean; liveMs: number };
  /** The contact sources: FRITZ!Box, CardDAV, the numbers you call (AMI). Passwords and secrets: never logged. */
  contacts: ContactsConfig;
  /** MQTT, webhooks, the digest, the voicemail spool (config/notify.ts). Holds secrets: never logged. */
  notify: NotifyConfig;
}

const MIB = 1024 * 1024;
/** A shorter token can be guessed; the generated one has 43 characters (32 random bytes, base64url). */
export const MIN_TOKEN_CHARS = 16;

/** The error names the rule, never the value: the value is a secret and errors end up in logs. */
function checkAdminToken(token: string): string {
  if (token.length < MIN_TOKEN_CHARS)
    throw new ConfigError(
      'CALLFILTER_ADMIN_TOKEN',
      `is too short (at least ${MIN_TOKEN_CHARS} characters; unset it to have one generated)`,
    );
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new ConfigError(
      'CALLFILTER_ADMIN_TOKEN',
      'may only contain printable ASCII characters without spaces (it is sent in an HTTP header)',
    );
  return token;
}

/** Like the admin token: the error names the rule, never the value. */
function checkPhoneblock(token: string | undefined, url: string): { token?: string; url: string } {
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token))
    throw new ConfigError(
      'CALLFILTER_PHONEBLOCK_TOKEN',
      'may only contain printable ASCII characters without spaces (it is sent in an HTTP header)',
    );
  if (!/^https?:\/\/[^/\s]+/.test(url))
    throw new ConfigError('CALLFILTER_PHONEBLOCK_URL', `${JSON.stringify(url)} is not an http or https URL`);
  return token === undefined ? { url } : { token, url };
}

/** A shorter key can be guessed; `openssl rand -hex 16` gives 32 characters. */
export const MIN_AGI_SECRET_CHARS = 16;
/** RFC 3986 unreserved characters: the key travels in a URL query and a dialplan line, where `,` `;` `$` `&` break it. */
const AGI_SECRET_CHARS = /^[A-Za-z0-9._~-]+$/;

/** Like the admin token, the error names the rule, never the value. */
function checkAgiSecret(secret: string): string {
  if (secret.length < MIN_AGI_SECRET_CHARS)
    throw new ConfigError(
      'CALLFILTER_AGI_SECRET',
      `is too short (at least ${MIN_AGI_SECRET_CHARS} characters, e.g. from \`openssl rand -hex 16\`)`,
    );
  if (!AGI_SECRET_CHARS.test(secret))
    throw new ConfigError(
      'CALLFILTER_AGI_SECRET',
      'may only contain letters, digits, "-", "_", "." and "~" (it is sent in the AGI URL)',
    );
  return secret;
}

/** The data folder must be a folder, or one that can be created: else every command fails at its first write. */
function checkDataDir(raw: string, dir: string): void {
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const bad = (why: string): never => {
    throw new ConfigError('CALLFILTER_DATA_DIR', `${JSON.stringify(raw)} ${why}`);
  };
  if (!statSync(existing).isDirectory())
    bad(existing === dir ? 'is not a folder' : `cannot be created: ${existing} is not a folder`);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    bad(existing === dir ? 'is not writable' : `cannot be created: ${existing} is not writable`);
  }
}

/** The environment's and the config file's home country and area code, checked by the env table's rules. */
function fixedSettings(env: NodeJS.ProcessEnv, file: ConfigFile, fileLabel: string): FixedSettings {
  const fixed: FixedSettings = {};
  const pairs = [
    ['CALLFILTER_HOME_COUNTRY', file.homeCountry, 'homeCountry'],
    ['CALLFILTER_HOME_AREA_CODE', file.homeAreaCode, 'homeAreaCode'],
  ] as const;
  for (const [key, fromFile, fileKey] of pairs) {
    const fromEnv = env[key]?.trim();
    if (fromEnv) fixed[key] = { value: String(parseEnvValue(key, fromEnv)), source: 'env', label: key };
    else if (fromFile !== undefined && fromFile.trim() !== '') {
      const label = `${fileLabel}: ${fileKey}`;
      fixed[key] = { value: String(parseEnvValue(key, fromFile, label)), source: 'file', label };
    }
  }
  return fixed;
}

/** What only the numbers module can judge (internal pattern, trunk rules), named as the person wrote it. */
function checkNumbering(numbering: NumberingConfig, fileLabel: string): void {
  const p = numberingProblem(numbering);
  if (p === undefined) return;
  const label =
    p.field === 'internalPattern'
      ? 'CALLFILTER_INTERNAL_PATTERN'
      : p.field === 'trunkRules'
        ? `${fileLabel}: trunks[${p.index}].${p.key}`
        : 'CALLFILTER_HOME_COUNTRY';
  throw ConfigError.of(label, p.problem);
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
  const vars = overrides.env ?? process.env;
  const env = readEnv(vars);
  const get = <T extends EnvValue>(key: EnvKey) => env[key] as T;
  const configFile = get<string | undefined>('CALLFILTER_CONFIG');
  const file = overrides.file ?? (configFile ? loadConfigFile(configFile) : {});
  const fileLabel = configFile && !overrides.file ? `CALLFILTER_CONFIG (${configFile})` : 'CALLFILTER_CONFIG';

  const base = toProfile(defaultProfile(), file, 'default', []);
  const profiles = (file.profiles ?? []).map((p) => toProfile(base, p, p.name, p.dids));
  const names = new Set<string>(['default']);
  for (const p of profiles) {
    if (names.has(p.name))
      throw new ConfigError('CALLFILTER_CONFIG', `profiles: the name ${JSON.stringify(p.name)} is used twice`);
    names.add(p.name);
  }

  const dataDir = resolve(get<string>('CALLFILTER_DATA_DIR'));
  checkDataDir(get<string>('CALLFILTER_DATA_DIR'), dataDir);
  const allow = get<string[]>('CALLFILTER_AGI_ALLOW');
  if (allow.length === 0)
    throw new ConfigError(
      'CALLFILTER_AGI_ALLOW',
      `${JSON.stringify(vars.CALLFILTER_AGI_ALLOW ?? '')} allows nobody: Asterisk could not connect, and every call would ring unscreened`,
    );
  createAllowList(allow);

  // The database may add a country or area code (createContext applies them); until then, env, file and default.
  const fixed = fixedSettings(vars, file, fileLabel);
  const settings = resolveSettings(fixed, {});
  // An area code alone waits for the country the database may hold; with the country known, it is checked now.
  if (fixed.CALLFILTER_HOME_COUNTRY !== undefined || fixed.CALLFILTER_HOME_AREA_CODE === undefined)
    checkSettings(settings);
  const homeCountry = settings.CALLFILTER_HOME_COUNTRY.value ?? get<string>('CALLFILTER_HOME_COUNTRY');
  const numbering: NumberingConfig = { homeCountry, trunkRules: file.trunks ?? [] };
  const internal = get<RegExp | undefined>('CALLFILTER_INTERNAL_PATTERN');
  if (internal) numbering.internalPattern = internal;
  checkNumbering(numbering, fileLabel);

  const config: Config = {
    dataDir,
    dbFile: join(dataDir, 'callfilter.db'),
    agi: {
      host: get('CALLFILTER_AGI_HOST'),
      port: get('CALLFILTER_AGI_PORT'),
      allow,
      maxConnections: get('CALLFILTER_AGI_MAX_CONNECTIONS'),
      maxPerAddress: get('CALLFILTER_AGI_MAX_PER_ADDRESS'),
    },
    http: {
      host: get('CALLFILTER_HTTP_HOST'),
      port: get('CALLFILTER_HTTP_PORT'),
      importLimitBytes: get<number>('CALLFILTER_IMPORT_LIMIT_MB') * MIB,
      metricsPublic: get('CALLFILTER_METRICS_PUBLIC'),
    },
    numbering,
    fixed,
    decisionMs: get('CALLFILTER_DECISION_MS'),
    logRetentionDays: get('CALLFILTER_LOG_RETENTION_DAYS'),
    setCallerIdName: get('CALLFILTER_SET_CALLERID_NAME'),
    logLevel: get('CALLFILTER_LOG_LEVEL'),
    policy: {
      monitor: get<boolean>('CALLFILTER_MONITOR') || file.monitor === true,
      timeZone:
        get<string | undefined>('CALLFILTER_TIMEZONE') ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC',
      homeCountry,
      defaultProfile: base,
      profiles,
    },
    phoneblock: {
      ...checkPhoneblock(
        get<string | undefined>('CALLFILTER_PHONEBLOCK_TOKEN'),
        get<string>('CALLFILTER_PHONEBLOCK_URL'),
      ),
      reportBlocked: get<boolean>('CALLFILTER_PHONEBLOCK_REPORT_BLOCKED'),
      live: get<boolean>('CALLFILTER_PHONEBLOCK_LIVE'),
      liveMs: get<number>('CALLFILTER_PHONEBLOCK_LIVE_MS'),
    },
    contacts: contactsConfig(get),
    notify: notifyConfig(get),
  };
  applySettings(config, settings);
  if (configFile) config.configFile = configFile;
  const language = get<Language | undefined>('CALLFILTER_LANGUAGE');
  if (language !== undefined) {
    config.language = language;
    config.policy.language = language;
  }
  const databaseUrl = get<string | undefined>('CALLFILTER_DATABASE_URL');
  if (databaseUrl !== undefined) config.databaseUrl = parseDatabaseUrl(databaseUrl);
  const agiSecret = get<string | undefined>('CALLFILTER_AGI_SECRET');
  if (agiSecret !== undefined) config.agi.secret = checkAgiSecret(agiSecret);
  const token = get<string | undefined>('CALLFILTER_ADMIN_TOKEN');
  if (token !== undefined) config.adminToken = checkAdminToken(token);
  return config;
}

/** `postgres://user:password@host:5432/database`. The message never repeats the URL: it holds the password. */
export function parseDatabaseUrl(text: string, key = 'CALLFILTER_DATABASE_URL'): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(key, 'is not a URL (postgres://user:password@host:5432/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new ConfigError(key, `must start with postgres:// (got ${url.protocol}//)`);
  if (!url.hostname) throw new ConfigError(key, 'needs a host: postgres://user:password@host:5432/database');
  if (url.pathname.length <= 1) throw new ConfigError(key, 'needs a database name: postgres://…@host:5432/database');
  return url;
}

/** The URL as it may be shown or logged: without its password. */
export function redactedUrl(url: URL): string {
  const shown = new URL(url);
  if (shown.password) shown.password = '***';
  return shown.toString();
}
