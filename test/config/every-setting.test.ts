/**
 * Every key of the env table with a bad value: the service (the real process) exits 78 before it listens, and a
 * command exits 78 before it acts, each with one line naming the key and the value. The keys come from ENV_VARS and
 * the bad values from a table per kind, so a key added later is walked without touching this file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { ENV_VARS, type EnvKind, type EnvVar } from '../../src/config/env-schema.js';
import { tempDir } from '../helpers/service.js';
import { ENTRY, startChild } from '../reliability/processes.js';

/** No value of a free text is wrong; a key of such a kind with rules of its own is in BY_KEY. */
const FREE = 'free text';

/** Bad values per kind: the first fails the form; a second, where there is one, passes the form and fails the meaning. */
const BY_KIND: Record<EnvKind, readonly string[] | typeof FREE> = {
  string: FREE,
  path: ['/dev/null/callfilter'], // below a file: neither a folder that can be made nor a file that can be read
  host: ['local host'],
  port: ['http'],
  integer: ['many'],
  boolean: ['maybe'],
  country: ['Germany', 'XX'], // XX: two letters, but no country libphonenumber knows
  digits: ['30a', '170'], // 170: digits, but a mobile prefix, not an area code in DE
  regex: ['([', '\\d{3}'], // \d{3}: valid, but matches every ordinary number, which would never be filtered
  list: ['localhost', ','], // ',': an allow list of nobody
  names: [','], // names nothing; any name is a name (whether the box or server has it shows at the sync)
  level: ['loud'],
  timezone: ['Mars/Olympus'],
  language: ['fr'],
};

/** Keys whose kind is free text but whose values have rules. */
const BY_KEY: Partial<Record<string, readonly string[]>> = {
  CALLFILTER_ADMIN_TOKEN: ['hunter2'],
  CALLFILTER_AGI_SECRET: ['0123456789', 'a key, with a comma and spaces'],
  CALLFILTER_PHONEBLOCK_TOKEN: ['a key with spaces'],
  CALLFILTER_PHONEBLOCK_URL: ['ftp://phoneblock.net/api', 'phoneblock.net'],
  CALLFILTER_MQTT_URL: ['http://127.0.0.1:1883'],
  CALLFILTER_MQTT_PASSWORD: ['pw-123456'], // without CALLFILTER_MQTT_USER
  CALLFILTER_MQTT_PREFIX: ['home/#'],
  CALLFILTER_MQTT_DISCOVERY_PREFIX: ['ha/+'],
  CALLFILTER_WEBHOOK_URL: ['ftp://example.org/hook'],
  CALLFILTER_WEBHOOK_EVENTS: ['ring'],
  CALLFILTER_WEBHOOK_SECRET: ['k3y-0f-12'],
  CALLFILTER_DIGEST: ['hourly', 'weekly'], // weekly: on, but no mail server or recipients
  CALLFILTER_SMTP_URL: ['http://mail.example.org'],
  CALLFILTER_MAIL_FROM: ['not an address', 'a@example.org, b@example.org'],
  CALLFILTER_MAIL_TO: ['not an address'],
  CALLFILTER_PUBLIC_URL: ['callfilter.local'],
  CALLFILTER_FRITZBOX_URL: ['fritz.box'],
  CALLFILTER_FRITZBOX_CERT_SHA256: ['AB:CD'],
  CALLFILTER_CARDDAV_URL: ['cloud.example.org'],
  CALLFILTER_AMI_URL: ['http://127.0.0.1:5038'],
  CALLFILTER_DATABASE_URL: ['mysql://db.example/callfilter', 'postgres://db.example', 'db.example'],
  CALLFILTER_CALLED_OUTSIDE_PREFIX: ['0a'],
};

/** Settings read only beside another: the bad value is tried with that other one set to something good. */
const WITH: Partial<Record<string, Record<string, string>>> = {
  CALLFILTER_MQTT_PASSWORD: { CALLFILTER_MQTT_URL: 'mqtt://127.0.0.1:1' },
  CALLFILTER_MQTT_PREFIX: { CALLFILTER_MQTT_URL: 'mqtt://127.0.0.1:1' },
  CALLFILTER_MQTT_DISCOVERY_PREFIX: { CALLFILTER_MQTT_URL: 'mqtt://127.0.0.1:1' },
  CALLFILTER_FRITZBOX_CERT_SHA256: { CALLFILTER_FRITZBOX_URL: 'https://127.0.0.1:1' },
  CALLFILTER_CALLED_OUTSIDE_PREFIX: { CALLFILTER_AMI_URL: 'tcp://callfilter:secret@127.0.0.1:1' },
};

