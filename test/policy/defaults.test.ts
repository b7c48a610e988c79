/** The default profile is the table in DESIGN.md; profiles are picked by DID; decide is pure. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decide, selectProfile } from '../../src/policy/decide.js';
import { defaultPolicyConfig, defaultProfile } from '../../src/policy/defaults.js';
import type { PolicyConfig } from '../../src/policy/types.js';
import { baseConfig, callsAgo, entry, hit, night, num, profile, WED_2330 } from './fixtures.js';

describe('defaultProfile', () => {
  it('is the DESIGN.md table', () => {
    expect(defaultProfile()).toEqual({
      name: 'default',
      dids: [],
      actions: {
        internal: { action: 'connect' },
        allow: { action: 'connect' },
        block: { action: 'hangup', cause: 21 },
        list: { action: 'announce' },
        withheld: { action: 'voicemail' },
        implausible: { action: 'voicemail' },
        foreign: { action: 'voicemail' },
        unknown: { action: 'voicemail' },
      },
      repeatCaller: { enabled: true, windowMinutes: 5, minCalls: 1 },
      schedules: [],
    });
  });

  it('is a fresh copy each time', () => {
    const a = defaultProfile();
    a.actions.block.cause = 17;
    a.repeatCaller.windowMinutes = 60;
    expect(defaultProfile().actions.block.cause).toBe(21);
    expect(defaultProfile().repeatCaller.windowMinutes).toBe(5);
  });
});

describe('defaultPolicyConfig', () => {
  it('monitor off, home DE, the host zone, no profiles', () => {
    const c = defaultPolicyConfig();
    expect(c).toMatchObject({ monitor: false, homeCountry: 'DE', profiles: [], defaultProfile: defaultProfile() });
    expect(c.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  });
});

describe('selectProfile', () => {
  const config: PolicyConfig = {
    ...defaultPolicyConfig(),
    profiles: [
      profile('shop', ['+4930111', '+4930222']),
      profile('also-shop', ['+4930222']),
      profile('home-office', ['+4930333']),
    ],
  };
  it.each([
    ['+4930111', 'shop'],
    ['+4930222', 'shop'], // first profile naming the DID
    ['+4930333', 'home-office'],
    ['+4930444', 'default'],
    ['', 'default'],
    [undefined, 'default'],
  ] as const)('%s → %s', (did, name) => {
    expect(selectProfile(did, config).name).toBe(name);
  });
});

describe('decide is pure', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads no clock and changes none of its inputs', () => {
    vi.spyOn(Date, 'now').mockImplementation(() => {
      throw new Error('decide read the clock');
    });
    const config = baseConfig();
    config.defaultProfile.schedules = [night];
    const matches = {
      entries: [entry({ id: 1, number: '+49301234567', kind: 'allow', source: 'vcard', label: 'Anna' })],
      lists: [hit({ entryId: 2, number: '+49301234567' })],
    };
    const recent = callsAgo(WED_2330, 1);
    const before = structuredClone({ config, matches, recent });
    const facts = { caller: num('+49301234567'), did: '+4930555000' };
    const first = decide(facts, matches, recent, WED_2330, config);
    const second = decide(facts, matches, recent, WED_2330, config);
    expect(second).toEqual(first);
    expect({ config, matches, recent }).toEqual(before);
  });
});
