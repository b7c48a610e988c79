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
  level: ['loud'],
  timezone: ['Mars/Olympus'],
  language: ['fr'],
};

/** Keys whose kind is free text but whose values have rules. */
const BY_KEY: Partial<Record<string, readonly string[]>> = {
  CALLFILTER_ADMIN_TOKEN: ['hunter2'],
  CALLFILTER_AGI_SECRET: ['short-key'],
  CALLFILTER_PHONEBLOCK_TOKEN: ['two words'],
  CALLFILTER_PHONEBLOCK_URL: ['phoneblock.net/api'],
};

/**
 * Keys that take any value (a free string: a label, say), declared here so that a key added without a bad value is
 * a decision, not an oversight. None so far.
 */
const ANY_VALUE: ReadonlySet<string> = new Set<string>([]);

/** Secrets: the message names the key and the rule, never the value (errors end up in logs). */
const SECRETS = new Set(['CALLFILTER_ADMIN_TOKEN', 'CALLFILTER_AGI_SECRET', 'CALLFILTER_PHONEBLOCK_TOKEN']);

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
    expect(FREE_KEYS.filter((key) => !ANY_VALUE.has(key)), 'add a bad value to BY_KIND or BY_KEY, or the key to ANY_VALUE').toEqual([]);
    expect(CASES.length).toBeGreaterThanOrEqual(ENV_VARS.length);
  });

  it.each(CASES)('%s=%j: the service exits 78 before it listens, naming key and value', async (key, value) => {
    if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build first`);
    const dir = tempDir();
    const proc = startChild([ENTRY], { CALLFILTER_DATA_DIR: dir, CALLFILTER_AGI_PORT: '0', CALLFILTER_HTTP_PORT: '0', [key]: value });
    const { code } = await proc.exited;
    expect(code, proc.stderr()).toBe(78);
    expect(proc.stderr()).toMatch(/^callfilter: /);
    expectNamed(proc.stderr(), key, value);
    expect(proc.stdout()).not.toContain('callfilter is screening calls');
  }, 20_000);

  it.each(CASES)('%s=%j: a command exits 78 before it acts, naming key and value', async (key, value) => {
    const err: string[] = [];
    const out: string[] = [];
    const dir = tempDir();
    const env = { CALLFILTER_DATA_DIR: dir, CALLFILTER_LOG_LEVEL: 'silent', [key]: value };
    const code = await run(['block', '030 1234567'], (l) => out.push(l), (l) => err.push(l), env);
    expect(code, err.join('\n')).toBe(78);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(/^callfilter block: /);
    expectNamed(err.join('\n'), key, value);
    // Before it acts: nothing was blocked (a setting checked once the database is open leaves it without entries).
    if (existsSync(join(dir, 'callfilter.db'))) {
      const listed: string[] = [];
      expect(await run(['list'], (l) => listed.push(l), () => {}, { CALLFILTER_DATA_DIR: dir, CALLFILTER_LOG_LEVEL: 'silent' })).toBe(0);
      expect(listed).toEqual(['no entries']);
    }
  });
});
