import { capitalise, type Words } from './words.js';

const q = (text: string) => `„${text}“`;
const times = (n: number) => (n === 2 ? 'zweimal' : `${n}-mal`);
const minutes = (n: number) => (n === 1 ? '1 Minute' : `${n} Minuten`);

export const de: Words = {
  internal: (extension) => `interner Anruf von ${extension}`,
  withheld: () => 'Rufnummer unterdrückt',
  local: (digits) =>
    `Ortsnummer ${digits} ohne Vorwahl, die noch nicht eingestellt ist: als unbekannt behandelt (einstellen mit „callfilter setup --area-code …“ oder auf der Webseite)`,
  implausible: (number) => `unmögliche Nummer ${number}: diese Nummer gibt es nicht, vermutlich gefälscht`,
  foreign: (number, country) => `Auslandsnummer ${number}${country ? ` (${country})` : ''}`,
  unknown: (number) => `unbekannte Nummer ${number}`,
  contact: (label, vip) => `in Ihren Kontakten${label ? ` als ${q(label)}` : ''}${vip ? ' (VIP)' : ''}`,
  entry: (kind, f) =>
    `${f.since ? `seit ${f.since} ` : ''}auf Ihrer ${kind === 'allow' ? 'Freigabeliste' : 'Sperrliste'}${f.label ? ` als ${q(f.label)}` : ''}` +
    `${f.until ? `, bis ${f.until}` : ''}${f.vip ? ' (VIP)' : ''}`,
  range: (kind, prefix, label) =>
    `der Nummernbereich ${prefix}… steht auf Ihrer ${kind === 'allow' ? 'Freigabeliste' : 'Sperrliste'}${label ? ` (${q(label)})` : ''}`,
  list: (name, f) =>
    f.live
      ? `${name}: ${f.score} ${f.score === 1 ? 'Stimme' : 'Stimmen'}, live abgefragt (Schwelle ${f.threshold})`
      : `auf der Spamliste ${q(name)}${f.range ? ` als Nummernbereich ${f.range}…` : ''} (${f.score} ${f.score === 1 ? 'Meldung' : 'Meldungen'}, Schwelle ${f.threshold})`,
  underSchedule: (sentence, schedule) => `${sentence}, nach dem Zeitplan ${q(schedule)}`,
  repeat: (calls, window) =>
    `${times(calls)} innerhalb von ${minutes(window)} angerufen: als Wiederholungsanrufer durchgestellt`,
  quiet: (schedule, asRepeatCaller) =>
    `Ruhezeit (${schedule}): hätte sonst${asRepeatCaller ? ' als Wiederholungsanrufer' : ''} geklingelt`,
  monitor: (wouldHave, why) => `Beobachtungsmodus, durchgestellt; wäre sonst ${wouldHave}: ${why}`,
  did: (action, cause, announcement) => {
    switch (action) {
      case 'connect':
        return 'durchgestellt worden';
      case 'voicemail':
        return 'zur Mailbox gegangen';
      case 'hangup':
        return cause === undefined ? 'aufgelegt worden' : `aufgelegt worden (Grund ${cause})`;
      case 'announce':
        return `mit ${announcement ? `der Ansage ${q(announcement)}` : 'der Ansage'} abgewiesen worden`;
    }
  },
  failOpen: (error) => `keine Entscheidung möglich (${error}): durchgestellt, damit kein echter Anruf verloren geht`,
  also: (thing, lost) => `außerdem ${thing}: ${lost}`,
  lost: (why) => {
    switch (why) {
      case 'exact-beats-prefix':
        return 'die genaue Nummer entscheidet, nicht der Bereich';
      case 'longer-prefix':
        return 'der engere Nummernbereich entscheidet';
      case 'allow-beats-block':
        return 'Freigabe geht vor Sperre';
      case 'vip-beats-allow':
        return 'der VIP-Eintrag entscheidet';
      case 'older-entry':
        return 'der ältere Eintrag entscheidet';
      case 'entry-beats-list':
        return 'Ihre eigenen Einträge entscheiden vor importierten Listen';
      case 'higher-score':
        return 'mehr Meldungen entscheiden';
      case 'below-threshold':
        return 'unter der Schwelle der Liste';
      case 'expired':
        return 'abgelaufen';
    }
  },
  sentence: (text) => `${capitalise(text)}.`,
};
