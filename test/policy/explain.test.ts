/** The one sentence each outcome carries (for logs, the CLI and `explain`). */
import { describe, expect, it } from 'vitest';
import type { PolicyConfig } from '../../src/policy/types.js';
import { BUSINESS_DID, callsAgo, decideRow, entry, hit, internal, night, num, WED_2330, WED_NOON, withheld, type Row } from './fixtures.js';

const A = '+49301234567';
const quietNights = (c: PolicyConfig) => (c.defaultProfile.schedules = [night]);
type ExplainRow = Omit<Row, 'expect'> & { sentence: string };

const rows: ExplainRow[] = [
  { name: 'internal', caller: internal, sentence: 'Internal extension **610.' },
  { name: 'contact', caller: num(A), entries: [entry({ id: 1, number: A, kind: 'allow', source: 'vcard', label: 'Anna' })], sentence: "In your contacts as 'Anna'." },
  {
    name: 'VIP contact',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'allow', source: 'vcard', label: 'Mum', vip: true })],
    sentence: "In your contacts as 'Mum' (VIP).",
  },
  {
    name: 'contact without a name',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'allow', contactId: 4 })],
    sentence: 'In your contacts (exact entry +49301234567, added 2026-05-03).',
  },
  {
    name: 'allowlist',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'allow' })],
    sentence: 'On your allowlist (exact entry +49301234567, added 2026-05-03).',
  },
  {
    name: 'exact block',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'block' })],
    sentence: 'On your blocklist (exact entry +49301234567, added 2026-05-03).',
  },
  {
    name: 'exact block with a label and an expiry',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'block', label: 'Call centre', expiresAt: Date.parse('2026-06-01T10:00:00Z') })],
    sentence: "On your blocklist as 'Call centre' (exact entry +49301234567, added 2026-05-03, until 2026-06-01).",
  },
  {
    name: 'prefix block',
    caller: num(A),
    entries: [entry({ id: 1, number: '+49301234', prefix: true, kind: 'block' })],
    sentence: 'Matches prefix +49301234* on your blocklist.',
  },
  {
    name: 'prefix allow with a label',
    caller: num(A),
    entries: [entry({ id: 1, number: '+4930', prefix: true, kind: 'allow', label: 'Berlin' })],
    sentence: "Matches prefix +4930* on your allowlist ('Berlin').",
  },
  {
    name: 'list hit',
    caller: num(A),
    lists: [hit({ entryId: 1, number: A, score: 20, threshold: 4 })],
    sentence: "Listed in 'PhoneBlock' with score 20 (threshold 4).",
  },
  {
    name: 'list range hit',
    caller: num(A),
    lists: [hit({ entryId: 1, number: '+4930123', prefix: true, score: 10, threshold: 4 })],
    sentence: "Listed in 'PhoneBlock' as range +4930123* with score 10 (threshold 4).",
  },
  { name: 'withheld', caller: withheld, sentence: 'Withheld number.' },
  { name: 'implausible', caller: num('+49123', null, false), sentence: 'Implausible number +49123: not a possible number for its country (spoofed?).' },
  { name: 'foreign', caller: num('+12025550123', 'US'), sentence: 'Foreign number +12025550123 (US).' },
  { name: 'unknown', caller: num(A), sentence: 'Unknown number +49301234567.' },
  { name: 'office hours', caller: num(A), did: BUSINESS_DID, sentence: "Unknown number +49301234567, under schedule 'office'." },
  { name: 'repeat caller', caller: num(A), recent: callsAgo(WED_NOON, 2), sentence: 'Called 2 times within 5 minutes: connected as a repeat caller.' },
  {
    name: 'repeat caller, three earlier calls',
    caller: num(A),
    recent: callsAgo(WED_NOON, 1, 2, 3),
    sentence: 'Called 4 times within 5 minutes: connected as a repeat caller.',
  },
  {
    name: 'quiet hours',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'allow', source: 'vcard', label: 'Anna' })],
    now: WED_2330,
    config: quietNights,
    sentence: 'Quiet hours (night): would have connected.',
  },
  {
    name: 'quiet hours, repeat caller',
    caller: num(A),
    recent: callsAgo(WED_2330, 1),
    now: WED_2330,
    config: quietNights,
    sentence: 'Quiet hours (night): would have connected as a repeat caller.',
  },
  {
    name: 'monitor, blocked',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'block' })],
    config: (c) => (c.monitor = true),
    sentence: 'Monitor mode, connected; would have hung up (cause 21): On your blocklist (exact entry +49301234567, added 2026-05-03).',
  },
  {
    name: 'monitor, spam list',
    caller: num(A),
    lists: [hit({ entryId: 1, number: A })],
    config: (c) => (c.monitor = true),
    sentence: "Monitor mode, connected; would have played 'callfilter/polite-decline' and hung up: Listed in 'PhoneBlock' with score 20 (threshold 4).",
  },
  {
    name: 'monitor, unknown',
    caller: num(A),
    config: (c) => (c.monitor = true),
    sentence: 'Monitor mode, connected; would have gone to voicemail: Unknown number +49301234567.',
  },
];

describe('decide: explanation', () => {
  it.each(rows)('$name', (row) => {
    expect(decideRow({ ...row, expect: { action: 'connect', reason: 'unknown' } }).explanation).toBe(row.sentence);
  });
});