/**
 * Keys that take any value (a free string: a label, say), declared here so that a key added without a bad value is
 * a decision, not an oversight. None so far.
 */
const ANY_VALUE: ReadonlySet<string> = new Set<string>([
  // User names and passwords of other systems: whatever they accept; a wrong one shows as the source's or channel's error.
  'CALLFILTER_MQTT_USER',
  'CALLFILTER_FRITZBOX_USER',
  'CALLFILTER_FRITZBOX_PASSWORD',
  'CALLFILTER_CARDDAV_USER',
  'CALLFILTER_CARDDAV_PASSWORD',
]);

/** Secrets: the message names the key and the rule, never the value (errors end up in logs). */
const SECRETS = new Set([
  'CALLFILTER_ADMIN_TOKEN',
  'CALLFILTER_AGI_SECRET',
  'CALLFILTER_PHONEBLOCK_TOKEN',
  'CALLFILTER_MQTT_PASSWORD',
  'CALLFILTER_WEBHOOK_URL', // may hold a token
  'CALLFILTER_WEBHOOK_SECRET',
  'CALLFILTER_SMTP_URL', // holds the mail account
  'CALLFILTER_AMI_URL', // holds the AMI secret
  'CALLFILTER_DATABASE_URL', // holds the database password
]);

function badValues(v: EnvVar): readonly string[] {
  const own = BY_KEY[v.key];
  if (own) return own;
  const byKind = BY_KIND[v.kind];
  if (byKind === FREE) return [];
  // A number just past its range, for every bounded integer and port.
  return v.max === undefined ? byKind : [...byKind, String(v.max + 1)];
}

const CASES = (ENV_VARS as readonly EnvVar[]).flatMap((v) => badValues(v).map((value) => [v.key, value] as const));
const FREE_KEYS = (ENV_VARS as readonly EnvVar[]).filter((v) => badValues(v).length === 0).map((v) => v.key);

function expectNamed(message: string, key: string, value: string): void {
  expect(message.trim().split('\n'), message).toHaveLength(1);
  expect(message).toContain(key);
  if (SECRETS.has(key)) expect(message).not.toContain(value);
  else expect(message).toContain(JSON.stringify(value));
}

describe('every setting of the env table', () => {
  it('has a bad value, or is declared to take any value', () => {
    expect(
      FREE_KEYS.filter((key) => !ANY_VALUE.has(key)),
      'add a bad value to BY_KIND or BY_KEY, or the key to ANY_VALUE',
    ).toEqual([]);
    expect(CASES.length).toBeGreaterThanOrEqual(ENV_VARS.length);
  });

  it.each(CASES)(
    '%s=%j: the service exits 78 before it listens, naming key and value',
    async (key, value) => {
      if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build first`);
      const dir = tempDir();
      const proc = startChild([ENTRY], {
        CALLFILTER_DATA_DIR: dir,
        CALLFILTER_AGI_PORT: '0',
        CALLFILTER_HTTP_PORT: '0',
        ...WITH[key],
        [key]: value,
      });
      const { code } = await proc.exited;
      expect(code, proc.stderr()).toBe(78);
      expect(proc.stderr()).toMatch(/^callfilter: /);
      expectNamed(proc.stderr(), key, value);
      expect(proc.stdout()).not.toContain('callfilter is screening calls');
    },
    20_000,
  );

  it.each(CASES)('%s=%j: a command exits 78 before it acts, naming key and value', async (key, value) => {
    const err: string[] = [];
    const out: string[] = [];
    const dir = tempDir();
    const env = { CALLFILTER_DATA_DIR: dir, CALLFILTER_LOG_LEVEL: 'silent', ...WITH[key], [key]: value };
    const code = await run(
      ['block', '030 1234567'],
      (l) => out.push(l),
      (l) => err.push(l),
      env,
    );
    expect(code, err.join('\n')).toBe(78);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(/^callfilter block: /);
    expectNamed(err.join('\n'), key, value);
    // Before it acts: nothing was blocked (a setting checked once the database is open leaves it without entries).
    if (existsSync(join(dir, 'callfilter.db'))) {
      const listed: string[] = [];
      expect(
        await run(
          ['list'],
          (l) => listed.push(l),
          () => {},
          { CALLFILTER_DATA_DIR: dir, CALLFILTER_LOG_LEVEL: 'silent' },
        ),
      ).toBe(0);
      expect(listed).toEqual(['no entries']);
    }
  });
});
