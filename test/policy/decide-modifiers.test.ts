/** Modifiers (DESIGN.md "Policy"): repeat caller, quiet hours, schedules, profiles per DID, monitor mode. */
import { describe, expect, it } from 'vitest';
import { classifyCall } from '../../src/policy/decide.js';
import type { Matches, PolicyConfig, Profile, Schedule } from '../../src/policy/types.js';
import {
  BUSINESS_DID,
  baseConfig,
  callsAgo,
  decideRow,
  entry,
  hit,
  internal,
  MINUTE,
  night,
  num,
  office,
  outcome,
  profile,
  type Row,
  SAT_NOON,
  WED_1900,
  WED_2330,
  WED_NOON,
  withheld,
} from './fixtures.js';

const A = '+49301234567';
const anna = entry({ id: 7, number: A, kind: 'allow', source: 'vcard', label: 'Anna' });
const mum = entry({ id: 8, number: A, kind: 'allow', source: 'vcard', label: 'Mum', vip: true });
const quietNights = (c: PolicyConfig) => (c.defaultProfile.schedules = [night]);
/** Saturday night only, 22:00–06:00 Berlin: crosses midnight into Sunday, which is a DST day twice a year. */
const saturdayNight: Schedule = { name: 'sat-night', days: [6], from: '22:00', to: '06:00', quiet: true };
const saturdayNights = (c: PolicyConfig) => (c.defaultProfile.schedules = [saturdayNight]);

const repeatRows: Row[] = [
  {
    name: 'repeat caller: unknown called 2 minutes ago',
    caller: num(A),
    recent: callsAgo(WED_NOON, 2),
    expect: { action: 'connect', reason: 'repeat-caller', wouldHave: { action: 'voicemail', reason: 'unknown' } },
  },
  {
    name: 'repeat caller: foreign',
    caller: num('+12025550123', 'US'),
    recent: callsAgo(WED_NOON, 1),
    expect: { action: 'connect', reason: 'repeat-caller', wouldHave: { action: 'voicemail', reason: 'foreign' } },
  },
  {
    name: 'repeat caller: implausible',
    caller: num('+49123', null, false),
    recent: callsAgo(WED_NOON, 1),
    expect: { action: 'connect', reason: 'repeat-caller', wouldHave: { action: 'voicemail', reason: 'implausible' } },
  },
  {
    name: 'outside the window (6 minutes ago)',
    caller: num(A),
    recent: callsAgo(WED_NOON, 6),
    expect: { action: 'voicemail', reason: 'unknown' },
  },
  {
    name: 'boundary: exactly 5 minutes ago counts',
    caller: num(A),
    recent: [{ at: WED_NOON - 5 * MINUTE, action: 'voicemail', reason: 'unknown' }],
    expect: { action: 'connect', reason: 'repeat-caller', wouldHave: { action: 'voicemail', reason: 'unknown' } },
  },
  {
    name: 'boundary: 5 minutes and 1 ms ago does not',
    caller: num(A),
    recent: [{ at: WED_NOON - 5 * MINUTE - 1, action: 'voicemail', reason: 'unknown' }],
    expect: { action: 'voicemail', reason: 'unknown' },
  },
  {
    name: 'a call at exactly now is this call, not an earlier one',
    caller: num(A),
    recent: [{ at: WED_NOON, action: 'voicemail', reason: 'unknown' }],
    expect: { action: 'voicemail', reason: 'unknown' },
  },
  {
    name: 'minCalls 2: one earlier call is not enough',
    caller: num(A),
    recent: callsAgo(WED_NOON, 1, 10),
    config: (c) => (c.defaultProfile.repeatCaller.minCalls = 2),
    expect: { action: 'voicemail', reason: 'unknown' },
  },
  {
    name: 'minCalls 2: two earlier calls are',
    caller: num(A),
    recent: callsAgo(WED_NOON, 1, 4),
    config: (c) => (c.defaultProfile.repeatCaller.minCalls = 2),
    expect: { action: 'connect', reason: 'repeat-caller', wouldHave: { action: 'voicemail', reason: 'unknown' } },
  },
  {
    name: 'window 15 minutes from the profile',
    caller: num(A),
    recent: callsAgo(WED_NOON, 12),
    config: (c) => (c.defaultProfile.repeatCaller.windowMinutes = 15),
    expect: { action: 'connect', reason: 'repeat-caller', wouldHave: { action: 'voicemail', reason: 'unknown' } },
  },
  {
    name: 'repeat caller disabled',
    caller: num(A),
    recent: callsAgo(WED_NOON, 1),
    config: (c) => (c.defaultProfile.repeatCaller.enabled = false),
    expect: { action: 'voicemail', reason: 'unknown' },
  },
  {
    name: 'withheld callers cannot be repeat callers',
    caller: withheld,
    recent: callsAgo(WED_NOON, 1),
    expect: { action: 'voicemail', reason: 'anonymous' },
  },
  {
    name: 'a blocked caller calling again stays blocked',
    caller: num(A),
    entries: [entry({ id: 11, number: A, kind: 'block' })],
    recent: callsAgo(WED_NOON, 1),
    expect: { action: 'hangup', reason: 'blocklist', cause: 21, entryId: 11 },
  },
  {
    name: 'a spam-list caller calling again stays declined',
    caller: num(A),
    lists: [hit({ entryId: 100, number: A })],
    recent: callsAgo(WED_NOON, 1),
    expect: {
      action: 'announce',
      reason: 'spam-list',
      announcement: 'callfilter/polite-decline',
      label: 'SPAM: PhoneBlock',
      listEntryId: 100,
    },
  },
];

