/**
 * Every environment variable callfilter reads, with its default, a description and an example. This table is the
 * single source for validation (config.ts) and for docs/configuration.md, so the two cannot drift.
 */

export type EnvKind = 'string' | 'path' | 'host' | 'port' | 'integer' | 'boolean' | 'country' | 'digits' | 'regex' | 'list' | 'level' | 'timezone' | 'language';

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
  { key: 'CALLFILTER_AGI_MAX_PER_ADDRESS', kind: 'integer', default: '100', example: '20', min: 1, max: 100000,
    description: 'Most FastAGI connections held at once from one address; more from it are closed at once. A real Asterisk holds a handful at a time (a screening takes milliseconds), so 100 leaves room for bursts while a flood from one address cannot take the slots of another.' },
  { key: 'CALLFILTER_AGI_SECRET', kind: 'string', example: '3f9c2a7e5b1d4068a9e2c7f1b3d5e8a0',
    description: 'Optional key the dialplan must send in the AGI URL (agi://…/screen?key=…, from CALLFILTER_KEY in [globals]): a session without it is closed unanswered (Asterisk connects the call) and counted, so that no other local process can ask who is a contact. 16 or more letters, digits, - _ . or ~. Unset: any key is ignored. Asterisk\'s verbose log shows the URL with the key.' },
  { key: 'CALLFILTER_HTTP_HOST', kind: 'host', default: '127.0.0.1', example: '0.0.0.0',
    description: 'Address the admin API (/api/v1, /healthz, /metrics) listens on. Keep it on loopback unless a reverse proxy or another host needs it.' },
  { key: 'CALLFILTER_HTTP_PORT', kind: 'port', default: '8080', example: '8081', min: 0, max: 65535,
    description: 'Port of the admin API.' },
  { key: 'CALLFILTER_ADMIN_TOKEN', kind: 'string', example: 'Zx3…(at least 16 characters)',
    description: 'Bearer token for the admin API. Unset: a random token is generated on first start, stored in <data dir>/admin-token (mode 0600) and printed once when stdout is a terminal (a log only says where it is); `callfilter token` shows it.' },
  { key: 'CALLFILTER_METRICS_PUBLIC', kind: 'boolean', default: 'false', example: 'true',
    description: 'Serve /metrics without the admin token, for Prometheus scrapers that cannot send a bearer token. The metrics hold counts only, no numbers.' },
  { key: 'CALLFILTER_IMPORT_LIMIT_MB', kind: 'integer', default: '64', example: '128', min: 1, max: 1024,
    description: 'Largest file the admin API accepts for an import, in MiB (64 MiB is about 1.5 million CSV rows). The command line has no limit.' },
  { key: 'CALLFILTER_HOME_COUNTRY', kind: 'country', default: 'DE', example: 'AT',
    description: 'Country of the phone line (ISO 3166 code). National numbers are read in it; other countries are "foreign". `callfilter setup` can keep it in the database instead; this variable wins.' },
  { key: 'CALLFILTER_HOME_AREA_CODE', kind: 'digits', example: '30',
    description: 'Area code of the line without the leading 0, for local numbers sent without it (222222 → +4930222222). `callfilter setup` or the web page can keep it in the database instead; this variable wins.' },
  { key: 'CALLFILTER_LANGUAGE', kind: 'language', example: 'en',
    description: 'Language of what callfilter says to people: the label a phone shows for a spam-list hit (SPAM: Betrug / SPAM: fraud), the announcement it picks (de/callfilter/polite-decline), notifications. de or en. Unset: de for a home country DE, AT, CH or LI, else en. Log lines and the command line stay English; the web page follows the browser.' },
  { key: 'CALLFILTER_INTERNAL_PATTERN', kind: 'regex', example: '^[1-9][0-9]{1,3}$',
    description: 'Narrows what the dialplan\'s `internal` origin vouches for: from an internal origin only callers matching this (or starting with *) are internal, others are screened. Unset: every caller from an internal origin is internal. It never makes a caller from a trunk internal, whatever its digits.' },
  { key: 'CALLFILTER_DECISION_MS', kind: 'integer', default: '1000', example: '500', min: 50, max: 10000,
    description: 'Decision deadline in milliseconds. A lookup that fails or takes longer gives "connect" (reason fail-open).' },
  { key: 'CALLFILTER_MONITOR', kind: 'boolean', default: 'false', example: 'true',
    description: 'Monitor mode: decide and log every call, but always connect.' },
  { key: 'CALLFILTER_SET_CALLERID_NAME', kind: 'boolean', default: 'true', example: 'false',
    description: 'Also set CALLERID(name) to the label (contact name, "SPAM: …") so the phones show it.' },
  { key: 'CALLFILTER_TIMEZONE', kind: 'timezone', example: 'Europe/Berlin',
    description: 'Time zone for schedules and quiet hours. Default: the system time zone.' },
  { key: 'CALLFILTER_PHONEBLOCK_TOKEN', kind: 'string', example: 'your PhoneBlock API key',
    description: 'PhoneBlock API key (PhoneBlock settings → API keys). Set: a source named phoneblock keeps the list "PhoneBlock" current (docs/lists.md). Stored in the database, never logged, never returned by the API.' },
  { key: 'CALLFILTER_PHONEBLOCK_URL', kind: 'string', default: 'https://phoneblock.net/phoneblock/api', example: 'https://phoneblock.net/pb-test/api',
    description: 'Base URL of PhoneBlock\'s API; PhoneBlock\'s test instance is https://phoneblock.net/pb-test/api.' },
  { key: 'CALLFILTER_PHONEBLOCK_REPORT_BLOCKED', kind: 'boolean', default: 'false', example: 'true',
    description: 'Report each call the PhoneBlock list blocked to PhoneBlock\'s call counter (at most 20 a day, PhoneBlock\'s cap). Needs CALLFILTER_PHONEBLOCK_TOKEN.' },
  { key: 'CALLFILTER_LOG_LEVEL', kind: 'level', default: 'info', example: 'debug',
    description: 'Log level: fatal, error, warn, info, debug, trace or silent.' },
] as const satisfies readonly EnvVar[];

export type EnvKey = (typeof ENV_VARS)[number]['key'];
