/**
 * The voicemail index against a spool laid out as Asterisk 22 writes it: both formats, messages moved to Old and
 * renumbered, two mailboxes in two contexts, a message of no call, greetings and tmp beside the folders.
 */
import { describe, expect, it } from 'vitest';
import { type CallForVoicemail, VoicemailSpool } from '../../src/voicemail/index.js';
import { makeSpool, type Spool } from '../helpers/voicemail-spool.js';

const T = 1_798_131_600; // 24 Dec 2026, 17:00 UTC, in Unix seconds
const callAt = (s: number) => s * 1000;

function household(): Spool {
  const spool = makeSpool();
  // an unknown caller at 17:00 sent to voicemail (the greeting takes 12 s), mailbox 100
  spool.add({
    mailbox: '100',
    n: 0,
    callerchan: 'PJSIP/sipgate-00000012',
    callerid: '"" <0301234567>',
    origtime: T + 12,
    seconds: 3,
  });
  // a withheld caller at 17:05, mailbox 100
  spool.add({
    mailbox: '100',
    n: 1,
    callerchan: 'PJSIP/sipgate-00000013',
    callerid: 'Unknown',
    origtime: T + 312,
    seconds: 2,
  });
  // the business line's mailbox in another voicemail context, only GSM written (no browser format)
  spool.add({
    context: 'office',
    mailbox: '200',
    n: 0,
    callerchan: 'PJSIP/telekom-0000001a',
    callerid: '"Kanzlei" <+4940123456>',
    origtime: T + 600,
    seconds: 4,
    formats: ['wav49'],
  });
  // someone who called Asterisk directly, not through callfilter: matches no call
  spool.add({
    mailbox: '100',
    n: 2,
    callerchan: 'PJSIP/phone2-00000020',
    callerid: '"Desk" <22>',
    origtime: T + 900,
    seconds: 1,
  });
  return spool;
}

