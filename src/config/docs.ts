/**
 * Renders docs/configuration.md from the settings table (env-schema.ts), the policy steps and the default profile,
 * so the documentation cannot drift from the code: `npm run docs:config` writes it, and a test checks that the
 * committed file equals this rendering.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultProfile } from '../policy/defaults.js';
import { type ActionSpec, STEPS, type Step } from '../policy/types.js';
import { ENV_VARS, type EnvVar } from './env-schema.js';
import type { ConfigFile } from './file.js';

/** What each policy step (the keys of `actions`) is about, in DESIGN.md's order. */
const STEP_MEANINGS: Record<Step, string> = {
  internal:
    'internal callers: calls the dialplan marks `internal` (the second AGI argument), narrowed by `CALLFILTER_INTERNAL_PATTERN` when set',
  allow: 'your allow list and contacts',
  block: 'your blocklist (an entry may carry its own action)',
  list: "a number on an imported call-centre / spam list, at or above the list's threshold",
  withheld: 'withheld (anonymous) callers',
  implausible: 'numbers that cannot exist in their country (often spoofed)',
  foreign: 'callers from another country than `CALLFILTER_HOME_COUNTRY`',
  unknown: 'everyone else',
};

/** Type words for the table; ranges come from the schema. */
const KIND_WORDS: Record<EnvVar['kind'], string> = {
  string: 'text',
  path: 'file or folder path',
  host: 'IP address or host name',
  port: 'TCP port',
  integer: 'whole number',
  boolean: '`true` or `false`',
  country: 'ISO 3166 country code',
  digits: 'digits',
  regex: 'regular expression',
  list: 'comma-separated list',
  names: 'comma-separated names',
  level: 'log level',
  timezone: 'IANA time zone',
  language: '`de` or `en`',
};

/**
 * The example config file shown in the docs. Exported so a test can check it passes the real validator
 * (parseConfigFile): a documented example that the service would refuse is worse than none.
 */
export const EXAMPLE_CONFIG_FILE = {
  repeatCaller: { windowMinutes: 10 },
  actions: {
    block: { action: 'announce', announcement: 'callfilter/polite-decline' },
    withheld: { action: 'voicemail' },
  },
  schedules: [{ name: 'night', days: [0, 1, 2, 3, 4, 5, 6], from: '22:00', to: '07:00', quiet: true }],
  profiles: [
    {
      name: 'business',
      dids: ['+4930999999'],
      schedules: [
        {
          name: 'office hours',
          days: [1, 2, 3, 4, 5],
          from: '08:00',
          to: '18:00',
          actions: { unknown: { action: 'connect' }, foreign: { action: 'connect' } },
        },
      ],
    },
  ],
  trunks: [
    { context: 'from-sipgate', format: 'international-bare' },
    { channelPrefix: 'PJSIP/pbx-', format: 'national', stripPrefix: '0' },
  ],
} as const satisfies ConfigFile;

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string) => `\`${text}\``;

function typeOf(v: EnvVar): string {
  const word = KIND_WORDS[v.kind];
  if ((v.kind === 'integer' || v.kind === 'port') && v.min !== undefined && v.max !== undefined)
    return `${word}, ${v.min}–${v.max}`;
  return word;
}

function envTable(vars: readonly EnvVar[]): string[] {
  const lines = ['| Variable | Default | Example | Type | Meaning |', '|---|---|---|---|---|'];
  for (const v of vars) {
    const def = v.default === undefined ? '—' : code(v.default);
    lines.push(
      `| ${code(v.key)} | ${cell(def)} | ${cell(code(v.example))} | ${cell(typeOf(v))} | ${cell(v.description)} |`,
    );
  }
  return lines;
}

function envFile(vars: readonly EnvVar[]): string[] {
  const lines = [
    '```sh',
    '# callfilter settings: uncomment and change what you need. Every line shows the default',
    '# (or an example, for settings that are unset by default).',
  ];
  for (const v of vars) lines.push(v.default === undefined ? `#${v.key}=${v.example}` : `#${v.key}=${v.default}`);
  lines.push('```');
  return lines;
}

function showAction(spec: ActionSpec): string {
  if (spec.action === 'hangup') return `\`hangup\`, cause ${spec.cause ?? 21}`;
  if (spec.action === 'announce') {
    return spec.announcement
      ? `\`announce\` \`${spec.announcement}\``
      : '`announce` `callfilter/polite-decline`, in the language of `CALLFILTER_LANGUAGE`';
  }
  return code(spec.action);
}

function stepsTable(): string[] {
  const base = defaultProfile();
  const lines = ['| Step (key in `actions`) | Default action | Applies to |', '|---|---|---|'];
  for (const step of STEPS)
    lines.push(`| ${code(step)} | ${showAction(base.actions[step])} | ${cell(STEP_MEANINGS[step])} |`);
  return lines;
}

