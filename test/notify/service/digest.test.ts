/**
 * The e-mail digest wired into the service: real calls screened over FastAGI on a given day, the digest job of the
 * job runner at 07:00 the next morning, the mail through the outbox to a real SMTP peer (smtp-server), read back in
 * German and in English — and once per period, across a restart. Calls are logged at chosen times (the context's
 * clock), the jobs run on a manual clock.
 */
import { describe, expect, it } from 'vitest';
import { DIGEST_KIND } from '../../../src/notify/outbox/mail.js';
import { manualClock } from '../../helpers/manual-clock.js';
import { advanceUntil, startNotifyService } from '../../helpers/notify-service.js';
import { tempDir } from '../../helpers/service.js';
import { readMail, type SmtpPeer, startSmtpPeer } from '../../helpers/smtp-peer.js';

/** Berlin wall-clock time in winter (UTC+1). */
const berlin = (iso: string) => Date.parse(`${iso}+01:00`);

function mailEnv(peer: SmtpPeer, digest: string) {
  return {
    CALLFILTER_DIGEST: digest,
    CALLFILTER_SMTP_URL: `smtp://127.0.0.1:${peer.port}`,
    CALLFILTER_MAIL_FROM: 'callfilter <callfilter@home.example>',
    CALLFILTER_MAIL_TO: 'anna@home.example',
    CALLFILTER_PUBLIC_URL: 'https://cf.example.org/',
  };
}

describe('the e-mail digest from the service', () => {
  it('daily, in German: at 07:00 about the day before, through the outbox, and once per day across a restart', async () => {
    const peer = await startSmtpPeer();
    const dataDir = tempDir();
    let now = berlin('2026-12-23T09:15:00');
    const env = mailEnv(peer, 'daily');
    const clock = manualClock(berlin('2026-12-23T23:00:00'));
    const svc = await startNotifyService({ dataDir, env, overrides: { clock: () => now }, jobs: { clock } });
    const list = await svc.ctx.store.lists.create({ name: 'Spam', threshold: 1, label: 'Müller Energie' });
    await svc.ctx.store.lists.replaceEntries(list.id, [{ number: '+4930123456', score: 5 }]);
    const spam = await svc.call('030 123456');
    now = berlin('2026-12-23T11:30:00');
    const withheld = await svc.call('anonymous', { presentation: 32 });
    now = berlin('2026-12-23T12:00:00');
    await svc.call('030 777777');
    now = berlin('2026-12-23T12:02:00');
    expect((await svc.call('030 777777')).variables.CALLFILTER_REASON).toBe('repeat-caller');
    expect(spam.variables.CALLFILTER_ACTION).toBe('announce');

    // Nothing before 07:00; at 07:00 the mail about the 23rd
    await clock.advanceTo(berlin('2026-12-24T06:59:00'));
    expect(peer.mails).toHaveLength(0);
    await advanceUntil(clock, berlin('2026-12-24T07:00:00') - clock.now(), () => peer.mails.length === 1);
    const mail = readMail(peer.mails[0]!.raw);
    expect(mail.headers.subject).toBe('callfilter: 1 Anruf abgewehrt, 2 Unbekannte auf der Mailbox (23.12.2026)');
    const spamId = spam.variables.CALLFILTER_CALL_ID;
    expect(mail.text).toContain(
      `- 23.12.2026, 09:15  SPAM: Müller Energie (030 123456)\n  Ansage: auf einer importierten Spamliste\n  https://cf.example.org/#calls/${spamId}`,
    );
    expect(mail.text).toContain(
      `- 23.12.2026, 11:30  Unterdrückte Nummer\n  Mailbox: Rufnummer unterdrückt\n  https://cf.example.org/#calls/${withheld.variables.CALLFILTER_CALL_ID}`,
    );
    expect(mail.text).toContain('Insgesamt 4 Anrufe: 1 durchgestellt, 2 auf der Mailbox, 0 aufgelegt, 1 mit Ansage.');
    expect(mail.html).toContain(`<a href="https://cf.example.org/#calls/${spamId}">`);
    expect(peer.mails[0]!.raw).not.toContain(svc.ctx.config.adminToken ?? 'admin-token');
    await svc.close();

    // A restart the same morning: the digest of the 23rd was sent; none goes out again.
    const again = manualClock(berlin('2026-12-24T09:00:00'));
    const second = await startNotifyService({ dataDir, env, jobs: { clock: again } });
    expect(await second.jobs.runner.runNow('digest')).toBe('ran');
    await second.jobs.dispatcher.dispatchDue();
    expect(await second.ctx.store.outbox.countSince(DIGEST_KIND, 0)).toBe(1);
    expect(peer.mails).toHaveLength(1);
  });

  it('weekly, in English: Mondays about the week before; a week with nothing to tell sends nothing', async () => {
    const peer = await startSmtpPeer();
    let now = berlin('2026-12-22T10:00:00'); // Tuesday
    const clock = manualClock(berlin('2026-12-27T12:00:00')); // Sunday
    const svc = await startNotifyService({
      env: { ...mailEnv(peer, 'weekly'), CALLFILTER_HOME_COUNTRY: 'GB', CALLFILTER_HOME_AREA_CODE: '20' },
      overrides: { clock: () => now },
      jobs: { clock },
    });
    await svc.ctx.store.entries.create({
      number: '+442079460958',
      kind: 'block',
      label: 'Energy Sales Ltd',
      source: 'api',
    });
    const blocked = await svc.call('020 7946 0958');
    now = berlin('2026-12-26T18:00:00');
    await svc.call('+33 1 23 45 67 89'); // foreign: voicemail

    // On Sunday the week before (14–20 Dec, empty) is the latest: no mail
    await advanceUntil(clock, 0, () => svc.logs.some((l) => l.period === 'weekly:2026-12-14'));
    expect(svc.logs.find((l) => l.period === 'weekly:2026-12-14')?.msg).toMatch(/^digest: nothing kept away/);
    expect(await svc.ctx.store.outbox.countSince(DIGEST_KIND, 0)).toBe(0);
    await advanceUntil(clock, berlin('2026-12-28T07:00:00') - clock.now(), () => peer.mails.length === 1);
    const mail = readMail(peer.mails[0]!.raw);
    expect(mail.headers.subject).toMatch(
      /^callfilter: 1 call kept away, 1 unknown caller on voicemail \(21\s–\s27 Dec 2026\)$/,
    );
    expect(mail.text).toContain(
      `- 22 Dec 2026, 10:00  Energy Sales Ltd (020 7946 0958)\n  Hung up: on your blocklist\n  https://cf.example.org/#calls/${blocked.variables.CALLFILTER_CALL_ID}`,
    );
    expect(mail.text).toContain('+33 1 23 45 67 89\n  Voicemail: foreign number');
  });
});
