/** Policy steps 1–7 (DESIGN.md "Policy"): facts → decision, reason. */
import { describe, expect, it } from 'vitest';
import { decideRow, entry, hit, internal, num, outcome, type Row, WED_NOON, withheld } from './fixtures.js';

const A = '+49301234567';
const stepRows: Row[] = [
  { name: 'internal extension connects', caller: internal, expect: { action: 'connect', reason: 'internal' } },
  {
    name: 'internal is never filtered, even with entries passed',
    caller: internal,
    entries: [entry({ id: 1, number: A, kind: 'block' })],
    expect: { action: 'connect', reason: 'internal' },
  },
  {
    name: 'contact from a vCard',
    caller: num(A),
    entries: [entry({ id: 7, number: A, kind: 'allow', source: 'vcard', label: 'Anna Schmidt' })],
    expect: { action: 'connect', reason: 'contact', label: 'Anna Schmidt', entryId: 7 },
  },
  {
    name: 'contact by contactId, whatever the source',
    caller: num(A),
    entries: [entry({ id: 8, number: A, kind: 'allow', source: 'api', contactId: 3, label: 'Bank' })],
    expect: { action: 'connect', reason: 'contact', label: 'Bank', entryId: 8 },
  },
  {
    name: 'contact from the FRITZ!Box phonebook',
    caller: num(A),
    entries: [entry({ id: 9, number: A, kind: 'allow', source: 'fritzbox', label: 'Mum' })],
    expect: { action: 'connect', reason: 'contact', label: 'Mum', entryId: 9 },
  },
  {
    name: 'manual allow entry is the allowlist',
    caller: num(A),
    entries: [entry({ id: 10, number: A, kind: 'allow', label: 'Plumber' })],
    expect: { action: 'connect', reason: 'allowlist', label: 'Plumber', entryId: 10 },
  },
  {
    name: 'exact block: hangup, cause 21',
    caller: num(A),
    entries: [entry({ id: 11, number: A, kind: 'block' })],
    expect: { action: 'hangup', reason: 'blocklist', cause: 21, entryId: 11 },
  },
  {
    name: 'exact block with its own action and announcement',
    caller: num(A),
    entries: [
      entry({
        id: 12,
        number: A,
        kind: 'block',
        action: 'announce',
        announcement: 'custom/go-away',
        label: 'Call centre',
      }),
    ],
    expect: {
      action: 'announce',
      reason: 'blocklist',
      announcement: 'custom/go-away',
      label: 'Call centre',
      entryId: 12,
    },
  },
  {
    name: 'exact block with its own hangup cause 1 (no such number)',
    caller: num(A),
    entries: [entry({ id: 13, number: A, kind: 'block', action: 'hangup', cause: 1 })],
    expect: { action: 'hangup', reason: 'blocklist', cause: 1, entryId: 13 },
  },
  {
    name: 'block entry with only a cause keeps the step action (hangup)',
    caller: num(A),
    entries: [entry({ id: 14, number: A, kind: 'block', cause: 17 })],
    expect: { action: 'hangup', reason: 'blocklist', cause: 17, entryId: 14 },
  },
  {
    name: 'block entry to voicemail: its cause is stripped',
    caller: num(A),
    entries: [entry({ id: 15, number: A, kind: 'block', action: 'voicemail', cause: 17 })],
    expect: { action: 'voicemail', reason: 'blocklist', entryId: 15 },
  },
  {
    name: 'block entry with announce but no sound file gets the default one',
    caller: num(A),
    entries: [entry({ id: 16, number: A, kind: 'block', action: 'announce' })],
    expect: { action: 'announce', reason: 'blocklist', announcement: 'callfilter/polite-decline', entryId: 16 },
  },
  {
    name: 'prefix block',
    caller: num(A),
    entries: [entry({ id: 20, number: '+49301234', prefix: true, kind: 'block' })],
    expect: { action: 'hangup', reason: 'blocklist', cause: 21, entryId: 20 },
  },
  {
    name: 'prefix block stored with a trailing * still matches',
    caller: num(A),
    entries: [entry({ id: 21, number: '+49301234*', prefix: true, kind: 'block' })],
    expect: { action: 'hangup', reason: 'blocklist', cause: 21, entryId: 21 },
  },
  {
    name: 'longer block prefix beats shorter allow prefix',
    caller: num(A),
    entries: [
      entry({ id: 22, number: '+4930', prefix: true, kind: 'allow' }),
      entry({ id: 23, number: '+49301234', prefix: true, kind: 'block' }),
    ],
    expect: { action: 'hangup', reason: 'blocklist', cause: 21, entryId: 23 },
  },
  {
    name: 'longer allow prefix beats shorter block prefix',
    caller: num(A),
    entries: [
      entry({ id: 24, number: '+49301', prefix: true, kind: 'block' }),
      entry({ id: 25, number: '+493012345', prefix: true, kind: 'allow' }),
    ],
    expect: { action: 'connect', reason: 'allowlist', entryId: 25 },
  },
  {
    name: 'longer block prefix beats shorter block prefix (its own action fires)',
    caller: num(A),
    entries: [
      entry({ id: 26, number: '+49301', prefix: true, kind: 'block', action: 'voicemail' }),
      entry({ id: 27, number: '+4930123456', prefix: true, kind: 'block', cause: 1 }),
    ],
    expect: { action: 'hangup', reason: 'blocklist', cause: 1, entryId: 27 },
  },
  {
    name: 'exact block beats a longer-than-anything allow prefix',
    caller: num(A),
    entries: [
      entry({ id: 28, number: '+4930123456', prefix: true, kind: 'allow' }),
      entry({ id: 29, number: A, kind: 'block' }),
    ],
    expect: { action: 'hangup', reason: 'blocklist', cause: 21, entryId: 29 },
  },
  {
    name: 'allow exact beats block prefix',
    caller: num(A),
    entries: [
      entry({ id: 30, number: '+49301234', prefix: true, kind: 'block' }),
      entry({ id: 31, number: A, kind: 'allow', source: 'vcard', label: 'Anna' }),
    ],
    expect: { action: 'connect', reason: 'contact', label: 'Anna', entryId: 31 },
  },
  {
    name: 'allow beats block at equal specificity: both exact',
    caller: num(A),
    entries: [entry({ id: 32, number: A, kind: 'block' }), entry({ id: 33, number: A, kind: 'allow' })],
    expect: { action: 'connect', reason: 'allowlist', entryId: 33 },
  },
  {
    name: 'allow beats block at equal specificity: same prefix',
    caller: num(A),
    entries: [
      entry({ id: 34, number: '+49301234', prefix: true, kind: 'block' }),
      entry({ id: 35, number: '+49301234', prefix: true, kind: 'allow' }),
    ],
    expect: { action: 'connect', reason: 'allowlist', entryId: 35 },
  },
  {
    name: 'two allow entries for one number: the VIP one wins',
    caller: num(A),
    entries: [
      entry({ id: 36, number: A, kind: 'allow', label: 'Plumber' }),
      entry({ id: 37, number: A, kind: 'allow', vip: true, source: 'vcard', label: 'Mum' }),
    ],
    expect: { action: 'connect', reason: 'contact', label: 'Mum', entryId: 37 },
  },
  {
    name: 'expired block is ignored (expiresAt = now)',
    caller: num(A),
    entries: [entry({ id: 40, number: A, kind: 'block', expiresAt: WED_NOON })],
    expect: { action: 'voicemail', reason: 'unknown' },
  },
  {
    name: 'block expiring 1 ms from now still fires',
    caller: num(A),
    entries: [entry({ id: 41, number: A, kind: 'block', expiresAt: WED_NOON + 1 })],
    expect: { action: 'hangup', reason: 'blocklist', cause: 21, entryId: 41 },
  },
  {
    name: 'expired allow is ignored: the block prefix fires',
    caller: num(A),
    entries: [
      entry({ id: 42, number: A, kind: 'allow', expiresAt: WED_NOON - 1 }),
      entry({ id: 43, number: '+4930', prefix: true, kind: 'block' }),
    ],
    expect: { action: 'hangup', reason: 'blocklist', cause: 21, entryId: 43 },
  },
  {
    name: 'expiresAt null from the store means no expiry',
    caller: num(A),
    entries: [entry({ id: 44, number: A, kind: 'block', expiresAt: null as unknown as number })],
    expect: { action: 'hangup', reason: 'blocklist', cause: 21, entryId: 44 },
  },
  {
    name: 'entries that do not match the caller are ignored (exact of another number, foreign prefix, exact used as prefix)',
    caller: num(A),
    entries: [
      entry({ id: 45, number: '+49301234568', kind: 'block' }),
      entry({ id: 46, number: '+4940', prefix: true, kind: 'block' }),
      entry({ id: 47, number: '+4930', kind: 'block' }),
      entry({ id: 48, number: '', prefix: true, kind: 'block' }),
    ],
    expect: { action: 'voicemail', reason: 'unknown' },
  },
  {
    name: 'list hit over threshold: polite announcement',
    caller: num(A),
    lists: [hit({ entryId: 100, number: A, score: 20, threshold: 4 })],
    expect: {
      action: 'announce',
      reason: 'spam-list',
      announcement: 'callfilter/polite-decline',
      label: 'SPAM: PhoneBlock',
      listEntryId: 100,
    },
  },
  {
    name: 'list hit at threshold counts, its label is used',
    caller: num(A),
    lists: [hit({ entryId: 101, number: A, score: 4, threshold: 4, label: 'call centre' })],
    expect: {
      action: 'announce',
      reason: 'spam-list',
      announcement: 'callfilter/polite-decline',
      label: 'SPAM: call centre',
      listEntryId: 101,
    },
  },
  {
    name: 'list hit under threshold is ignored',
    caller: num(A),
    lists: [hit({ entryId: 102, number: A, score: 3, threshold: 4 })],
    expect: { action: 'voicemail', reason: 'unknown' },
  },
  {
    name: 'two list hits: exact with a low score beats prefix with a high one',
    caller: num(A),
    lists: [
      hit({ listId: 2, listName: 'K-Tipp', entryId: 103, number: '+49301234', prefix: true, score: 100, threshold: 1 }),
      hit({ entryId: 104, number: A, score: 4, threshold: 4 }),
    ],
    expect: {
      action: 'announce',
      reason: 'spam-list',
      announcement: 'callfilter/polite-decline',
      label: 'SPAM: PhoneBlock',
      listEntryId: 104,
    },
  },
  {
    name: 'two exact list hits: the higher score wins',
    caller: num(A),
    lists: [
      hit({ entryId: 105, number: A, score: 10 }),
      hit({ listId: 2, listName: 'K-Tipp', entryId: 106, number: A, score: 50, threshold: 1 }),
    ],
    expect: {
      action: 'announce',
      reason: 'spam-list',
      announcement: 'callfilter/polite-decline',
      label: 'SPAM: K-Tipp',
      listEntryId: 106,
    },
  },
  {
    name: 'two prefix list hits: the longer wins',
    caller: num(A),
    lists: [
      hit({ entryId: 107, number: '+4930', prefix: true, score: 100 }),
      hit({ entryId: 108, number: '+4930123', prefix: true, score: 10 }),
    ],
    expect: {
      action: 'announce',
      reason: 'spam-list',
      announcement: 'callfilter/polite-decline',
      label: 'SPAM: PhoneBlock',
      listEntryId: 108,
    },
  },
  {
    name: 'exact hit under threshold does not shadow a prefix hit over it',
    caller: num(A),
    lists: [
      hit({ entryId: 109, number: A, score: 2 }),
      hit({ entryId: 110, number: '+49301', prefix: true, score: 10 }),
    ],
    expect: {
      action: 'announce',
      reason: 'spam-list',
      announcement: 'callfilter/polite-decline',
      label: 'SPAM: PhoneBlock',
      listEntryId: 110,
    },
  },
  {
    name: "a list's own action: hangup cause 1",
    caller: num(A),
    lists: [hit({ entryId: 111, number: A, action: 'hangup', cause: 1 })],
    expect: { action: 'hangup', reason: 'spam-list', cause: 1, label: 'SPAM: PhoneBlock', listEntryId: 111 },
  },
  {
    name: 'profile says hangup for lists, no cause: 21',
    caller: num(A),
    lists: [hit({ entryId: 112, number: A })],
    config: (c) => (c.defaultProfile.actions.list = { action: 'hangup' }),
    expect: { action: 'hangup', reason: 'spam-list', cause: 21, label: 'SPAM: PhoneBlock', listEntryId: 112 },
  },
  {
    name: 'personal allow beats a list hit',
    caller: num(A),
    entries: [entry({ id: 50, number: A, kind: 'allow', source: 'vcard', label: 'Anna' })],
    lists: [hit({ entryId: 113, number: A })],
    expect: { action: 'connect', reason: 'contact', label: 'Anna', entryId: 50 },
  },
  { name: 'withheld number', caller: withheld, expect: { action: 'voicemail', reason: 'anonymous' } },
  {
    name: 'withheld by presentation',
    caller: { kind: 'withheld', raw: '+49301234567', why: 'presentation' },
    expect: { action: 'voicemail', reason: 'anonymous' },
  },
  {
    name: 'implausible number',
    caller: num('+49123', null, false),
    expect: { action: 'voicemail', reason: 'implausible' },
  },
  {
    name: 'implausible number on the blocklist is blocked',
    caller: num('+49123', null, false),
    entries: [entry({ id: 51, number: '+49123', kind: 'block' })],
    expect: { action: 'hangup', reason: 'blocklist', cause: 21, entryId: 51 },
  },
  { name: 'foreign number', caller: num('+12025550123', 'US'), expect: { action: 'voicemail', reason: 'foreign' } },
  {
    name: 'plausible number without a country counts as foreign',
    caller: num('+80012345678', null),
    expect: { action: 'voicemail', reason: 'foreign' },
  },
  {
    name: 'home country from config: a German number is foreign in Austria',
    caller: num(A),
    config: (c) => (c.homeCountry = 'AT'),
    expect: { action: 'voicemail', reason: 'foreign' },
  },
  {
    name: 'home country from config: an Austrian number is unknown in Austria',
    caller: num('+4312345678', 'AT'),
    config: (c) => (c.homeCountry = 'AT'),
    expect: { action: 'voicemail', reason: 'unknown' },
  },
  { name: 'unknown German number', caller: num(A), expect: { action: 'voicemail', reason: 'unknown' } },
  {
    name: 'every step action is configurable: unknown → hangup 17',
    caller: num(A),
    config: (c) => (c.defaultProfile.actions.unknown = { action: 'hangup', cause: 17, announcement: 'ignored' }),
    expect: { action: 'hangup', reason: 'unknown', cause: 17 },
  },
];

describe('decide: steps', () => {
  it.each(stepRows)('$name', (row) => {
    expect(outcome(decideRow(row))).toEqual({ profile: 'default', ...row.expect });
  });
});
