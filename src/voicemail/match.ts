/**
 * Which voicemail message belongs to a call (pure). Never by file name — messages move between folders and are
 * renumbered — but by what Asterisk wrote into the message file: the channel that left it (`callerchan`, the same
 * channel the AGI request came on) and when the recording began (`origtime`, after the greeting, so a little after
 * the call). The caller ID number is the fallback when the call row has no channel: then the number must be the
 * same (or one the other's tail, for a dialplan that rewrote its format), and a withheld caller is matched by
 * channel only. Of several candidates the one that began soonest after the call wins.
 */
import { callerIdNumber } from './message-file.js';
import type { VoicemailMessage } from './spool.js';

/** The recording may begin a little "before" the call when the two clocks (Asterisk's, ours) disagree slightly. */
export const CLOCK_SKEW_MS = 60_000;
/**
 * Ringing before voicemail, the greeting, a menu: the recording begins this long after the call at most.
 * Channel names are unique only within an Asterisk run, so the window also keeps a name reused after a restart
 * from matching a call of another day.
 */
export const MAX_DELAY_MS = 15 * 60_000;
/** Shortest tail of digits two differently written numbers must share. */
const MIN_TAIL_DIGITS = 7;

export interface CallForVoicemail {
  /** When the call came in, epoch ms. */
  at: number;
  /** `agi_channel`, e.g. `PJSIP/trunk-00000012`. */
  channel?: string;
  /** The caller ID as Asterisk gave it (`agi_callerid`). */
  callerRaw?: string;
  /** E.164, when known. */
  caller?: string;
}

export interface VoicemailMatch {
  message: VoicemailMessage;
  by: 'channel' | 'callerid';
}

const digits = (s: string | undefined): string => (s ?? '').replace(/\D/g, '');

/** Equal digits, or — written differently (`0301234567`, `+49301234567`) — the same tail without trunk zeros. */
function sameNumber(a: string, b: string): boolean {
  if (a === b) return true;
  const [x, y] = [a.replace(/^0+/, ''), b.replace(/^0+/, '')];
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  return short.length >= MIN_TAIL_DIGITS && long.endsWith(short);
}

export function matchVoicemail(
  call: CallForVoicemail,
  messages: readonly VoicemailMessage[],
): VoicemailMatch | undefined {
  const inWindow = messages.filter((m) => {
    if (m.info.origtime === undefined) return false;
    const delay = m.info.origtime * 1000 - call.at;
    return delay >= -CLOCK_SKEW_MS && delay <= MAX_DELAY_MS;
  });
  const soonest = (list: VoicemailMessage[]) =>
    list.reduce<VoicemailMessage | undefined>(
      (best, m) => (!best || (m.info.origtime ?? 0) < (best.info.origtime ?? 0) ? m : best),
      undefined,
    );

  if (call.channel) {
    const byChannel = soonest(inWindow.filter((m) => m.info.callerchan === call.channel));
    if (byChannel) return { message: byChannel, by: 'channel' };
  }
  const wanted = [digits(call.callerRaw), digits(call.caller)].filter((d) => d.length > 0);
  if (wanted.length === 0) return undefined;
  const byNumber = soonest(
    inWindow.filter((m) => {
      const number = digits(callerIdNumber(m.info.callerid));
      return number !== '' && wanted.some((w) => sameNumber(w, number));
    }),
  );
  return byNumber ? { message: byNumber, by: 'callerid' } : undefined;
}
