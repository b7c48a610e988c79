/** A decision in words, in both languages: the one renderer behind the log, the command line, the API and the page. */
import { describe, expect, it } from 'vitest';
import { explain, explainOthers, spokenDate } from '../../src/explain/index.js';
import type { PolicyConfig } from '../../src/policy/types.js';
import { failOpenDecision } from '../../src/screen/fail-open.js';
import {
  BUSINESS_DID,
  callsAgo,
  decideRow,
  entry,
  hit,
  internal,
  night,
  num,
  type Row,
  WED_2330,
  WED_NOON,
  withheld,
} from '../policy/fixtures.js';

const A = '+49301234567';
const TZ = 'Europe/Berlin';
const quietNights = (c: PolicyConfig) => (c.defaultProfile.schedules = [night]);
type SentenceRow = Omit<Row, 'expect'> & { en: string; de: string };

const rows: SentenceRow[] = [
  { name: 'internal', caller: internal, en: 'Internal call from **610.', de: 'Interner Anruf von **610.' },
  {
    name: 'contact',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'allow', source: 'vcard', label: 'Anna' })],
    en: 'In your contacts as “Anna”.',
    de: 'In Ihren Kontakten als „Anna“.',
  },
  {
    name: 'VIP contact',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'allow', source: 'vcard', label: 'Mum', vip: true })],
    en: 'In your contacts as “Mum” (VIP).',
    de: 'In Ihren Kontakten als „Mum“ (VIP).',
  },
  {
    name: 'contact without a name',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'allow', contactId: 4 })],
    en: 'In your contacts.',
    de: 'In Ihren Kontakten.',
  },
  {
    name: 'allowlist',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'allow' })],
    en: 'On your allowlist since 3 May 2026.',
    de: 'Seit 3. Mai 2026 auf Ihrer Freigabeliste.',
  },
  {
    name: 'exact block',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'block' })],
    en: 'On your blocklist since 3 May 2026.',
    de: 'Seit 3. Mai 2026 auf Ihrer Sperrliste.',
  },
  {
    name: 'exact block with a label and an expiry',
    caller: num(A),
    entries: [
      entry({ id: 1, number: A, kind: 'block', label: 'Call centre', expiresAt: Date.parse('2026-12-01T10:00:00Z') }),
    ],
    en: 'On your blocklist as “Call centre” since 3 May 2026, until 1 December 2026.',
    de: 'Seit 3. Mai 2026 auf Ihrer Sperrliste als „Call centre“, bis 1. Dezember 2026.',
  },
  {
    name: 'prefix block',
    caller: num(A),
    entries: [entry({ id: 1, number: '+49301234', prefix: true, kind: 'block' })],
    en: 'The range +49301234… is on your blocklist.',
    de: 'Der Nummernbereich +49301234… steht auf Ihrer Sperrliste.',
  },
  {
    name: 'prefix allow with a label',
    caller: num(A),
    entries: [entry({ id: 1, number: '+4930', prefix: true, kind: 'allow', label: 'Berlin' })],
    en: 'The range +4930… is on your allowlist (“Berlin”).',
    de: 'Der Nummernbereich +4930… steht auf Ihrer Freigabeliste („Berlin“).',
  },
  {
    name: 'list hit',
    caller: num(A),
    lists: [hit({ entryId: 1, number: A, score: 20, threshold: 4 })],
    en: 'On the spam list “PhoneBlock” (20 reports, threshold 4).',
    de: 'Auf der Spamliste „PhoneBlock“ (20 Meldungen, Schwelle 4).',
  },
  {
    name: 'list range hit, one report',
    caller: num(A),
    lists: [hit({ entryId: 1, number: '+4930123', prefix: true, score: 1, threshold: 1 })],
    en: 'On the spam list “PhoneBlock” as the range +4930123… (1 report, threshold 1).',
    de: 'Auf der Spamliste „PhoneBlock“ als Nummernbereich +4930123… (1 Meldung, Schwelle 1).',
  },
  { name: 'withheld', caller: withheld, en: 'Withheld number.', de: 'Rufnummer unterdrückt.' },
  {
    name: 'implausible',
    caller: num('+49123', null, false),
    en: 'Impossible number +49123: no such number exists, probably spoofed.',
    de: 'Unmögliche Nummer +49123: diese Nummer gibt es nicht, vermutlich gefälscht.',
  },
  {
    name: 'foreign',
    caller: num('+12025550123', 'US'),
    en: 'Foreign number +12025550123 (United States).',
    de: 'Auslandsnummer +12025550123 (Vereinigte Staaten).',
  },
  { name: 'unknown', caller: num(A), en: 'Unknown number +49301234567.', de: 'Unbekannte Nummer +49301234567.' },
  {
    name: 'office hours',
    caller: num(A),
    did: BUSINESS_DID,
    en: 'Unknown number +49301234567, under the schedule “office”.',
    de: 'Unbekannte Nummer +49301234567, nach dem Zeitplan „office“.',
  },
  {
    name: 'repeat caller',
    caller: num(A),
    recent: callsAgo(WED_NOON, 2),
    en: 'Called twice within 5 minutes: connected as a repeat caller.',
    de: 'Zweimal innerhalb von 5 Minuten angerufen: als Wiederholungsanrufer durchgestellt.',
  },
  {
    name: 'repeat caller, three earlier calls',
    caller: num(A),
    recent: callsAgo(WED_NOON, 1, 2, 3),
    en: 'Called 4 times within 5 minutes: connected as a repeat caller.',
    de: '4-mal innerhalb von 5 Minuten angerufen: als Wiederholungsanrufer durchgestellt.',
  },
  {
    name: 'quiet hours',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'allow', source: 'vcard', label: 'Anna' })],
    now: WED_2330,
    config: quietNights,
    en: 'Quiet hours (night): would have rung.',
    de: 'Ruhezeit (night): hätte sonst geklingelt.',
  },
  {
    name: 'quiet hours, repeat caller',
    caller: num(A),
    recent: callsAgo(WED_2330, 1),
    now: WED_2330,
    config: quietNights,
    en: 'Quiet hours (night): would have rung as a repeat caller.',
    de: 'Ruhezeit (night): hätte sonst als Wiederholungsanrufer geklingelt.',
  },
  {
    name: 'monitor, blocked',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'block' })],
    config: (c) => (c.monitor = true),
    en: 'Monitor mode, connected; would have hung up (cause 21): on your blocklist since 3 May 2026.',
    de: 'Beobachtungsmodus, durchgestellt; wäre sonst aufgelegt worden (Grund 21): seit 3. Mai 2026 auf Ihrer Sperrliste.',
  },
  {
    name: 'monitor, spam list',
    caller: num(A),
    lists: [hit({ entryId: 1, number: A })],
    config: (c) => (c.monitor = true),
    en: 'Monitor mode, connected; would have played “callfilter/polite-decline” and hung up: on the spam list “PhoneBlock” (20 reports, threshold 4).',
    de: 'Beobachtungsmodus, durchgestellt; wäre sonst mit der Ansage „callfilter/polite-decline“ abgewiesen worden: auf der Spamliste „PhoneBlock“ (20 Meldungen, Schwelle 4).',
  },
  {
    name: 'monitor, unknown',
    caller: num(A),
    config: (c) => (c.monitor = true),
    en: 'Monitor mode, connected; would have gone to voicemail: unknown number +49301234567.',
    de: 'Beobachtungsmodus, durchgestellt; wäre sonst zur Mailbox gegangen: unbekannte Nummer +49301234567.',
  },
  {
    name: 'a local number while the area code is unknown',
    caller: { kind: 'local', raw: '222222', digits: '222222' },
    en: 'Local number 222222 without its area code, which is not set yet: screened as unknown (set it with “callfilter setup --area-code …” or on the web page).',
    de: 'Ortsnummer 222222 ohne Vorwahl, die noch nicht eingestellt ist: als unbekannt behandelt (einstellen mit „callfilter setup --area-code …“ oder auf der Webseite).',
  },
];

