/**
 * A read-only index of Asterisk's voicemail spool (`CALLFILTER_VOICEMAIL_DIR`, laid out as
 * `<root>/<context>/<mailbox>/<folder>/msgNNNN.{txt,wav,WAV,…}`, folders INBOX, Old, Work, Family, Friends, Urgent,
 * Cust1–5, …; `tmp` holds recordings in progress and is skipped, as are greetings beside the folders).
 *
 * Scanned on demand, at most once per `maxAgeMs` (default 10 s): the page asks for a screenful of calls at once and
 * the follow-up job asks now and then, so one walk serves them all, and nothing runs while nobody asks. A walk is
 * incremental: a folder whose modification time has not changed since it was read (a message arriving, moving to
 * Old, being renumbered or deleted all rename or unlink in it) is not listed again, and a message file is read again
 * only when its inode, size or time changed. Concurrent callers share one walk. Never writes, never follows a
 * symlink out of the spool.
 */
import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { type AudioFormat, messageFileName, playableFormat } from './formats.js';
import { type CallForVoicemail, matchVoicemail, type VoicemailMatch } from './match.js';
import { MAX_MESSAGE_FILE_BYTES, type MessageInfo, parseMessageFile } from './message-file.js';
import { parseWavHeader, WAV_HEADER_BYTES } from './wav.js';

/** How long a walk's result serves before the next request walks again. */
export const DEFAULT_MAX_AGE_MS = 10_000;
/** Far more than any household keeps; bounds memory if the root points somewhere unexpected. */
export const MAX_MESSAGES = 20_000;
/**
 * A folder changed within this long before it was read may change again within the same timestamp tick (coarse
 * file-system clocks), so it is listed again next time.
 */
const MTIME_SLACK_MS = 2000;

export interface VoicemailAudio {
  path: string;
  format: AudioFormat;
  bytes: number;
}

export interface VoicemailMessage {
  context: string;
  mailbox: string;
  folder: string;
  /** `msg0003`: where it is now; it changes when the message moves, so never an identity. */
  name: string;
  info: MessageInfo;
  /** Every recording file's extension, as written (`WAV`, `wav`, …). */
  formats: string[];
  /** The recording a browser can play; absent when only other formats were written. */
  audio?: VoicemailAudio;
  /** From the WAV header when there is one, else from `duration=`. */
  durationSeconds?: number;
}

interface CachedFile {
  key: string;
  message: VoicemailMessage | undefined;
}

interface CachedFolder {
  mtimeMs: number;
  readAt: number;
  messages: VoicemailMessage[];
}

export interface VoicemailSpoolOptions {
  maxAgeMs?: number;
  now?: () => number;
}

export class VoicemailSpool {
  private readonly folders = new Map<string, CachedFolder>();
  private readonly files = new Map<string, CachedFile>();
  private current: VoicemailMessage[] = [];
  private scannedAt = -Infinity;
  private walking: Promise<VoicemailMessage[]> | undefined;
  private readonly now: () => number;

  constructor(
    readonly root: string,
    private readonly o: VoicemailSpoolOptions = {},
  ) {
    this.now = o.now ?? Date.now;
  }

  /** All messages, from a walk no older than `maxAgeMs`. */
  async messages(): Promise<VoicemailMessage[]> {
    if (this.now() - this.scannedAt < (this.o.maxAgeMs ?? DEFAULT_MAX_AGE_MS)) return this.current;
    return this.refresh();
  }

  /** The message a call left, if it is in the spool (see match.ts for how a call and a message are paired). */
  async find(call: CallForVoicemail): Promise<VoicemailMatch | undefined> {
    return matchVoicemail(call, await this.messages());
  }

  /** Walks now (sharing a walk already under way). */
  refresh(): Promise<VoicemailMessage[]> {
    this.walking ??= this.walk().finally(() => (this.walking = undefined));
    return this.walking;
  }