describe('the voicemail spool index', () => {
  it('finds every message in every context, mailbox and folder, with the format a browser plays and its length', async () => {
    const spool = household();
    const messages = await new VoicemailSpool(spool.root).messages();
    expect(messages.map((m) => `${m.context}/${m.mailbox}/${m.folder}/${m.name}`)).toEqual([
      'default/100/INBOX/msg0000',
      'default/100/INBOX/msg0001',
      'default/100/INBOX/msg0002',
      'office/200/INBOX/msg0000',
    ]);
    const first = messages[0];
    expect(first?.formats.sort()).toEqual(['WAV', 'wav']);
    expect(first?.audio).toMatchObject({ format: { ext: 'wav', contentType: 'audio/wav' }, bytes: 44 + 3 * 16000 });
    expect(first?.audio?.path.endsWith('/default/100/INBOX/msg0000.wav')).toBe(true);
    expect(first?.durationSeconds).toBe(3);
    expect(first?.info).toMatchObject({
      callerchan: 'PJSIP/sipgate-00000012',
      callerid: '"" <0301234567>',
      origtime: T + 12,
      duration: 3,
    });
    // wav49 alone: nothing a browser plays, but the length is known from the message file
    const office = messages[3];
    expect(office?.audio).toBeUndefined();
    expect(office?.formats).toEqual(['WAV']);
    expect(office?.durationSeconds).toBe(4);
  });

  it('matches a call by its channel and time, wherever the message has moved and whatever its number now', async () => {
    const spool = household();
    const index = new VoicemailSpool(spool.root, { maxAgeMs: 0 });
    const unknown: CallForVoicemail = {
      at: callAt(T),
      channel: 'PJSIP/sipgate-00000012',
      callerRaw: '0301234567',
      caller: '+49301234567',
    };
    expect((await index.find(unknown))?.message).toMatchObject({ folder: 'INBOX', name: 'msg0000' });

    // listened to: msg0000 goes to Old as msg0000; the INBOX renumbers msg0001 → msg0000, msg0002 → msg0001
    spool.move({ mailbox: '100', folder: 'INBOX', n: 0 }, { folder: 'Old', n: 0 });
    spool.move({ mailbox: '100', folder: 'INBOX', n: 1 }, { folder: 'INBOX', n: 0 });
    spool.move({ mailbox: '100', folder: 'INBOX', n: 2 }, { folder: 'INBOX', n: 1 });
    const moved = await index.find(unknown);
    expect(moved).toMatchObject({ by: 'channel', message: { folder: 'Old', name: 'msg0000', durationSeconds: 3 } });
    expect(moved?.message.audio?.path.endsWith('/default/100/Old/msg0000.wav')).toBe(true);

    const withheld: CallForVoicemail = {
      at: callAt(T + 300),
      channel: 'PJSIP/sipgate-00000013',
      callerRaw: 'anonymous',
    };
    expect(await index.find(withheld)).toMatchObject({ by: 'channel', message: { folder: 'INBOX', name: 'msg0000' } });

    const office: CallForVoicemail = {
      at: callAt(T + 590),
      channel: 'PJSIP/telekom-0000001a',
      callerRaw: '+4940123456',
    };
    expect(await index.find(office)).toMatchObject({ message: { context: 'office', mailbox: '200' } });
  });

  it('falls back to the caller ID number when the call has no channel, never for a withheld caller', async () => {
    const spool = household();
    const index = new VoicemailSpool(spool.root);
    expect(await index.find({ at: callAt(T), callerRaw: '0301234567' })).toMatchObject({
      by: 'callerid',
      message: { name: 'msg0000' },
    });
    // the dialplan rewrote the number to E.164: the tails agree
    expect(await index.find({ at: callAt(T), caller: '+49301234567' })).toMatchObject({ by: 'callerid' });
    expect(await index.find({ at: callAt(T + 300), callerRaw: 'anonymous' })).toBeUndefined();
    // a short internal number must match exactly
    expect(await index.find({ at: callAt(T + 890), callerRaw: '122' })).toBeUndefined();
  });

  it('finds nothing for a call that left no message, or whose channel name was reused on another day', async () => {
    const spool = household();
    const index = new VoicemailSpool(spool.root);
    expect(
      await index.find({ at: callAt(T + 120), channel: 'PJSIP/sipgate-00000099', callerRaw: '089999999' }),
    ).toBeUndefined();
    // Asterisk restarted and counts channels from 1 again: the same name a day later is another call
    expect(
      await index.find({ at: callAt(T + 86_400), channel: 'PJSIP/sipgate-00000012', callerRaw: '0301234567' }),
    ).toBeUndefined();
    // a message that began before the call (beyond the clock skew) is not its message
    expect(await index.find({ at: callAt(T + 200), channel: 'PJSIP/sipgate-00000012' })).toBeUndefined();
  });

  it('serves a walk for maxAgeMs, then sees new, moved and deleted messages', async () => {
    const spool = household();
    let now = 1_000_000;
    const index = new VoicemailSpool(spool.root, { maxAgeMs: 10_000, now: () => now });
    expect(await index.messages()).toHaveLength(4);
    spool.add({
      mailbox: '100',
      n: 3,
      callerchan: 'PJSIP/sipgate-00000030',
      callerid: '<0309876543>',
      origtime: T + 1000,
      seconds: 1,
    });
    spool.remove({ mailbox: '100', folder: 'INBOX', n: 2 });
    now += 5000;
    expect(await index.messages()).toHaveLength(4); // within maxAgeMs: no walk
    now += 5000;
    const after = await index.messages();
    expect(after.map((m) => m.name)).toEqual(['msg0000', 'msg0001', 'msg0003', 'msg0000']);
    expect(index.refresh()).toBe(index.refresh()); // concurrent callers share one walk
  });

  it('finds nothing, and throws nothing, when the spool folder does not exist', async () => {
    const index = new VoicemailSpool('/nonexistent/asterisk/voicemail');
    expect(await index.messages()).toEqual([]);
    expect(await index.find({ at: Date.now(), channel: 'PJSIP/x-1' })).toBeUndefined();
  });
});