describe('explain: the decision in words', () => {
  it.each(rows)('$name', (row) => {
    const decision = decideRow({ ...row, expect: { action: 'connect', reason: 'unknown' } });
    expect(explain(decision, { language: 'en', timeZone: TZ })).toBe(row.en);
    expect(explain(decision, { language: 'de', timeZone: TZ })).toBe(row.de);
  });

  it('a fail-open decision says why no decision could be made', () => {
    const decision = failOpenDecision(new Error('database is locked'));
    expect(explain(decision, { language: 'en', timeZone: TZ })).toBe(
      'Could not decide (database is locked): connected, so that no real call is lost.',
    );
    expect(explain(decision, { language: 'de', timeZone: TZ })).toBe(
      'Keine Entscheidung möglich (database is locked): durchgestellt, damit kein echter Anruf verloren geht.',
    );
  });

  it('shows numbers as the caller asks (the national form, say)', () => {
    const decision = decideRow({ name: '', caller: num(A), expect: { action: 'voicemail', reason: 'unknown' } });
    expect(explain(decision, { language: 'de', timeZone: TZ, showNumber: (n) => n.replace('+4930', '030 ') })).toBe(
      'Unbekannte Nummer 030 1234567.',
    );
  });
});

type OthersRow = Omit<Row, 'expect'> & { en: string[]; de: string[] };

