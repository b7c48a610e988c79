/**
 * Every environment variable callfilter reads, with its default, a description and an example. This table is the
 * single source for validation (config.ts) and for docs/configuration.md, so the two cannot drift.
 */

export type EnvKind = 'string' | 'path' | 'host' | 'port' | 'integer' | 'boolean' | 'country' | 'digits' | 'regex' | 'list' | 'level' | 'timezone';

export interface EnvVar {
  key: string;
  kind: EnvKind;
  /** The default as a user would write it; undefined = unset by default. */
  default?: string;
  description: string;
  example: string;
  /** Inclusive bounds for integers and ports. */
  min?: number;
  max?: number;
}

export const ENV_VARS = [
  { key: 'CALLFILTER_DATA_DIR', kind: 'path', default: './data', example: '/var/lib/callfilter',
    description: 'Folder for the SQLite database (callfilter.db) and the admin token. Created if missing.' },
  { key: 'CALLFILTER_CONFIG', kind: 'path', example: '/etc/callfilter/config.json',
    description: 'Optional JSON file with profiles, schedules, per-step actions and trunk rules (see docs).' },
  { key: 'CALLFILTER_AGI_HOST', kind: 'host', default: '127.0.0.1', example: '0.0.0.0',
    description: 'Address the FastAGI server listens on. Keep it on loopback unless Asterisk runs elsewhere.' },
  { key: 'CALLFILTER_AGI_PORT', kind: 'port', default: '4573', example: '4574', min: 0, max: 65535,
    description: 'FastAGI port. FreePBX may run its own FastAGI server on 4573; use 4574 there.' },
  { key: 'CALLFILTER_AGI_ALLOW', kind: 'list', default: '127.0.0.0/8,::1', example: '127.0.0.1,172.20.0.0/16',
    description: 'Addresses or CIDR ranges allowed to connect to the FastAGI port; others are closed at once.' },
  { key: 'CALLFILTER_AGI_MAX_CONNECTIONS', kind: 'integer', default: '1000', example: '200', min: 1, max: 100000,
    description: 'Most FastAGI connections held at once; more are closed at once (Asterisk then connects the call).' },
  { key: 'CALLFILTER_HTTP_HOST', kind: 'host', default: '127.0.0.1', example: '0.0.0.0',
    description: 'Address the admin API (/api/v1, /healthz, /metrics) listens on. Keep it on loopback unless a reverse proxy or another host needs it.' },
  { key: 'CALLFILTER_HTTP_PORT', kind: 'port', default: '8080', example: '8081', min: 0, max: 65535,
    description: 'Port of the admin API.' },
  { key: 'CALLFILTER_ADMIN_TOKEN', kind: 'string', example: 'Zx3…(at least 16 characters)',
    description: 'Bearer token for the admin API. Unset: a random token is generated on first start, stored in <data dir>/admin-token (mode 0600) and printed once; `callfilter token` shows it again.' },
  { key: 'CALLFILTER_METRICS_PUBLIC', kind: 'boolean', default: 'false', example: 'true',
    description: 'Serve /metrics without the admin token, for Prometheus scrapers that cannot send a bearer token. The metrics hold counts only, no numbers.' },
  { key: 'CALLFILTER_IMPORT_LIMIT_MB', kind: 'integer', default: '64', example: '128', min: 1, max: 1024,
    description: 'Largest file the admin API accepts for an import, in MiB (64 MiB is about 1.5 million CSV rows). The command line has no limit.' },
  { key: 'CALLFILTER_HOME_COUNTRY', kind: 'country', default: 'DE', example: 'AT',
    description: 'Country of the phone line (ISO 3166 code). National numbers are read in it; other countries are "foreign".' },
  { key: 'CALLFILTER_HOME_AREA_CODE', kind: 'digits', example: '30',
    description: 'Area code of the line without the leading 0, for local numbers sent without it (222222 → +4930222222).' },
  { key: 'CALLFILTER_INTERNAL_PATTERN', kind: 'regex', example: '^[1-9][0-9]{1,3}$',
    description: 'Regular expression for short internal extensions that are never filtered. Unset: only numbers starting with * are internal.' },
  { key: 'CALLFILTER_DECISION_MS', kind: 'integer', default: '1000', example: '500', min: 50, max: 10000,
    description: 'Decision deadline in milliseconds. A lookup that fails or takes longer gives "connect" (reason fail-open).' },
  { key: 'CALLFILTER_MONITOR', kind: 'boolean', default: 'false', example: 'true',
    description: 'Monitor mode: decide and log every call, but always connect.' },
  { key: 'CALLFILTER_LOG_RETENTION_DAYS', kind: 'integer', default: '365', example: '90', min: 0, max: 36500,
    description: 'Days the call log keeps each call — who called, when, and what was decided; older calls are deleted, within the hour and in small batches. The daily counts of the stats are kept, without numbers. 0 keeps every call. A privacy setting: keep no more history than you need.' },
  { key: 'CALLFILTER_SET_CALLERID_NAME', kind: 'boolean', default: 'true', example: 'false',
    description: 'Also set CALLERID(name) to the label (contact name, "SPAM: …") so the phones show it.' },
  { key: 'CALLFILTER_TIMEZONE', kind: 'timezone', example: 'Europe/Berlin',
    description: 'Time zone for schedules and quiet hours. Default: the system time zone.' },
  { key: 'CALLFILTER_LOG_LEVEL', kind: 'level', default: 'info', example: 'debug',
    description: 'Log level: fatal, error, warn, info, debug, trace or silent.' },
] as const satisfies readonly EnvVar[];

export type EnvKey = (typeof ENV_VARS)[number]['key'];
