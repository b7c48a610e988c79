/** The digest sent with nodemailer to a real SMTP peer (smtp-server on loopback), read back in both languages. */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../../src/notify/errors.js';
import { buildDigest, createMailSender, mailSettings } from '../../../src/notify/mail/index.js';
import type { CallEvent } from '../../../src/notify/types.js';
import { readMail, startSmtpPeer } from '../../helpers/smtp-peer.js';

const day = Date.UTC(2026, 11, 23, 23, 0); // 24 Dec 2026, 00:00 in Berlin
const calls: CallEvent[] = [
  {
    kind: 'decided',
    callId: 11,
    at: day + 9 * 3_600_000,
    caller: '+4930123456',
    callerNational: '030 123456',
    callerKind: 'number',
    label: 'SPAM: Müller Energie',
    action: 'announce',
    reason: 'spam-list',
  },
  {
    kind: 'decided',
    callId: 12,
    at: day + 10 * 3_600_000,
    callerKind: 'withheld',
    action: 'voicemail',
    reason: 'anonymous',
  },
];
const period = { from: day, to: day + 86_400_000, timeZone: 'Europe/Berlin', publicUrl: 'https://cf.example.org/' };

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DeliveryError)) throw new Error(`expected a DeliveryError, got ${String(err)}`);
  return err;
}

describe('sending the digest over SMTP', () => {
  it('delivers the German digest with authentication, subject, text and HTML intact', async () => {
    const peer = await startSmtpPeer({ user: 'callfilter', pass: 'pa:ss wört' });
    const sender = createMailSender({
      smtpUrl: `smtp://callfilter:${encodeURIComponent('pa:ss wört')}@127.0.0.1:${peer.port}`,
      from: 'Anruffilter <callfilter@home.example>',
      to: 'anna@home.example, ben@home.example',
    });
    try {
      expect(sender.name).toBe(`127.0.0.1:${peer.port} → anna@home.example, ben@home.example`);
      await sender.send(buildDigest(calls, { ...period, language: 'de' }));
    } finally {
      sender.close();
    }
    expect(peer.mails).toHaveLength(1);
    const [mail] = peer.mails;
    if (!mail) return;
    expect(mail).toMatchObject({
      from: 'callfilter@home.example',
      to: ['anna@home.example', 'ben@home.example'],
      user: 'callfilter',
    });
    const read = readMail(mail.raw);
    expect(read.headers.subject).toBe('callfilter: 1 Anruf abgewehrt, 1 Unbekannter auf der Mailbox (24.12.2026)');
    expect(read.headers.from).toBe('Anruffilter <callfilter@home.example>');
    expect(read.headers['auto-submitted']).toBe('auto-generated');
    expect(read.text).toContain(
      '- 24.12.2026, 09:00  SPAM: Müller Energie (030 123456)\n  Ansage: auf einer importierten Spamliste\n  https://cf.example.org/#calls/11',
    );
    expect(read.text).toContain(
      '- 24.12.2026, 10:00  Unterdrückte Nummer\n  Mailbox: Rufnummer unterdrückt\n  https://cf.example.org/#calls/12',
    );
    expect(read.html).toContain('<a href="https://cf.example.org/#calls/11">SPAM: Müller Energie (030 123456)</a>');
  });

  it('delivers the English digest to a relay without authentication', async () => {
    const peer = await startSmtpPeer();
    const sender = createMailSender({
      smtpUrl: `smtp://127.0.0.1:${peer.port}`,
      from: 'callfilter@home.example',
      to: 'anna@home.example',
    });
    try {
      await sender.send(buildDigest(calls, { ...period, language: 'en' }));
    } finally {
      sender.close();
    }
    const read = readMail(peer.mails[0]?.raw ?? '');
    expect(read.headers.subject).toBe('callfilter: 1 call kept away, 1 unknown caller on voicemail (24 Dec 2026)');
    expect(read.text).toContain('Kept away (hung up on or answered with the announcement) (1)');
    expect(read.text).toContain(
      '- 24 Dec 2026, 10:00  Withheld number\n  Voicemail: withheld number\n  https://cf.example.org/#calls/12',
    );
    expect(read.html).toContain('Unknown callers sent to voicemail (1)');
  });

  it('classifies failures: a refused recipient or a wrong password is permanent, 4xx and a dead server are not', async () => {
    const digest = buildDigest(calls, { ...period, language: 'en' });
    const peer = await startSmtpPeer({ user: 'u', pass: 'right' });
    const send = async (smtpUrl: string) => {
      const sender = createMailSender({ smtpUrl, from: 'cf@home.example', to: 'anna@home.example' });
      try {
        await sender.send(digest);
      } finally {
        sender.close();
      }
    };
    const wrong = await failure(send(`smtp://u:wrong@127.0.0.1:${peer.port}`));
    expect(wrong).toMatchObject({ retry: false, status: 535 });
    expect(wrong.message).not.toContain('wrong');

    peer.refuseRecipients(550);
    expect(await failure(send(`smtp://u:right@127.0.0.1:${peer.port}`))).toMatchObject({ retry: false, status: 550 });
    peer.refuseRecipients(451);
    expect(await failure(send(`smtp://u:right@127.0.0.1:${peer.port}`))).toMatchObject({ retry: true, status: 451 });

    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await failure(send(`smtp://127.0.0.1:${port}`))).toMatchObject({ retry: true });
    expect(peer.mails).toEqual([]);
  });
});

describe('mail settings', () => {
  it('reads the URL and the addresses', () => {
    expect(
      mailSettings({
        smtpUrl: 'smtps://u:p@mail.example.org',
        from: 'cf@example.org',
        to: 'a@example.org,"Ben B." <b@example.org>',
      }),
    ).toEqual({
      smtpUrl: 'smtps://u:p@mail.example.org',
      server: 'mail.example.org:465',
      from: 'cf@example.org',
      to: ['a@example.org', '"Ben B." <b@example.org>'],
    });
  });

  it.each([
    [{ smtpUrl: 'mail.example.org', from: 'a@b.c', to: 'a@b.c' }, 'CALLFILTER_SMTP_URL is not a URL'],
    [
      { smtpUrl: 'https://mail.example.org', from: 'a@b.c', to: 'a@b.c' },
      'must start with smtp:// or smtps://, not https://',
    ],
    [{ smtpUrl: 'smtp://mail.example.org', from: '', to: 'a@b.c' }, 'CALLFILTER_MAIL_FROM names no address'],
    [
      { smtpUrl: 'smtp://mail.example.org', from: 'a@b.c, d@e.f', to: 'a@b.c' },
      'CALLFILTER_MAIL_FROM names more than one address',
    ],
    [
      { smtpUrl: 'smtp://mail.example.org', from: 'a@b.c', to: 'anna' },
      'CALLFILTER_MAIL_TO: "anna" is not an e-mail address',
    ],
  ])('refuses %j', (input, message) => {
    expect(() => mailSettings(input)).toThrow(message);
  });

  it('never repeats the password in an error', () => {
    expect(() => mailSettings({ smtpUrl: 'smtp://u:TOPSECRET@', from: 'a@b.c', to: 'a@b.c' })).toThrow(
      /^(?!.*TOPSECRET)/,
    );
  });
});