const quietRows: Row[] = [
  {
    name: 'quiet hours: a contact goes to voicemail',
    caller: num(A),
    entries: [anna],
    now: WED_2330,
    config: quietNights,
    expect: {
      action: 'voicemail',
      reason: 'quiet-hours',
      label: 'Anna',
      entryId: 7,
      schedule: 'night',
      wouldHave: { action: 'connect', reason: 'contact' },
    },
  },
  {
    name: 'quiet hours: a VIP contact rings',
    caller: num(A),
    entries: [mum],
    now: WED_2330,
    config: quietNights,
    expect: { action: 'connect', reason: 'contact', label: 'Mum', entryId: 8 },
  },
  {
    name: 'quiet hours: internal rings',
    caller: internal,
    now: WED_2330,
    config: quietNights,
    expect: { action: 'connect', reason: 'internal' },
  },
  {
    name: 'quiet hours: unknown goes to voicemail as always',
    caller: num(A),
    now: WED_2330,
    config: quietNights,
    expect: { action: 'voicemail', reason: 'unknown' },
  },
  {
    name: 'quiet hours win over a repeat caller',
    caller: num(A),
    recent: callsAgo(WED_2330, 1),
    now: WED_2330,
    config: quietNights,
    expect: {
      action: 'voicemail',
      reason: 'quiet-hours',
      schedule: 'night',
      wouldHave: { action: 'connect', reason: 'repeat-caller' },
    },
  },
  {
    name: 'outside quiet hours a contact rings',
    caller: num(A),
    entries: [anna],
    now: WED_NOON,
    config: quietNights,
    expect: { action: 'connect', reason: 'contact', label: 'Anna', entryId: 7 },
  },
  {
    name: 'Sat 22:30 CET (before the spring DST change): quiet',
    caller: num(A),
    entries: [anna],
    now: Date.parse('2026-03-28T21:30:00Z'),
    config: saturdayNights,
    expect: {
      action: 'voicemail',
      reason: 'quiet-hours',
      label: 'Anna',
      entryId: 7,
      schedule: 'sat-night',
      wouldHave: { action: 'connect', reason: 'contact' },
    },
  },
  {
    name: 'Sun 05:30 CEST (after spring forward), window started Saturday: quiet',
    caller: num(A),
    entries: [anna],
    now: Date.parse('2026-03-29T03:30:00Z'),
    config: saturdayNights,
    expect: {
      action: 'voicemail',
      reason: 'quiet-hours',
      label: 'Anna',
      entryId: 7,
      schedule: 'sat-night',
      wouldHave: { action: 'connect', reason: 'contact' },
    },
  },
  {
    name: 'Sun 06:30 CEST (would be 05:30 in winter time): not quiet',
    caller: num(A),
    entries: [anna],
    now: Date.parse('2026-03-29T04:30:00Z'),
    config: saturdayNights,
    expect: { action: 'connect', reason: 'contact', label: 'Anna', entryId: 7 },
  },
  {
    name: 'Sun 05:30 CET (after fall back; would be 06:30 in summer time): quiet',
    caller: num(A),
    entries: [anna],
    now: Date.parse('2026-10-25T04:30:00Z'),
    config: saturdayNights,
    expect: {
      action: 'voicemail',
      reason: 'quiet-hours',
      label: 'Anna',
      entryId: 7,
      schedule: 'sat-night',
      wouldHave: { action: 'connect', reason: 'contact' },
    },
  },
  {
    name: 'Sun 06:00 CET: the window has ended (end is exclusive)',
    caller: num(A),
    entries: [anna],
    now: Date.parse('2026-10-25T05:00:00Z'),
    config: saturdayNights,
    expect: { action: 'connect', reason: 'contact', label: 'Anna', entryId: 7 },
  },
  {
    name: 'Sun 23:30: a window on Saturdays only does not start on Sunday',
    caller: num(A),
    entries: [anna],
    now: Date.parse('2026-03-29T21:30:00Z'),
    config: saturdayNights,
    expect: { action: 'connect', reason: 'contact', label: 'Anna', entryId: 7 },
  },
];