const others: OthersRow[] = [
  {
    name: 'a contact also blocked: the contact decides',
    caller: num(A),
    entries: [
      entry({ id: 1, number: A, kind: 'allow', source: 'vcard', label: 'Anna' }),
      entry({ id: 2, number: A, kind: 'block' }),
    ],
    en: ['Also on your blocklist since 3 May 2026: allow beats block.'],
    de: ['Außerdem seit 3. Mai 2026 auf Ihrer Sperrliste: Freigabe geht vor Sperre.'],
  },
  {
    name: 'a blocked number inside an allowed range',
    caller: num(A),
    entries: [
      entry({ id: 1, number: '+4930', prefix: true, kind: 'allow' }),
      entry({ id: 2, number: A, kind: 'block' }),
    ],
    en: ['Also the range +4930… is on your allowlist: the exact number decides, not the range.'],
    de: [
      'Außerdem der Nummernbereich +4930… steht auf Ihrer Freigabeliste: die genaue Nummer entscheidet, nicht der Bereich.',
    ],
  },
  {
    name: 'a narrower blocked range inside an allowed one',
    caller: num(A),
    entries: [
      entry({ id: 1, number: '+4930', prefix: true, kind: 'allow' }),
      entry({ id: 2, number: '+4930123', prefix: true, kind: 'block' }),
    ],
    en: ['Also the range +4930… is on your allowlist: the narrower range decides.'],
    de: ['Außerdem der Nummernbereich +4930… steht auf Ihrer Freigabeliste: der engere Nummernbereich entscheidet.'],
  },
  {
    name: 'a contact on a spam list',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'allow', source: 'vcard', label: 'Anna' })],
    lists: [hit({ entryId: 7, number: A, score: 20, threshold: 4 })],
    en: [
      'Also on the spam list “PhoneBlock” (20 reports, threshold 4): your own entries decide before imported lists.',
    ],
    de: [
      'Außerdem auf der Spamliste „PhoneBlock“ (20 Meldungen, Schwelle 4): Ihre eigenen Einträge entscheiden vor importierten Listen.',
    ],
  },
  {
    name: 'a list hit under its threshold and an expired block',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'block', expiresAt: Date.parse('2026-05-10T10:00:00Z') })],
    lists: [hit({ entryId: 7, number: A, score: 2, threshold: 4 })],
    en: [
      'Also on your blocklist since 3 May 2026, until 10 May 2026: expired.',
      "Also on the spam list “PhoneBlock” (2 reports, threshold 4): under the list's threshold.",
    ],
    de: [
      'Außerdem seit 3. Mai 2026 auf Ihrer Sperrliste, bis 10. Mai 2026: abgelaufen.',
      'Außerdem auf der Spamliste „PhoneBlock“ (2 Meldungen, Schwelle 4): unter der Schwelle der Liste.',
    ],
  },
  {
    name: 'only the winner matched',
    caller: num(A),
    entries: [entry({ id: 1, number: A, kind: 'block' })],
    en: [],
    de: [],
  },
];

describe('explain: every other match, and why it did not decide', () => {
  it.each(others)('$name', (row) => {
    const decision = decideRow({ ...row, expect: { action: 'connect', reason: 'unknown' } });
    expect(explainOthers(decision, { language: 'en', timeZone: TZ })).toEqual(row.en);
    expect(explainOthers(decision, { language: 'de', timeZone: TZ })).toEqual(row.de);
  });
});

describe('spokenDate', () => {
  it.each([
    'Europe/Berlin',
    'Asia/Kathmandu',
    'Australia/Eucla',
    'Pacific/Chatham',
    'America/St_Johns',
    'Africa/Monrovia',
  ])(
    'remembers dates per quarter hour without changing one (%s: every 7 minutes over two days each side of midnight, 1971 and a DST change)',
    (zone) => {
      for (const language of ['en', 'de'] as const) {
        const fresh = new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'de-DE', {
          timeZone: zone,
          day: 'numeric',
          month: 'long',
          year: 'numeric',
        });
        for (const start of [
          Date.parse('1971-12-30T00:00:00Z'),
          Date.parse('2026-03-27T00:00:00Z'),
          Date.parse('2026-10-24T00:00:00Z'),
        ]) {
          for (let t = start; t < start + 2 * 86_400_000; t += 7 * 60_000 + 13_000) {
            // Asked twice: the second answer comes from memory.
            const o = { language, timeZone: zone };
            expect([spokenDate(t, o), spokenDate(t, o)], new Date(t).toISOString()).toEqual([
              fresh.format(t),
              fresh.format(t),
            ]);
          }
        }
      }
    },
  );
});
