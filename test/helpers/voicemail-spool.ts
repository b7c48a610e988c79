/**
 * A voicemail spool laid out as Asterisk 22's app_voicemail writes it, in a temp folder removed when the test ends:
 * `<root>/<context>/<mailbox>/<folder>/msgNNNN.txt` plus one recording per configured format — `.wav` (8 kHz 16-bit
 * PCM, format_wav.c: a 44-byte header) and `.WAV` (wav49: GSM 6.10 in WAV, format_wav_gsm.c: a 60-byte header with
 * a `fact` chunk and 65-byte blocks of 320 samples) — greetings beside the folders and a `tmp` folder for recordings
 * in progress.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';

export interface SpoolMessage {
  context?: string;
  mailbox: string;
  folder?: string;
  /** msgNNNN number. */
  n: number;
  callerchan: string;
  callerid: string;
  /** Unix seconds. */
  origtime: number;
  /** Seconds of audio written (and `duration=`). */
  seconds: number;
  /** Recording formats written, as voicemail.conf's `format=` lists them. Default the shipped `wav49|wav`. */
  formats?: ('wav49' | 'wav' | 'gsm')[];
}

export function pcmWav(seconds: number): Buffer {
  const data = Math.round(seconds * 8000) * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(data, 40);
  for (let i = 0; i < data / 2; i++)
    b.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), 44 + i * 2);
  return b;
}

export function gsmWav(seconds: number): Buffer {
  const blocks = Math.ceil((seconds * 8000) / 320);
  const data = blocks * 65;
  const b = Buffer.alloc(60 + data);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(52 + data, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(20, 16);
  b.writeUInt16LE(49, 20); // GSM 6.10
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(1625, 28);
  b.writeUInt16LE(65, 32);
  b.writeUInt16LE(0, 34);
  b.writeUInt16LE(2, 36);
  b.writeUInt16LE(320, 38);
  b.write('fact', 40, 'ascii');
  b.writeUInt32LE(4, 44);
  b.writeUInt32LE(blocks * 320, 48);
  b.write('data', 52, 'ascii');
  b.writeUInt32LE(data, 56);
  return b;
}

export function messageText(m: SpoolMessage): string {
  const exten = m.mailbox;
  return [
    ';',
    '; Message Information file',
    ';',
    '[message]',
    `origmailbox=${m.mailbox}`,
    // the dialplan context the caller's channel was in, not the voicemail context
    'context=callfilter-screen',
    `exten=${exten}`,
    'rdnis=unknown',
    'priority=3',
    `callerchan=${m.callerchan}`,
    `callerid=${m.callerid}`,
    `origdate=${new Date(m.origtime * 1000).toUTCString()}`,
    `origtime=${m.origtime}`,
    'category=',
    `msg_id=${m.origtime}-0000000${m.n}`,
    'flag=',
    `duration=${Math.round(m.seconds)}`,
    '',
  ].join('\n');
}

export interface Spool {
  root: string;
  add(m: SpoolMessage): void;
  /** Moves a message to another folder under another number, as listening to it and "save" do. */
  move(from: { mailbox: string; folder: string; n: number; context?: string }, to: { folder: string; n: number }): void;
  remove(m: { mailbox: string; folder: string; n: number; context?: string }): void;
}

const base = (n: number) => `msg${String(n).padStart(4, '0')}`;
const EXT = { wav49: 'WAV', wav: 'wav', gsm: 'gsm' } as const;

export function makeSpool(): Spool {
  const root = mkdtempSync(path.join(tmpdir(), 'callfilter-vm-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const dir = (context: string, mailbox: string, folder: string) => {
    const d = path.join(root, context, mailbox, folder);
    mkdirSync(d, { recursive: true });
    // what app_voicemail creates around the folders: tmp for recordings in progress, greetings
    mkdirSync(path.join(root, context, mailbox, 'tmp'), { recursive: true });
    writeFileSync(path.join(root, context, mailbox, 'unavail.wav'), pcmWav(0.5));
    return d;
  };
  const files = (d: string, n: number) => ['txt', 'WAV', 'wav', 'gsm'].map((ext) => path.join(d, `${base(n)}.${ext}`));
  return {
    root,
    add(m) {
      const d = dir(m.context ?? 'default', m.mailbox, m.folder ?? 'INBOX');
      for (const format of m.formats ?? ['wav49', 'wav']) {
        const audio =
          format === 'wav'
            ? pcmWav(m.seconds)
            : format === 'wav49'
              ? gsmWav(m.seconds)
              : Buffer.alloc(33 * 50 * m.seconds);
        writeFileSync(path.join(d, `${base(m.n)}.${EXT[format]}`), audio);
      }
      // Asterisk writes the message file in tmp and renames it into the folder once the recording is done.
      const tmp = path.join(root, m.context ?? 'default', m.mailbox, 'tmp', 'Ab12Cd');
      writeFileSync(tmp, messageText(m));
      renameSync(tmp, path.join(d, `${base(m.n)}.txt`));
    },
    move(from, to) {
      const context = from.context ?? 'default';
      const src = dir(context, from.mailbox, from.folder);
      const dst = dir(context, from.mailbox, to.folder);
      for (const [i, file] of files(src, from.n).entries()) {
        try {
          renameSync(file, files(dst, to.n)[i] as string);
        } catch {
          // that format was not written
        }
      }
    },
    remove(m) {
      for (const file of files(dir(m.context ?? 'default', m.mailbox, m.folder), m.n)) rmSync(file, { force: true });
    },
  };
}
