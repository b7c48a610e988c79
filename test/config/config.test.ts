import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/env.js';
import { createAllowList } from '../../src/net/allow-list.js';

describe('loadConfig', () => {
  it('runs with no configuration at all: the embedded defaults', () => {
    const c = loadConfig({ env: {} });
    expect(c.dataDir).toBe(resolve('./data'));
    expect(c.dbFile).toBe(join(resolve('./data'), 'callfilter.db'));
    expect(c.agi).toEqual({
      host: '127.0.0.1',
      port: 4573,
      allow: ['127.0.0.0/8', '::1'],
      maxConnections: 1000,
      maxPerAddress: 100,
    });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080, importLimitBytes: 64 * 1024 * 1024, metricsPublic: false });
    expect(c.adminToken).toBeUndefined();
    expect(c.numbering).toEqual({ homeCountry: 'DE', trunkRules: [] });
    expect(c.decisionMs).toBe(1000);
    expect(c.setCallerIdName).toBe(true);
    expect(c.policy.monitor).toBe(false);
    expect(c.policy.homeCountry).toBe('DE');
    expect(c.policy.defaultProfile.actions.block).toEqual({ action: 'hangup', cause: 21 });
    expect(c.policy.defaultProfile.actions.unknown).toEqual({ action: 'voicemail' });
    expect(c.policy.profiles).toEqual([]);
  });

  it('reads every variable it documents', () => {
    const c = loadConfig({
      env: {
        CALLFILTER_DATA_DIR: '/tmp/cf',
        CALLFILTER_AGI_HOST: '0.0.0.0',
        CALLFILTER_AGI_PORT: '4574',
        CALLFILTER_AGI_ALLOW: '127.0.0.1, 172.20.0.0/16',
        CALLFILTER_AGI_MAX_PER_ADDRESS: '20',
        CALLFILTER_AGI_SECRET: 'a-16-char.key~ok',
        CALLFILTER_HOME_COUNTRY: 'at',
        CALLFILTER_HOME_AREA_CODE: '01',
        CALLFILTER_INTERNAL_PATTERN: '^[1-9]\\d{2}$',
        CALLFILTER_DECISION_MS: '500',
        CALLFILTER_MONITOR: 'yes',
        CALLFILTER_SET_CALLERID_NAME: 'false',
        CALLFILTER_TIMEZONE: 'Europe/Vienna',
        CALLFILTER_HTTP_HOST: '0.0.0.0',
        CALLFILTER_HTTP_PORT: '8081',
        CALLFILTER_ADMIN_TOKEN: ' s3cret-token-for-the-api ',
        CALLFILTER_METRICS_PUBLIC: 'true',
        CALLFILTER_IMPORT_LIMIT_MB: '128',
      },
    });
    expect(c.http).toEqual({ host: '0.0.0.0', port: 8081, importLimitBytes: 128 * 1024 * 1024, metricsPublic: true });
    expect(c.adminToken).toBe('s3cret-token-for-the-api');
    expect(c.dbFile).toBe('/tmp/cf/callfilter.db');
    expect(c.agi).toEqual({
      host: '0.0.0.0',
      port: 4574,
      allow: ['127.0.0.1', '172.20.0.0/16'],
      maxConnections: 1000,
      maxPerAddress: 20,
      secret: 'a-16-char.key~ok',
    });
    expect(c.numbering.homeCountry).toBe('AT');
    expect(c.numbering.homeAreaCode).toBe('1');
    expect(c.numbering.internalPattern?.test('100')).toBe(true);
    expect(c.decisionMs).toBe(500);
    expect(c.policy.monitor).toBe(true);
    expect(c.setCallerIdName).toBe(false);
    expect(c.policy.timeZone).toBe('Europe/Vienna');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ env: { CALLFILTER_AGI_PORT: '', CALLFILTER_HOME_AREA_CODE: ' ' } }).agi.port).toBe(4573);
  });

  it.each([
    ['CALLFILTER_AGI_PORT', 'abc', 'CALLFILTER_AGI_PORT: "abc" is not a port number'],
    ['CALLFILTER_AGI_PORT', '70000', 'CALLFILTER_AGI_PORT: "70000" is out of range (0–65535)'],
    ['CALLFILTER_DECISION_MS', '10', 'CALLFILTER_DECISION_MS: "10" is out of range (50–10000)'],
    [
      'CALLFILTER_HOME_COUNTRY',
      'Germany',
      'CALLFILTER_HOME_COUNTRY: "Germany" is not a two-letter country code (e.g. DE)',
    ],
    ['CALLFILTER_HOME_AREA_CODE', '30a', 'CALLFILTER_HOME_AREA_CODE: "30a" is not an area code (digits, e.g. 30)'],
    ['CALLFILTER_MONITOR', 'maybe', 'CALLFILTER_MONITOR: "maybe" is not a boolean (use true or false)'],
    ['CALLFILTER_INTERNAL_PATTERN', '([', 'CALLFILTER_INTERNAL_PATTERN: "([" is not a valid regular expression'],
    [
      'CALLFILTER_TIMEZONE',
      'Mars/Olympus',
      'CALLFILTER_TIMEZONE: "Mars/Olympus" is not an IANA time zone (e.g. Europe/Berlin)',
    ],
    [
      'CALLFILTER_LOG_LEVEL',
      'loud',
      'CALLFILTER_LOG_LEVEL: "loud" is not a log level (fatal, error, warn, info, debug, trace, silent)',
    ],
    ['CALLFILTER_HTTP_PORT', 'web', 'CALLFILTER_HTTP_PORT: "web" is not a port number'],
    ['CALLFILTER_HTTP_HOST', 'local host', 'CALLFILTER_HTTP_HOST: "local host" is not an IP address or host name'],
    ['CALLFILTER_METRICS_PUBLIC', 'sure', 'CALLFILTER_METRICS_PUBLIC: "sure" is not a boolean (use true or false)'],
    ['CALLFILTER_IMPORT_LIMIT_MB', '0', 'CALLFILTER_IMPORT_LIMIT_MB: "0" is out of range (1–1024)'],
    // The token itself is a secret: the message names the rule, never the value.
    [
      'CALLFILTER_ADMIN_TOKEN',
      'hunter2',
      'CALLFILTER_ADMIN_TOKEN: is too short (at least 16 characters; unset it to have one generated)',
    ],
    [
      'CALLFILTER_ADMIN_TOKEN',
      'correct horse battery staple',
      'CALLFILTER_ADMIN_TOKEN: may only contain printable ASCII characters without spaces (it is sent in an HTTP header)',
    ],
    ['CALLFILTER_AGI_MAX_PER_ADDRESS', '0', 'CALLFILTER_AGI_MAX_PER_ADDRESS: "0" is out of range (1–100000)'],
    // The FastAGI key is a secret too, and it travels in a URL and a dialplan line.
    [
      'CALLFILTER_AGI_SECRET',
      'short-key',
      'CALLFILTER_AGI_SECRET: is too short (at least 16 characters, e.g. from `openssl rand -hex 16`)',
    ],
    [
      'CALLFILTER_AGI_SECRET',
      'with,comma&amp;and-more',
      'CALLFILTER_AGI_SECRET: may only contain letters, digits, "-", "_", "." and "~" (it is sent in the AGI URL)',
    ],
  ])('%s=%s is refused with a message naming key and value', (key, value, message) => {
    expect(() => loadConfig({ env: { [key]: value } })).toThrow(message);
    expect(() => loadConfig({ env: { [key]: value } })).toThrow(message);
  });
});

