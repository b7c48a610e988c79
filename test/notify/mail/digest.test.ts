/** The digest's content, in German and English: what was kept away, unknown callers on voicemail, links, limits. */
import { describe, expect, it } from 'vitest';
import { buildDigest, MAX_DIGEST_LINES } from '../../../src/notify/mail/index.js';
import type { CallEvent } from '../../../src/notify/types.js';

const day = Date.UTC(2026, 11, 24, 0, 0) - 3_600_000; // 24 Dec 2026, 00:00 in Berlin
const at = (h: number, m = 0) => day + h * 3_600_000 + m * 60_000;

const calls: CallEvent[] = [
  {
    kind: 'decided',
    callId: 1,
    at: at(9, 15),
    caller: '+4930123456',
    callerNational: '030 123456',
    callerKind: 'number',
    label: 'SPAM: Müller Energie',
    action: 'announce',
    reason: 'spam-list',
  },
  {
    kind: 'decided',
    callId: 2,
    at: at(10),
    caller: '+4917012345678',
    callerNational: '0170 12345678',
    callerKind: 'number',
    label: 'Anna',
    action: 'connect',
    reason: 'contact',
  },
  { kind: 'decided', callId: 3, at: at(11, 30), callerKind: 'withheld', action: 'voicemail', reason: 'anonymous' },
  {
    kind: 'decided',
    callId: 4,
    at: at(12),
    caller: '+4930999888',
    callerNational: '030 999888',
    callerKind: 'number',
    action: 'hangup',
    reason: 'blocklist',
  },
  {
    kind: 'decided',
    callId: 5,
    at: at(13),
    caller: '+442071234567',
    callerNational: '+44 20 7123 4567',
    callerKind: 'number',
    action: 'voicemail',
    reason: 'foreign',
  },
  // a contact during quiet hours: on voicemail, but not an unknown caller
  {
    kind: 'decided',
    callId: 6,
    at: at(22),
    caller: '+4917012345678',
    callerNational: '0170 12345678',
    callerKind: 'number',
    label: 'Anna',
    action: 'voicemail',
    reason: 'quiet-hours',
  },
  // outside the period
  {
    kind: 'decided',
    callId: 7,
    at: at(25),
    caller: '+4930123456',
    callerNational: '030 123456',
    callerKind: 'number',
    action: 'hangup',
    reason: 'blocklist',
  },
];

const options = {
  from: day,
  to: day + 86_400_000,
  timeZone: 'Europe/Berlin',
  publicUrl: 'https://cf.example.org/callfilter',
};

describe('the e-mail digest', () => {
  it('in English: subject, the calls kept away and the unknown callers on voicemail, each with its link', () => {
    const d = buildDigest(calls, { ...options, language: 'en' });
    expect(d.empty).toBe(false);
    expect(d.subject).toBe('callfilter: 2 calls kept away, 2 unknown callers on voicemail (24 Dec 2026)');
    expect(d.text).toBe(
      [
        'Your call filter, 24 Dec 2026',
        '',
        'Kept away (hung up on or answered with the announcement) (2)',
        '',
        '- 24 Dec 2026, 09:15  SPAM: Müller Energie (030 123456)',
        '  Announcement: on an imported spam list',
        '  https://cf.example.org/callfilter/#calls/1',
        '- 24 Dec 2026, 12:00  030 999888',
        '  Hung up: on your blocklist',
        '  https://cf.example.org/callfilter/#calls/4',
        '',
        'Unknown callers sent to voicemail (2)',
        '',
        '- 24 Dec 2026, 11:30  Withheld number',
        '  Voicemail: withheld number',
        '  https://cf.example.org/callfilter/#calls/3',
        '- 24 Dec 2026, 13:00  +44 20 7123 4567',
        '  Voicemail: foreign number',
        '  https://cf.example.org/callfilter/#calls/5',
        '',
        '6 calls in all: 1 connected, 3 to voicemail, 1 hung up on, 1 with the announcement.',
        'Open the call log: https://cf.example.org/callfilter/#calls',
        '',
        '-- ',
        'callfilter sends this summary (CALLFILTER_DIGEST). To stop it: CALLFILTER_DIGEST=off.',
        '',
      ].join('\n'),
    );
    expect(d.html).toContain('<html lang="en">');
    expect(d.html).toContain(
      '<a href="https://cf.example.org/callfilter/#calls/1">SPAM: Müller Energie (030 123456)</a>',
    );
    expect(d.html).toContain('Unknown callers sent to voicemail (2)');
    expect(d.html).not.toContain('#calls/2"'); // a connected contact is only counted
    expect(d.html).not.toContain('#calls/6"'); // so is a contact on voicemail in quiet hours
  });

  it('in German, over a week', () => {
    const d = buildDigest(calls, { ...options, from: day - 6 * 86_400_000, language: 'de' });
    expect(d.subject).toBe('callfilter: 2 Anrufe abgewehrt, 2 Unbekannte auf der Mailbox (18.–24.12.2026)');
    expect(d.text).toContain('Abgewehrt (aufgelegt oder Ansage) (2)');
    expect(d.text).toContain(
      '- 24.12.2026, 09:15  SPAM: Müller Energie (030 123456)\n  Ansage: auf einer importierten Spamliste\n  https://cf.example.org/callfilter/#calls/1',
    );
    expect(d.text).toContain('- 24.12.2026, 11:30  Unterdrückte Nummer\n  Mailbox: Rufnummer unterdrückt');
    expect(d.text).toContain('Insgesamt 6 Anrufe: 1 durchgestellt, 3 auf der Mailbox, 1 aufgelegt, 1 mit Ansage.');
    expect(d.text).toContain('Anrufprotokoll öffnen: https://cf.example.org/callfilter/#calls');
    expect(d.html).toContain('<html lang="de">');
    expect(d.html).toContain('Unbekannte Anrufer auf der Mailbox (2)');
  });

  it('says when there was nothing, and carries no links without CALLFILTER_PUBLIC_URL', () => {
    const d = buildDigest([calls[1] as CallEvent], {
      from: day,
      to: day + 86_400_000,
      timeZone: 'Europe/Berlin',
      language: 'en',
    });
    expect(d.empty).toBe(true);
    expect(d.subject).toBe('callfilter: nothing kept away (24 Dec 2026)');
    expect(d.text).toContain('No calls kept away and no unknown callers on voicemail.');
    expect(d.text).not.toContain('http');
    expect(d.html).not.toContain('href');
  });

  it('stays short: at most MAX_DIGEST_LINES per section, and a link to the rest', () => {
    const many: CallEvent[] = Array.from({ length: MAX_DIGEST_LINES + 7 }, (_, i) => ({
      kind: 'decided',
      callId: 100 + i,
      at: at(8) + i * 60_000,
      caller: '+4930111222',
      callerNational: '030 111222',
      callerKind: 'number',
      action: 'hangup',
      reason: 'blocklist',
    }));
    const d = buildDigest(many, { ...options, language: 'en' });
    expect(d.text.match(/#calls\/\d+/g)).toHaveLength(MAX_DIGEST_LINES);
    expect(d.text).toContain('… and 7 more: https://cf.example.org/callfilter/#calls');
  });

  it('escapes what callers control in the HTML', () => {
    const evil: CallEvent = { ...(calls[0] as CallEvent), label: '<img src=x onerror=alert(1)>' };
    const d = buildDigest([evil], { ...options, language: 'en' });
    expect(d.html).not.toContain('<img');
    expect(d.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