  private async walk(): Promise<VoicemailMessage[]> {
    const started = this.now();
    const seenFolders = new Set<string>();
    const all: VoicemailMessage[] = [];
    for (const context of await subdirectories(this.root)) {
      for (const mailbox of await subdirectories(path.join(this.root, context))) {
        for (const folder of await subdirectories(path.join(this.root, context, mailbox))) {
          if (folder === 'tmp') continue;
          const dir = path.join(this.root, context, mailbox, folder);
          seenFolders.add(dir);
          all.push(...(await this.folder(dir, { context, mailbox, folder })));
          if (all.length >= MAX_MESSAGES) break;
        }
      }
    }
    for (const dir of this.folders.keys()) {
      if (!seenFolders.has(dir)) this.forgetFolder(dir);
    }
    this.current = all.slice(0, MAX_MESSAGES);
    this.scannedAt = started;
    return this.current;
  }

  private async folder(
    dir: string,
    where: { context: string; mailbox: string; folder: string },
  ): Promise<VoicemailMessage[]> {
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(dir)).mtimeMs;
    } catch {
      return [];
    }
    const cached = this.folders.get(dir);
    if (cached && cached.mtimeMs === mtimeMs && mtimeMs < cached.readAt - MTIME_SLACK_MS) return cached.messages;
    // file-system times are wall-clock times, whatever clock decides the index's age
    const readAt = Date.now();
    const byBase = new Map<string, string[]>();
    for (const entry of await entries(dir)) {
      if (!entry.isFile()) continue;
      const parsed = messageFileName(entry.name);
      if (!parsed) continue;
      const exts = byBase.get(parsed.base) ?? [];
      exts.push(parsed.ext);
      byBase.set(parsed.base, exts);
    }
    const messages: VoicemailMessage[] = [];
    const live = new Set<string>();
    for (const [base, exts] of [...byBase].sort(([a], [b]) => a.localeCompare(b))) {
      if (!exts.includes('txt')) continue;
      const txt = path.join(dir, `${base}.txt`);
      live.add(txt);
      const message = await this.message(
        txt,
        { ...where, name: base },
        exts.filter((e) => e !== 'txt'),
      );
      if (message) messages.push(message);
    }
    for (const file of this.files.keys()) {
      if (path.dirname(file) === dir && !live.has(file)) this.files.delete(file);
    }
    this.folders.set(dir, { mtimeMs, readAt, messages });
    return messages;
  }

  private async message(
    txt: string,
    where: { context: string; mailbox: string; folder: string; name: string },
    formats: string[],
  ): Promise<VoicemailMessage | undefined> {
    let key: string;
    try {
      const s = await stat(txt);
      key = `${s.ino}:${s.size}:${s.mtimeMs}:${formats.join(',')}`;
    } catch {
      return undefined;
    }
    const cached = this.files.get(txt);
    if (cached?.key === key) return cached.message;
    const message = await readMessage(txt, where, formats);
    this.files.set(txt, { key, message });
    return message;
  }

  private forgetFolder(dir: string): void {
    this.folders.delete(dir);
    for (const file of this.files.keys()) if (path.dirname(file) === dir) this.files.delete(file);
  }
}

async function subdirectories(dir: string): Promise<string[]> {
  return (await entries(dir))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

async function entries(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    // gone meanwhile, or not readable: nothing to find there
    return [];
  }
}

async function readHead(file: string, bytes: number): Promise<{ head: Buffer; size: number } | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.min(bytes, size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { head: buffer.subarray(0, bytesRead), size };
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

async function readMessage(
  txt: string,
  where: { context: string; mailbox: string; folder: string; name: string },
  formats: string[],
): Promise<VoicemailMessage | undefined> {
  const file = await readHead(txt, MAX_MESSAGE_FILE_BYTES);
  if (!file || file.size > MAX_MESSAGE_FILE_BYTES) return undefined;
  const info = parseMessageFile(file.head.toString('utf8'));
  if (!info) return undefined;
  const message: VoicemailMessage = { ...where, info, formats };
  const format = playableFormat(formats);
  if (format) {
    const audioPath = path.join(path.dirname(txt), `${where.name}.${format.ext}`);
    const audio = await readHead(audioPath, format.wav ? WAV_HEADER_BYTES : 0);
    if (audio) {
      message.audio = { path: audioPath, format, bytes: audio.size };
      const wav = format.wav ? parseWavHeader(audio.head, audio.size) : undefined;
      if (wav) message.durationSeconds = Math.round(wav.seconds * 10) / 10;
    }
  }
  if (message.durationSeconds === undefined && info.duration !== undefined) message.durationSeconds = info.duration;
  return message;
}
