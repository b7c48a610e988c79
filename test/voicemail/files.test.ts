/** Asterisk's message file, WAV headers and the choice of a playable format: pure functions. */
import { describe, expect, it } from 'vitest';
import { callerIdNumber, parseMessageFile, parseWavHeader, playableFormat } from '../../src/voicemail/index.js';
import { gsmWav, messageText, pcmWav } from '../helpers/voicemail-spool.js';

describe('msgNNNN.txt', () => {
  it('reads the [message] section as Asterisk 22 writes it', () => {
    const text = messageText({
      mailbox: '100',
      n: 3,
      callerchan: 'PJSIP/sipgate-00000012',
      callerid: '"Anna" <0301234567>',
      origtime: 1798131791,
      seconds: 42,
    });
    expect(parseMessageFile(text)).toMatchObject({
      origmailbox: '100',
      context: 'callfilter-screen',
      exten: '100',
      callerchan: 'PJSIP/sipgate-00000012',
      callerid: '"Anna" <0301234567>',
      origtime: 1798131791,
      duration: 42,
      msgId: '1798131791-00000003',
      raw: { rdnis: 'unknown', priority: '3', category: '', flag: '' },
    });
  });

  it("reads an older release's file (macrocontext, no msg_id, duration appended later) and ignores other sections", () => {
    const info = parseMessageFile(
      ';\r\n; Message Information file\r\n;\r\n[message]\r\norigmailbox=100\r\ncontext=macro-vm\r\nmacrocontext=from-trunk\r\nexten=s\r\npriority=2\r\ncallerchan=SIP/trunk-0000ab12\r\ncallerid=Unknown\r\norigdate=Mon Jan  5 10:00:00 AM CET 2015\r\norigtime=1420448400\r\ncategory=\r\n[other]\r\nduration=999\r\n',
    );
    expect(info).toMatchObject({
      callerchan: 'SIP/trunk-0000ab12',
      callerid: 'Unknown',
      origtime: 1420448400,
      raw: { macrocontext: 'from-trunk' },
    });
    expect(info?.duration).toBeUndefined();
    expect(info?.msgId).toBeUndefined();
  });

  it('is not a message without its [message] section', () => {
    expect(parseMessageFile('origtime=1\ncallerchan=x\n')).toBeUndefined();
  });

  it.each([
    ['"Anna" <0301234567>', '0301234567'],
    ['<+4930123>', '+4930123'],
    ['0301234567', '0301234567'],
    ['"" <0301234567>', '0301234567'],
    ['Unknown', undefined],
    ['"Anonymous" <anonymous>', undefined],
    ['"Anna" <>', undefined],
    [undefined, undefined],
  ])('caller ID %j has the number %j', (callerid, number) => {
    expect(callerIdNumber(callerid)).toBe(number);
  });
});

describe('WAV headers', () => {
  it("give the length of 8 kHz 16-bit PCM (Asterisk's wav)", () => {
    const file = pcmWav(2.5);
    expect(parseWavHeader(file.subarray(0, 4096), file.length)).toMatchObject({
      audioFormat: 1,
      sampleRate: 8000,
      byteRate: 16000,
      seconds: 2.5,
    });
  });

  it('recognise wav49 (GSM 6.10, format 49) with its fact chunk', () => {
    const file = gsmWav(2);
    expect(parseWavHeader(file, file.length)).toMatchObject({ audioFormat: 49, byteRate: 1625, seconds: 2 });
  });

  it("measure by the bytes there when the header's data size is 0 (a recording still being written)", () => {
    const file = pcmWav(1);
    file.writeUInt32LE(0, 40);
    expect(parseWavHeader(file, file.length)?.seconds).toBe(1);
    expect(parseWavHeader(file.subarray(0, 44), file.length + 16000)?.seconds).toBe(2);
  });

  it('refuse what is not a WAV file', () => {
    expect(parseWavHeader(Buffer.from('not a wav file at all'), 21)).toBeUndefined();
    expect(parseWavHeader(Buffer.alloc(0), 0)).toBeUndefined();
  });
});

describe('the playable format', () => {
  it("prefers PCM WAV and never takes wav49's .WAV", () => {
    expect(playableFormat(['WAV', 'wav'])?.ext).toBe('wav');
    expect(playableFormat(['wav', 'wav16', 'ogg'])?.ext).toBe('wav16');
    expect(playableFormat(['gsm', 'ogg'])).toMatchObject({ ext: 'ogg', contentType: 'audio/ogg' });
    expect(playableFormat(['WAV', 'gsm', 'ulaw'])).toBeUndefined();
  });
});