describe('the config file', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function withFile(content: string) {
    dir = mkdtempSync(join(tmpdir(), 'callfilter-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, content);
    return { CALLFILTER_CONFIG: file };
  }

  it('builds profiles that inherit what they do not name', () => {
    const c = loadConfig({
      env: withFile(
        JSON.stringify({
          repeatCaller: { windowMinutes: 10 },
          actions: { list: { action: 'hangup', cause: 1 } },
          profiles: [{ name: 'business', dids: ['+4930999999'], actions: { unknown: { action: 'connect' } } }],
          trunks: [{ context: 'from-sipgate', format: 'international-bare' }],
        }),
      ),
    });
    expect(c.policy.defaultProfile.actions.list).toEqual({ action: 'hangup', cause: 1 });
    expect(c.policy.defaultProfile.repeatCaller.windowMinutes).toBe(10);
    const business = c.policy.profiles[0];
    expect(business?.dids).toEqual(['+4930999999']);
    expect(business?.actions.unknown).toEqual({ action: 'connect' });
    expect(business?.actions.list).toEqual({ action: 'hangup', cause: 1 });
    expect(business?.repeatCaller.windowMinutes).toBe(10);
    expect(c.numbering.trunkRules).toEqual([{ context: 'from-sipgate', format: 'international-bare' }]);
  });

  it.each([
    ['{ "monitor": "yes" }', 'monitor: "yes" is not true or false'],
    ['{ "actoins": {} }', 'actoins: {} is not a known setting'],
    [
      '{ "actions": { "unknown": { "action": "drop" } } }',
      'actions.unknown.action: "drop" is not one of connect, voicemail, hangup, announce',
    ],
    [
      '{ "profiles": [{ "name": "b", "dids": ["1"], "schedules": [{ "name": "x", "days": [7], "from": "08:00", "to": "18:00", "quiet": true }] }] }',
      'profiles[0].schedules[0].days[0]: 7 is not a whole number from 0 to 6',
    ],
    [
      '{ "schedules": [{ "name": "night", "days": [1], "from": "25:00", "to": "07:00", "quiet": true }] }',
      'schedules[0].from: "25:00" is not a time like 22:00',
    ],
    [
      '{ "trunks": [{ "format": "international-bare" }] }',
      'trunks[0]: {"format":"international-bare"} needs a context or a channelPrefix',
    ],
    [
      '{ "profiles": [{ "name": "a", "dids": [] }, { "name": "a", "dids": [] }] }',
      'profiles: the name "a" is used twice',
    ],
    ['{ not json', 'is not valid JSON'],
  ])('%s is refused: %s', (content, message) => {
    const env = withFile(content);
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(message);
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadConfig({ env: { CALLFILTER_CONFIG: '/nonexistent/callfilter.json' } })).toThrow(
      /^CALLFILTER_CONFIG: cannot read "\/nonexistent\/callfilter.json"/,
    );
  });
});

