/**
 * Every environment variable callfilter reads, with its default, a description and an example. This table is the
 * single source for validation (config.ts) and for docs/configuration.md, so the two cannot drift.
 */

export type EnvKind =
  | 'string'
  | 'path'
  | 'host'
  | 'port'
  | 'integer'
  | 'boolean'
  | 'country'
  | 'digits'
  | 'regex'
  | 'list'
  | 'names'
  | 'level'
  | 'timezone'
  | 'language';

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
  {
    key: 'CALLFILTER_DATA_DIR',
    kind: 'path',
    default: './data',
    example: '/var/lib/callfilter',
    description: 'Folder for the SQLite database (callfilter.db) and the admin token. Created if missing.',
  },
  {
    key: 'CALLFILTER_DATABASE_URL',
    kind: 'string',
    example: 'postgres://callfilter:secret@db.example:5432/callfilter',
    description:
      'The PostgreSQL database the nodes of a cluster share (docs/scale-out.md): set, the data is kept there instead of the SQLite file in the data folder, and every node needs the same CALLFILTER_ADMIN_TOKEN. `callfilter migrate-store` copies an existing SQLite database into it. The password is never logged.',
  },
  {
    key: 'CALLFILTER_CONFIG',
    kind: 'path',
    example: '/etc/callfilter/config.json',
    description: 'Optional JSON file with profiles, schedules, per-step actions and trunk rules (see docs).',
  },
  {
    key: 'CALLFILTER_AGI_HOST',
    kind: 'host',
    default: '127.0.0.1',
    example: '0.0.0.0',
    description: 'Address the FastAGI server listens on. Keep it on loopback unless Asterisk runs elsewhere.',
  },
  {
    key: 'CALLFILTER_AGI_PORT',
    kind: 'port',
    default: '4573',
    example: '4574',
    min: 0,
    max: 65535,
    description: 'FastAGI port. FreePBX may run its own FastAGI server on 4573; use 4574 there.',
  },
  {
    key: 'CALLFILTER_AGI_ALLOW',
    kind: 'list',
    default: '127.0.0.0/8,::1',
    example: '127.0.0.1,172.20.0.0/16',
    description: 'Addresses or CIDR ranges allowed to connect to the FastAGI port; others are closed at once.',
  },
  {
    key: 'CALLFILTER_AGI_MAX_CONNECTIONS',
    kind: 'integer',
    default: '1000',
    example: '200',
    min: 1,
    max: 100000,
    description: 'Most FastAGI connections held at once; more are closed at once (Asterisk then connects the call).',
  },
  {
    key: 'CALLFILTER_AGI_MAX_PER_ADDRESS',
    kind: 'integer',
    default: '100',
    example: '20',
    min: 1,
    max: 100000,
    description:
      'Most FastAGI connections held at once from one address; more from it are closed at once. A real Asterisk holds a handful at a time (a screening takes milliseconds), so 100 leaves room for bursts while a flood from one address cannot take the slots of another.',
  },
  {
    key: 'CALLFILTER_AGI_SECRET',
    kind: 'string',
    example: '3f9c2a7e5b1d4068a9e2c7f1b3d5e8a0',
    description:
      "Optional key the dialplan must send in the AGI URL (agi://…/screen?key=…, from CALLFILTER_KEY in [globals]): a session without it is closed unanswered (Asterisk connects the call) and counted, so that no other local process can ask who is a contact. 16 or more letters, digits, - _ . or ~. Unset: any key is ignored. Asterisk's verbose log shows the URL with the key.",
  },
  {
    key: 'CALLFILTER_HTTP_HOST',
    kind: 'host',
    default: '127.0.0.1',
    example: '0.0.0.0',
    description:
      'Address the admin API (/api/v1, /healthz, /metrics) listens on. Keep it on loopback unless a reverse proxy or another host needs it.',
  },
  {
    key: 'CALLFILTER_HTTP_PORT',
    kind: 'port',
    default: '8080',
    example: '8081',
    min: 0,
    max: 65535,
    description: 'Port of the admin API.',
  },
  {
    key: 'CALLFILTER_ADMIN_TOKEN',
    kind: 'string',
    example: 'Zx3…(at least 16 characters)',
    description:
      'Bearer token for the admin API. Unset: a random token is generated on first start, stored in <data dir>/admin-token (mode 0600) and printed once when stdout is a terminal (a log only says where it is); `callfilter token` shows it.',
  },
  {
    key: 'CALLFILTER_METRICS_PUBLIC',
    kind: 'boolean',
    default: 'false',
    example: 'true',
    description:
      'Serve /metrics without the admin token, for Prometheus scrapers that cannot send a bearer token. The metrics hold counts only, no numbers.',
  },
  {
    key: 'CALLFILTER_IMPORT_LIMIT_MB',
    kind: 'integer',
    default: '64',
    example: '128',
    min: 1,
    max: 1024,
    description:
      'Largest file the admin API accepts for an import, in MiB (64 MiB is about 1.5 million CSV rows). The command line has no limit.',
  },
  {
    key: 'CALLFILTER_HOME_COUNTRY',
    kind: 'country',
    default: 'DE',
    example: 'AT',
    description:
      'Country of the phone line (ISO 3166 code). National numbers are read in it; other countries are "foreign". `callfilter setup` can keep it in the database instead; this variable wins.',
  },
  {
    key: 'CALLFILTER_HOME_AREA_CODE',
    kind: 'digits',
    example: '30',
    description:
      'Area code of the line without the leading 0, for local numbers sent without it (222222 → +4930222222). `callfilter setup` or the web page can keep it in the database instead; this variable wins.',
  },
  {
    key: 'CALLFILTER_LANGUAGE',
    kind: 'language',
    example: 'en',
    description:
      'Language of what callfilter says to people: the label a phone shows for a spam-list hit (SPAM: Betrug / SPAM: fraud), the announcement it picks (de/callfilter/polite-decline), notifications. de or en. Unset: de for a home country DE, AT, CH or LI, else en. Log lines and the command line stay English; the web page follows the browser.',
  },
  {
    key: 'CALLFILTER_INTERNAL_PATTERN',
    kind: 'regex',
    example: '^[1-9][0-9]{1,3}$',
    description:
      "Narrows what the dialplan's `internal` origin vouches for: from an internal origin only callers matching this (or starting with *) are internal, others are screened. Unset: every caller from an internal origin is internal. It never makes a caller from a trunk internal, whatever its digits.",
  },
  {
    key: 'CALLFILTER_DECISION_MS',
    kind: 'integer',
    default: '1000',
    example: '500',
    min: 50,
    max: 10000,
    description:
      'Decision deadline in milliseconds. A lookup that fails or takes longer gives "connect" (reason fail-open).',
  },
  {
    key: 'CALLFILTER_MONITOR',
    kind: 'boolean',
    default: 'false',
    example: 'true',
    description: 'Monitor mode: decide and log every call, but always connect.',
  },
  {
    key: 'CALLFILTER_LOG_RETENTION_DAYS',
    kind: 'integer',
    default: '365',
    example: '90',
    min: 0,
    max: 36500,
    description:
      'Days the call log keeps each call — who called, when, and what was decided; older calls are deleted, within the hour and in small batches. The daily counts of the stats are kept, without numbers. 0 keeps every call. A privacy setting: keep no more history than you need.',
  },
  {
    key: 'CALLFILTER_SET_CALLERID_NAME',
    kind: 'boolean',
    default: 'true',
    example: 'false',
    description: 'Also set CALLERID(name) to the label (contact name, "SPAM: …") so the phones show it.',
  },
  {
    key: 'CALLFILTER_TIMEZONE',
    kind: 'timezone',
    example: 'Europe/Berlin',
    description: 'Time zone for schedules and quiet hours. Default: the system time zone.',
  },
  {
    key: 'CALLFILTER_MQTT_URL',
    kind: 'string',
    example: 'mqtt://homeassistant.local:1883',
    description:
      'MQTT broker for Home Assistant and others (mqtt:// or mqtts://, no credentials in the URL): each call is published, with Home Assistant discovery (docs/notifications.md). Unset: no MQTT.',
  },
  { key: 'CALLFILTER_MQTT_USER', kind: 'string', example: 'callfilter', description: 'User name at the MQTT broker.' },
  {
    key: 'CALLFILTER_MQTT_PASSWORD',
    kind: 'string',
    example: 'the broker password',
    description: 'Password at the MQTT broker (needs CALLFILTER_MQTT_USER). Never logged.',
  },
  {
    key: 'CALLFILTER_MQTT_PREFIX',
    kind: 'string',
    default: 'callfilter',
    example: 'home/callfilter',
    description:
      'Prefix of the MQTT topics (<prefix>/call, <prefix>/last_call, <prefix>/status …); also the Home Assistant device id, so two instances need two prefixes.',
  },
  {
    key: 'CALLFILTER_MQTT_DISCOVERY_PREFIX',
    kind: 'string',
    default: 'homeassistant',
    example: 'ha',
    description: "Home Assistant's MQTT discovery prefix.",
  },
  {
    key: 'CALLFILTER_MQTT_COMMANDS',
    kind: 'boolean',
    default: 'false',
    example: 'true',
    description:
      'Offer the Home Assistant buttons "block last caller" and "allow last caller" (MQTT command topics that do what the page\'s buttons do). Off by default: any client of the broker could press them.',
  },
  {
    key: 'CALLFILTER_WEBHOOK_URL',
    kind: 'string',
    example: 'https://ha.example.org/api/webhook/calls,ntfy+https://ntfy.sh/my-topic',
    description:
      'One or more URLs (comma-separated, at most 10) that get a signed POST per call, retried for a day: plain https:// gets JSON, ntfy+https://… and gotify+https://…/message?token=… get their own shape (docs/notifications.md). Never logged or returned whole (a URL may hold a token).',
  },
  {
    key: 'CALLFILTER_WEBHOOK_EVENTS',
    kind: 'string',
    default: 'all',
    example: 'hangup,announce',
    description:
      'Which calls the webhooks are told about: all, or a list of actions (connect, voicemail, hangup, announce).',
  },
  {
    key: 'CALLFILTER_WEBHOOK_SECRET',
    kind: 'string',
    example: 'the output of openssl rand -hex 32',
    description:
      'Signs every webhook request (X-Callfilter-Signature: t=…,v1=<HMAC-SHA256>), at least 16 characters. Never logged.',
  },
  {
    key: 'CALLFILTER_DIGEST',
    kind: 'string',
    default: 'off',
    example: 'weekly',
    description:
      'An e-mail digest of the calls kept away and the unknown callers sent to voicemail: daily (at 07:00, about the day before), weekly (Mondays at 07:00, about the week before) or off; times in CALLFILTER_TIMEZONE. Needs CALLFILTER_SMTP_URL, CALLFILTER_MAIL_FROM and CALLFILTER_MAIL_TO.',
  },
  {
    key: 'CALLFILTER_SMTP_URL',
    kind: 'string',
    example: 'smtp://user:password@mail.example.org:587',
    description:
      'Mail server for the digest: smtp:// (STARTTLS when offered) or smtps:// (TLS), with the account in the URL (special characters percent-encoded). Never logged.',
  },
  {
    key: 'CALLFILTER_MAIL_FROM',
    kind: 'string',
    example: 'callfilter <callfilter@example.org>',
    description: 'Sender of the digest.',
  },
  {
    key: 'CALLFILTER_MAIL_TO',
    kind: 'string',
    example: 'anna@example.org, ben@example.org',
    description: 'Recipients of the digest, comma-separated.',
  },
  {
    key: 'CALLFILTER_PUBLIC_URL',
    kind: 'string',
    example: 'https://callfilter.example.org/',
    description:
      'How the web page is reached from where notifications are read: mails, webhooks and MQTT messages then link to each call on the page (never with the admin token).',
  },
  {
    key: 'CALLFILTER_VOICEMAIL_DIR',
    kind: 'path',
    example: '/var/spool/asterisk/voicemail',
    description:
      "Asterisk's voicemail spool, read only: the page plays the message a call left, and notifications get a follow-up when it appears. Unset: no voicemail.",
  },
  {
    key: 'CALLFILTER_PHONEBLOCK_TOKEN',
    kind: 'string',
    example: 'your PhoneBlock API key',
    description:
      'PhoneBlock API key (PhoneBlock settings → API keys). Set: a source named phoneblock keeps the list "PhoneBlock" current (docs/lists.md). Stored in the database, never logged, never returned by the API.',
  },
  {
    key: 'CALLFILTER_PHONEBLOCK_URL',
    kind: 'string',
    default: 'https://phoneblock.net/phoneblock/api',
    example: 'https://phoneblock.net/pb-test/api',
    description: "Base URL of PhoneBlock's API; PhoneBlock's test instance is https://phoneblock.net/pb-test/api.",
  },
  {
    key: 'CALLFILTER_PHONEBLOCK_REPORT_BLOCKED',
    kind: 'boolean',
    default: 'false',
    example: 'true',
    description:
      "Report each call the PhoneBlock list blocked to PhoneBlock's call counter (at most 20 a day, PhoneBlock's cap). Needs CALLFILTER_PHONEBLOCK_TOKEN.",
  },
  {
    key: 'CALLFILTER_PHONEBLOCK_LIVE',
    kind: 'boolean',
    default: 'false',
    example: 'true',
    description:
      'Ask PhoneBlock live about a caller on no entry and no list (only the first 4 hex characters of the SHA-1 of the number are sent; answers are kept a day). Late or failing: the local decision stands. Needs a PhoneBlock API key.',
  },
  {
    key: 'CALLFILTER_PHONEBLOCK_LIVE_MS',
    kind: 'integer',
    default: '300',
    example: '200',
    min: 10,
    max: 5000,
    description:
      'How long a call waits for the live PhoneBlock answer, in milliseconds; always cut to fit inside CALLFILTER_DECISION_MS.',
  },
  {
    key: 'CALLFILTER_SYNC_MINUTES',
    kind: 'integer',
    default: '15',
    example: '60',
    min: 5,
    max: 1440,
    description:
      'How often the contact sources (FRITZ!Box, CardDAV) sync, in minutes, and how often the trust of called numbers is checked for expiry.',
  },
  {
    key: 'CALLFILTER_FRITZBOX_URL',
    kind: 'string',
    example: 'http://fritz.box:49000',
    description:
      "The FRITZ!Box's TR-064 address (http on 49000, or https on 49443 with its certificate pinned on first use). Set: a source named fritzbox keeps its phone books as allow entries and its call-barring list as block entries (docs/contacts.md).",
  },
  {
    key: 'CALLFILTER_FRITZBOX_USER',
    kind: 'string',
    example: 'callfilter',
    description: 'The FRITZ!Box user for TR-064; it needs the right "Telefonie" (telephony).',
  },
  {
    key: 'CALLFILTER_FRITZBOX_PASSWORD',
    kind: 'string',
    example: "the box user's password",
    description: 'Password of that user. Stored in the database, never logged, never returned by the API.',
  },
  {
    key: 'CALLFILTER_FRITZBOX_CERT_SHA256',
    kind: 'string',
    example: 'AB:CD:…(64 hex digits)',
    description:
      "SHA-256 fingerprint of the box's certificate (https). Unset: the first one seen is pinned and kept in the source's state.",
  },
  {
    key: 'CALLFILTER_FRITZBOX_PHONEBOOKS',
    kind: 'names',
    example: 'Telefonbuch,Familie',
    description:
      'Names of the phone books whose contacts are allowed, comma-separated. Unset: all. The call-barring list is always read.',
  },
  {
    key: 'CALLFILTER_FRITZBOX_WRITE_BARRING',
    kind: 'boolean',
    default: 'false',
    example: 'true',
    description:
      "Also put a number blocked here on the box's call-barring list (through the outbox), and take it off when unblocked here.",
  },
  {
    key: 'CALLFILTER_CARDDAV_URL',
    kind: 'string',
    example: 'https://cloud.example.org/remote.php/dav',
    description:
      'A CardDAV server (Nextcloud, iCloud, mailbox.org, Radicale, Baïkal). Set: a source named carddav keeps its address books as allow entries (docs/contacts.md).',
  },
  { key: 'CALLFILTER_CARDDAV_USER', kind: 'string', example: 'anna', description: 'CardDAV user name.' },
  {
    key: 'CALLFILTER_CARDDAV_PASSWORD',
    kind: 'string',
    example: 'an app password',
    description:
      'CardDAV password, best an app password. Stored in the database, never logged, never returned by the API.',
  },
  {
    key: 'CALLFILTER_CARDDAV_BOOKS',
    kind: 'names',
    example: 'Kontakte',
    description: 'Names of the address books to read, comma-separated. Unset: all.',
  },
  {
    key: 'CALLFILTER_AMI_URL',
    kind: 'string',
    example: 'tcp://callfilter:secret@127.0.0.1:5038',
    description:
      "Asterisk's manager interface, for the numbers you call (CDR events; the AMI user needs read = cdr). Set: a source named called trusts answered numbers the phones called. The secret is never logged.",
  },
  {
    key: 'CALLFILTER_CALLED_CONTEXTS',
    kind: 'names',
    default: 'from-internal',
    example: 'phones,from-internal',
    description: 'Dialplan contexts of the phones: only calls placed from them count as called numbers.',
  },
  {
    key: 'CALLFILTER_CALLED_TRUST_DAYS',
    kind: 'integer',
    default: '180',
    example: '365',
    min: 1,
    max: 3650,
    description: 'A called number stays allowed this many days after the last answered call to it.',
  },
  {
    key: 'CALLFILTER_CALLED_OUTSIDE_PREFIX',
    kind: 'string',
    example: '0',
    description:
      'Digits the phones dial first for an outside line, stripped before the number is read. Unset: numbers are dialled as they are.',
  },
  {
    key: 'CALLFILTER_LOG_LEVEL',
    kind: 'level',
    default: 'info',
    example: 'debug',
    description: 'Log level: fatal, error, warn, info, debug, trace or silent.',
  },
] as const satisfies readonly EnvVar[];

export type EnvKey = (typeof ENV_VARS)[number]['key'];