const businessQuiet = (c: PolicyConfig) => {
  const lunch: Schedule = { name: 'lunch', days: [3], from: '12:00', to: '13:00', quiet: true };
  c.profiles = [profile('business', [BUSINESS_DID], (p) => (p.schedules = [office, lunch]))];
};

const scheduleRows: Row[] = [
  {
    name: 'business DID, office hours: unknown connects',
    caller: num(A),
    did: BUSINESS_DID,
    now: WED_NOON,
    expect: { action: 'connect', reason: 'unknown', profile: 'business', schedule: 'office' },
  },
  {
    name: 'business DID, office hours: foreign connects',
    caller: num('+12025550123', 'US'),
    did: BUSINESS_DID,
    now: WED_NOON,
    expect: { action: 'connect', reason: 'foreign', profile: 'business', schedule: 'office' },
  },
  {
    name: 'business DID, office hours: withheld still voicemail',
    caller: withheld,
    did: BUSINESS_DID,
    now: WED_NOON,
    expect: { action: 'voicemail', reason: 'anonymous', profile: 'business' },
  },
  {
    name: 'business DID, office hours: blocked still blocked',
    caller: num(A),
    entries: [entry({ id: 11, number: A, kind: 'block' })],
    did: BUSINESS_DID,
    now: WED_NOON,
    expect: { action: 'hangup', reason: 'blocklist', cause: 21, entryId: 11, profile: 'business' },
  },
  {
    name: 'business DID, 19:00: unknown to voicemail',
    caller: num(A),
    did: BUSINESS_DID,
    now: WED_1900,
    expect: { action: 'voicemail', reason: 'unknown', profile: 'business' },
  },
  {
    name: 'business DID, Saturday noon: unknown to voicemail',
    caller: num(A),
    did: BUSINESS_DID,
    now: SAT_NOON,
    expect: { action: 'voicemail', reason: 'unknown', profile: 'business' },
  },
  {
    name: 'private line, office hours: unknown to voicemail',
    caller: num(A),
    did: '+4930999999',
    now: WED_NOON,
    expect: { action: 'voicemail', reason: 'unknown' },
  },
  {
    name: 'no DID: default profile',
    caller: num(A),
    now: WED_NOON,
    expect: { action: 'voicemail', reason: 'unknown' },
  },
  {
    name: 'DID profile with its own list action',
    caller: num(A),
    lists: [hit({ entryId: 100, number: A })],
    did: BUSINESS_DID,
    config: (c) => c.profiles[0] && (c.profiles[0].actions.list = { action: 'hangup', cause: 17 }),
    expect: {
      action: 'hangup',
      reason: 'spam-list',
      cause: 17,
      label: 'SPAM: PhoneBlock',
      listEntryId: 100,
      profile: 'business',
    },
  },
  {
    name: 'quiet hours also silence a schedule-made connect',
    caller: num(A),
    did: BUSINESS_DID,
    now: WED_NOON,
    config: businessQuiet,
    expect: {
      action: 'voicemail',
      reason: 'quiet-hours',
      profile: 'business',
      schedule: 'lunch',
      wouldHave: { action: 'connect', reason: 'unknown' },
    },
  },
];