describe('the FastAGI allow-list', () => {
  it('matches addresses and CIDR ranges, IPv4-mapped IPv6 included', () => {
    const allow = createAllowList(['127.0.0.0/8', '::1', '172.20.0.5']);
    expect(allow('127.0.0.1')).toBe(true);
    expect(allow('127.8.9.10')).toBe(true);
    expect(allow('::ffff:127.0.0.1')).toBe(true);
    expect(allow('::1')).toBe(true);
    expect(allow('172.20.0.5')).toBe(true);
    expect(allow('172.20.0.6')).toBe(false);
    expect(allow('10.0.0.1')).toBe(false);
    expect(allow('garbage')).toBe(false);
  });

  it('answers the same for an address asked again, also after more addresses than it remembers', () => {
    const allow = createAllowList(['10.0.0.0/24']);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 600; i++) {
        const addr = `10.0.${i >> 8}.${i & 255}`;
        expect(allow(addr), addr).toBe(i < 256);
      }
    }
  });

  it('refuses entries that are not addresses', () => {
    expect(() => createAllowList(['localhost'])).toThrow(
      'CALLFILTER_AGI_ALLOW: "localhost" is not an address or CIDR range',
    );
    expect(() => createAllowList(['10.0.0.0/33'])).toThrow(
      'CALLFILTER_AGI_ALLOW: "10.0.0.0/33" has a bad prefix length',
    );
  });
});
