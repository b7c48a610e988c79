/** The digest's own words in German and English (call texts come from ../texts.ts). */
import type { Action } from '../../policy/types.js';
import type { NotifyLanguage } from '../types.js';

export interface DigestWords {
  subject(keptAway: number, voicemail: number, period: string): string;
  heading(period: string): string;
  keptAway: string;
  voicemail: string;
  nothing: string;
  more(n: number): string;
  totals(total: number, byAction: Record<Action, number>): string;
  open: string;
  footer: string;
}

const calls = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const DIGEST_WORDS: Record<NotifyLanguage, DigestWords> = {
  de: {
    subject: (k, v, p) =>
      k === 0 && v === 0
        ? `callfilter: nichts abgewehrt (${p})`
        : `callfilter: ${calls(k, 'Anruf', 'Anrufe')} abgewehrt, ${calls(v, 'Unbekannter', 'Unbekannte')} auf der Mailbox (${p})`,
    heading: (p) => `Ihr Anruffilter, ${p}`,
    keptAway: 'Abgewehrt (aufgelegt oder Ansage)',
    voicemail: 'Unbekannte Anrufer auf der Mailbox',
    nothing: 'Keine abgewehrten Anrufe und keine unbekannten Anrufer auf der Mailbox.',
    more: (n) => `… und ${calls(n, 'weiterer', 'weitere')}`,
    totals: (t, a) =>
      `Insgesamt ${calls(t, 'Anruf', 'Anrufe')}: ${a.connect} durchgestellt, ${a.voicemail} auf der Mailbox, ${a.hangup} aufgelegt, ${a.announce} mit Ansage.`,
    open: 'Anrufprotokoll öffnen',
    footer: 'Diese Übersicht verschickt callfilter (CALLFILTER_DIGEST). Abbestellen: CALLFILTER_DIGEST=off.',
  },
  en: {
    subject: (k, v, p) =>
      k === 0 && v === 0
        ? `callfilter: nothing kept away (${p})`
        : `callfilter: ${calls(k, 'call', 'calls')} kept away, ${calls(v, 'unknown caller', 'unknown callers')} on voicemail (${p})`,
    heading: (p) => `Your call filter, ${p}`,
    keptAway: 'Kept away (hung up on or answered with the announcement)',
    voicemail: 'Unknown callers sent to voicemail',
    nothing: 'No calls kept away and no unknown callers on voicemail.',
    more: (n) => `… and ${n} more`,
    totals: (t, a) =>
      `${calls(t, 'call', 'calls')} in all: ${a.connect} connected, ${a.voicemail} to voicemail, ${a.hangup} hung up on, ${a.announce} with the announcement.`,
    open: 'Open the call log',
    footer: 'callfilter sends this summary (CALLFILTER_DIGEST). To stop it: CALLFILTER_DIGEST=off.',
  },
};