/** The whole of docs/configuration.md. Pure: the same schema gives the same text. */
export function renderConfigurationDoc(vars: readonly EnvVar[] = ENV_VARS): string {
  const repeat = defaultProfile().repeatCaller;
  const out = [
    '# Configuration',
    '',
    '<!-- Generated by `npm run docs:config` from src/config/env-schema.ts and the policy defaults. Do not edit by',
    '     hand: change the schema and run the script again (a test fails when this file is out of date). -->',
    '',
    'callfilter is configured by environment variables, all optional, plus an optional JSON file (named by',
    '`CALLFILTER_CONFIG`) for the structured part: per-step actions, schedules, profiles per called number, and trunk',
    'rules. The home country and area code may also be kept in the database (see below). A setting that is wrong —',
    'from any of these places — stops the service at start, before it listens, with one line that names the setting',
    'and the value (exit code 78), instead of running with a surprise; every command of `callfilter` checks them the',
    "same way before it acts. Besides each value's form this checks what only the numbering can tell: a country",
    'libphonenumber knows, an area code of that country (`170` is a mobile prefix, not an area code), an internal',
    'pattern that matches no ordinary number, trunk rules that can apply. An empty value counts as unset.',
    '',
    '## Environment variables',
    '',
    ...envTable(vars),
    '',
    "The same settings as an environment file (for systemd's `EnvironmentFile=`, or docker compose's `env_file:`):",
    '',
    ...envFile(vars),
    '',
    '## Settings kept in the database',
    '',
    '`npm start` never waits for input. A new installation does not know its home area code, so on a data folder',
    'without one (neither `CALLFILTER_HOME_AREA_CODE` nor a stored value) the service starts anyway and logs a hint.',
    'Until the area code is known, a caller whose number comes without it (`222222`) is screened as `unknown`, with',
    'the hint in the log text, and logged with the number as sent — never as a made-up `+49222222`. Set it up with',
    '',
    '```sh',
    'callfilter setup --country DE --area-code 30',
    '```',
    '',
    'or in the form the web page shows after signing in while the area code is missing (in the admin API:',
    '`GET` and `PUT /api/v1/settings`). Both keep the values in the database, check them as strictly as the',
    'environment, and take effect for the next call and `explain` without a restart (a running service picks up',
    'what `callfilter setup` stored within a few seconds). `callfilter setup` without options prints what is in',
    'force.',
    '',
    "Precedence, highest first: the environment variable, the config file's key (`homeCountry`, `homeAreaCode`), the",
    'database, the default. `callfilter setup` names where each value comes from: `area code: 30 (database)`, or',
    '`area code: 89 (CALLFILTER_HOME_AREA_CODE wins over 30 in the database)`.',
    '',
    '## The config file',
    '',
    'Everything in it is optional; what it does not name keeps the built-in default. Unknown keys are refused, with',
    'the path of the offending setting in the message (`profiles[0].actions.unknown.action: …`).',
    '',
    '```json',
    JSON.stringify(EXAMPLE_CONFIG_FILE, null, 2),
    '```',
    '',
    'Read top to bottom, this file:',
    '',
    '- waits 10 minutes instead of 5 for a second call that counts as a repeat caller;',
    '- plays the polite announcement to numbers on your blocklist instead of hanging up on them;',
    '- sends every call to voicemail between 22:00 and 07:00 (quiet hours), except VIP contacts;',
    '- lets unknown and foreign callers ring through on the business line +4930999999 on weekdays from 08:00 to 18:00;',
    '- reads numbers from the trunk whose dialplan context is `from-sipgate` as country code without `+` (`49301234567`),',
    '  and strips the leading `0` (the outside-line digit) from numbers on channels `PJSIP/pbx-…`.',
    '',
    '### Keys',
    '',
    '| Key | Meaning |',
    '|---|---|',
    '| `homeCountry`, `homeAreaCode` | As `CALLFILTER_HOME_COUNTRY` and `CALLFILTER_HOME_AREA_CODE` (which win), as strings: `"DE"`, `"30"`. They win over the values kept in the database. |',
    '| `monitor` | `true`: decide and log every call, but always connect (same as `CALLFILTER_MONITOR=true`). |',
    `| \`repeatCaller\` | \`{ "enabled": ${repeat.enabled}, "windowMinutes": ${repeat.windowMinutes}, "minCalls": ${repeat.minCalls} }\` by default: a caller whose call would go to voicemail (implausible, foreign, unknown) rings through when they called at least \`minCalls\` times within the last \`windowMinutes\` minutes (1–1440). |`,
    '| `actions` | The action per policy step, see below. Each is `{ "action": …, "cause": 1–127, "announcement": "sound/file" }`; `cause` only with `hangup`, `announcement` required with `announce`. |',
    '| `schedules` | Time windows `{ "name", "days": [0–6, 0 = Sunday], "from": "HH:MM", "to": "HH:MM" }` in `CALLFILTER_TIMEZONE`; `to` before `from` spans midnight. Each has `"quiet": true` (connect becomes voicemail, except VIP contacts) and/or its own `actions` that apply inside the window. |',
    '| `profiles` | Per called number (DID, as the dialplan passes it): `{ "name", "dids": [...], "actions", "repeatCaller", "schedules" }`. A profile inherits everything it does not name from the top level. Profiles made in the admin API add to these; on a DID both name, the file wins. |',
    '| `trunks` | Number-format fixes per trunk: `{ "context" or "channelPrefix", "format": "international-bare" \\| "national" \\| "international", "stripPrefix": "digits" }`, matched against `agi_context` / the start of `agi_channel`. |',
    '',
    '### Policy steps',
    '',
    'First match wins. The `action` values are the ones the dialplan understands: `connect`, `voicemail`, `hangup`',
    '(with a Q.850 cause: 21 call rejected → SIP 403, 17 user busy → 486, 1 unallocated number → 404) and `announce`',
    '(play a sound file, then hang up).',
    '',
    ...stepsTable(),
    '',
  ];
  return out.join('\n');
}

/** `npm run docs:config` (node dist/src/config/docs.js [file]): writes the rendering, by default to docs/configuration.md. */
function main(): void {
  const file = resolve(process.argv[2] ?? join(process.cwd(), 'docs', 'configuration.md'));
  writeFileSync(file, renderConfigurationDoc());
  process.stdout.write(`wrote ${file}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
