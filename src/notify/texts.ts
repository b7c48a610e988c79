/**
 * Texts for people in notifications (push titles, digests), in German and English. The wording follows the page's
 * own (web/src/i18n-*.ts) so a call reads the same in the log, on the phone and in the mail.
 */
import type { Action, Reason } from '../policy/types.js';
import type { CallEvent, NotifyLanguage } from './types.js';

const ACTIONS: Record<NotifyLanguage, Record<Action, string>> = {
  de: { connect: 'Durchgestellt', voicemail: 'Mailbox', hangup: 'Aufgelegt', announce: 'Ansage' },
  en: { connect: 'Connected', voicemail: 'Voicemail', hangup: 'Hung up', announce: 'Announcement' },
};

const REASONS: Record<NotifyLanguage, Record<Reason, string>> = {
  de: {
    internal: 'interne Nebenstelle',
    contact: 'in Ihren Kontakten',
    allowlist: 'auf Ihrer Freigabeliste',
    blocklist: 'auf Ihrer Sperrliste',
    'spam-list': 'auf einer importierten Spamliste',
    anonymous: 'Rufnummer unterdrückt',
    implausible: 'unmögliche Nummer – vermutlich gefälscht',
    foreign: 'Auslandsnummer',
    unknown: 'unbekannte Nummer',
    'repeat-caller': 'innerhalb weniger Minuten erneut angerufen',
    'quiet-hours': 'Ruhezeit – hätte sonst geklingelt',
    monitor: 'Beobachtungsmodus – alles klingelt',
    'fail-open': 'keine Entscheidung rechtzeitig – sicherheitshalber durchgestellt',
  },
  en: {
    internal: 'internal extension',
    contact: 'in your contacts',
    allowlist: 'on your allowlist',
    blocklist: 'on your blocklist',
    'spam-list': 'on an imported spam list',
    anonymous: 'withheld number',
    implausible: 'implausible number – probably spoofed',
    foreign: 'foreign number',
    unknown: 'unknown number',
    'repeat-caller': 'called again within a few minutes',
    'quiet-hours': 'quiet hours – would have rung',
    monitor: 'monitor mode – everything rings',
    'fail-open': 'no decision in time – put through to be safe',
  },
};

const WORDS = {
  de: {
    withheld: 'Unterdrückte Nummer',
    internal: 'Intern',
    voicemailFrom: 'Neue Nachricht von',
    called: 'Angerufen',
    open: 'Im Protokoll öffnen',
  },
  en: {
    withheld: 'Withheld number',
    internal: 'Internal',
    voicemailFrom: 'New voicemail from',
    called: 'Called',
    open: 'Open in the log',
  },
} as const satisfies Record<NotifyLanguage, Record<string, string>>;

export type Word = keyof (typeof WORDS)['en'];

export function word(lang: NotifyLanguage, key: Word): string {
  return WORDS[lang][key];
}

export function actionText(lang: NotifyLanguage, action: Action): string {
  return ACTIONS[lang][action];
}

export function reasonText(lang: NotifyLanguage, reason: Reason): string {
  return REASONS[lang][reason];
}

/** The caller's number as people write it, or what stands in for it. */
export function callerNumberText(
  lang: NotifyLanguage,
  call: Pick<CallEvent, 'caller' | 'callerNational' | 'callerKind'>,
): string {
  if (call.callerNational) return call.callerNational;
  if (call.caller) return call.caller;
  return word(lang, call.callerKind === 'internal' ? 'internal' : 'withheld');
}

/** Who called, for a title or a state: `Anna (0170 1234567)`, `030 1234567`, `Withheld number`. */
export function callerText(
  lang: NotifyLanguage,
  call: Pick<CallEvent, 'caller' | 'callerNational' | 'callerKind' | 'label'>,
): string {
  const number = callerNumberText(lang, call);
  const label = call.label?.trim();
  if (!label || label === number) return number;
  return call.caller || call.callerNational ? `${label} (${number})` : label;
}

/** `0:42`, `12:05`: a voicemail's length. */
export function durationText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The call's time in the household's time zone, in the reader's language (`24.12.2026, 18:03`). */
export function timeText(lang: NotifyLanguage, at: number, timeZone: string, withDate = true): string {
  return new Intl.DateTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
    timeZone,
    ...(withDate ? { dateStyle: 'medium' as const } : {}),
    timeStyle: 'short',
  }).format(at);
}

/** One line for a push notification's title: `Hung up: SPAM: call centre (030 1234567)`. */
export function titleText(lang: NotifyLanguage, call: CallEvent): string {
  if (call.kind === 'voicemail') {
    const length = call.voicemailSeconds === undefined ? '' : ` (${durationText(call.voicemailSeconds)})`;
    return `${word(lang, 'voicemailFrom')} ${callerText(lang, call)}${length}`;
  }
  return `${actionText(lang, call.action)}: ${callerText(lang, call)}`;
}

/** The body under the title: why, which line, when, and where to look. */
export function messageText(lang: NotifyLanguage, call: CallEvent, timeZone: string, link?: string): string {
  const lines = [`${reasonText(lang, call.reason)} · ${timeText(lang, call.at, timeZone)}`];
  if (call.called) lines.push(`${word(lang, 'called')}: ${call.called}`);
  if (link) lines.push(link);
  return lines.join('\n');
}