const monitorRows: Row[] = [
  {
    name: 'monitor: a blocked caller is connected',
    caller: num(A),
    entries: [entry({ id: 11, number: A, kind: 'block', label: 'Call centre' })],
    config: (c) => (c.monitor = true),
    expect: {
      action: 'connect',
      reason: 'monitor',
      label: 'Call centre',
      entryId: 11,
      wouldHave: { action: 'hangup', reason: 'blocklist' },
    },
  },
  {
    name: 'monitor: a spam-list caller is connected',
    caller: num(A),
    lists: [hit({ entryId: 100, number: A })],
    config: (c) => (c.monitor = true),
    expect: {
      action: 'connect',
      reason: 'monitor',
      label: 'SPAM: PhoneBlock',
      listEntryId: 100,
      wouldHave: { action: 'announce', reason: 'spam-list' },
    },
  },
  {
    name: 'monitor: withheld is connected',
    caller: withheld,
    config: (c) => (c.monitor = true),
    expect: { action: 'connect', reason: 'monitor', wouldHave: { action: 'voicemail', reason: 'anonymous' } },
  },
  {
    name: 'monitor: a contact keeps its reason',
    caller: num(A),
    entries: [anna],
    config: (c) => (c.monitor = true),
    expect: { action: 'connect', reason: 'contact', label: 'Anna', entryId: 7 },
  },
  {
    name: 'monitor: quiet hours are reported, not applied',
    caller: num(A),
    entries: [anna],
    now: WED_2330,
    config: (c) => ((c.monitor = true), quietNights(c)),
    expect: {
      action: 'connect',
      reason: 'monitor',
      label: 'Anna',
      entryId: 7,
      schedule: 'night',
      wouldHave: { action: 'voicemail', reason: 'quiet-hours' },
    },
  },
];

describe('decide: modifiers', () => {
  describe.each([
    ['repeat caller', repeatRows],
    ['quiet hours', quietRows],
    ['schedules and profiles', scheduleRows],
    ['monitor mode', monitorRows],
  ] as const)('%s', (_, rows) => {
    it.each(rows)('$name', (row) => {
      expect(outcome(decideRow(row))).toEqual({ profile: 'default', ...row.expect });
    });
  });
});

describe('classifyCall: which callers need their recent calls read', () => {
  const spam = hit({ entryId: 3, number: A });
  const rows: [string, Parameters<typeof classifyCall>[0], Matches, (c: PolicyConfig) => void, number | undefined][] = [
    ['an unknown number', { caller: num(A) }, { entries: [], lists: [] }, () => {}, 5],
    ['a foreign number', { caller: num('+33168009090', 'FR') }, { entries: [], lists: [] }, () => {}, 5],
    ['a contact', { caller: num(A) }, { entries: [anna], lists: [] }, () => {}, undefined],
    ['a number on a spam list', { caller: num(A) }, { entries: [], lists: [spam] }, () => {}, undefined],
    ['a withheld number', { caller: withheld }, { entries: [], lists: [] }, () => {}, undefined],
    ['an internal caller', { caller: internal }, { entries: [], lists: [] }, () => {}, undefined],
    [
      'an unknown number with the rule off',
      { caller: num(A) },
      { entries: [], lists: [] },
      (c) => (c.defaultProfile.repeatCaller.enabled = false),
      undefined,
    ],
    [
      'an unknown number to a profile with a longer window',
      { caller: num(A), did: BUSINESS_DID },
      { entries: [], lists: [] },
      (c) => {
        const business = c.profiles[0] as Profile;
        business.repeatCaller = { ...business.repeatCaller, windowMinutes: 30 };
      },
      30,
    ],
  ];
  it.each(rows)('%s', (_, facts, found, change, minutes) => {
    const config = baseConfig();
    change(config);
    expect(classifyCall(facts, found, WED_NOON, config).recentWindowMinutes).toBe(minutes);
  });
});
