/**
 * Asterisk's message information file, `msgNNNN.txt` beside each voicemail recording (app_voicemail.c,
 * leave_voicemail): an INI file whose `[message]` section holds, among others,
 *
 *   origmailbox=100        context=from-trunk      exten=s               rdnis=unknown
 *   priority=7             callerchan=PJSIP/trunk-00000012                callerid="Anna" <0301234567>
 *   origdate=Thu Dec 24 06:03:11 PM CET 2026       origtime=1798131791   category=
 *   msg_id=1798131791-00000003                     flag=                 duration=42
 *
 * `callerchan` is the channel that left the message (the same one the AGI ran on), `origtime` the Unix time the
 * recording began, `duration` its length in whole seconds (written when the recording ends). Comments start with `;`.
 * Older releases also wrote `macrocontext=`. Unknown keys are kept; a file without `[message]` is not a message.
 */

/** A message file is a dozen short lines; anything much larger is not one (and is not read whole). */
export const MAX_MESSAGE_FILE_BYTES = 8192;

export interface MessageInfo {
  callerchan?: string;
  /** As Asterisk merged it: `"Name" <number>`, `<number>`, or `Unknown`. */
  callerid?: string;
  /** Unix seconds. */
  origtime?: number;
  duration?: number;
  origmailbox?: string;
  context?: string;
  exten?: string;
  msgId?: string;
  flag?: string;
  /** Every key of the section as written. */
  raw: Record<string, string>;
}

export function parseMessageFile(text: string): MessageInfo | undefined {
  const raw: Record<string, string> = {};
  let inMessage = false;
  let sawMessage = false;
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t === '' || t.startsWith(';') || t.startsWith('#')) continue;
    const section = /^\[(.*)\]$/.exec(t);
    if (section) {
      inMessage = section[1] === 'message';
      sawMessage ||= inMessage;
      continue;
    }
    if (!inMessage) continue;
    const i = t.indexOf('=');
    if (i <= 0) continue;
    raw[t.slice(0, i).trim()] = t.slice(i + 1).trim();
  }
  if (!sawMessage) return undefined;
  const int = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  const str = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  const info: MessageInfo = { raw };
  const set = <K extends keyof MessageInfo>(key: K, value: MessageInfo[K] | undefined) => {
    if (value !== undefined) info[key] = value;
  };
  set('callerchan', str(raw.callerchan));
  set('callerid', str(raw.callerid));
  set('origtime', int(raw.origtime));
  set('duration', int(raw.duration));
  set('origmailbox', str(raw.origmailbox));
  set('context', str(raw.context));
  set('exten', str(raw.exten));
  set('msgId', str(raw.msg_id));
  set('flag', str(raw.flag));
  return info;
}

/**
 * The number in Asterisk's merged caller ID (`"Anna" <0301234567>` → `0301234567`, `0301234567` → itself);
 * undefined for `Unknown` and for an empty or withheld one.
 */
export function callerIdNumber(callerid: string | undefined): string | undefined {
  if (!callerid) return undefined;
  const angle = /<([^>]*)>\s*$/.exec(callerid);
  const number = (angle ? angle[1] : callerid)?.trim() ?? '';
  if (!/\d/.test(number) || /^(unknown|anonymous|restricted|private|unavailable)$/i.test(number)) return undefined;
  return number;
}
