/**
 * The page's text in English and German, chosen from the browser's languages (navigator.languages). `{name}`
 * marks a value filled in by t(). The German table must have every English key (the type says so).
 */

const en = {
  skip: 'Skip to content',
  loading: 'Loading …',
  'nav.label': 'Views',
  'nav.calls': 'Calls',
  'nav.lists': 'Lists',
  'nav.explain': 'Explain',
  'nav.stats': 'Stats',
  'live.on': 'live',
  'live.off': 'offline',
  'live.title.on': 'New calls appear here as they come in.',
  'live.title.off': 'Not receiving new calls; reconnecting …',
  signout: 'Sign out',
  'signin.title': 'Sign in',
  'signin.intro': 'Sign in with the admin token.',
  'signin.token': 'Admin token',
  'signin.submit': 'Sign in',
  'signin.hint': 'The token is in the file admin-token in the data folder; "callfilter token" prints it.',
  'signin.empty': 'Please enter the admin token.',
  'signin.wrong': 'That is not the admin token. Check it and try again.',
  'signin.ended': 'Your session has ended. Please sign in again.',
  'signin.out': 'You are signed out.',
  'signin.failed': 'Could not sign in: {message}',
  'calls.title': 'Calls',
  'calls.show': 'Show',
  'show.all': 'All',
  'show.connected': 'Connected',
  'show.voicemail': 'Voicemail',
  'show.blocked': 'Blocked',
  'calls.number': 'Number',
  filter: 'Filter',
  search: 'Search',
  more: 'Show older',
  cancel: 'Cancel',
  'calls.caption': 'Calls, newest first',
  'calls.empty': 'No calls yet.',
  'col.time': 'Time',
  'col.caller': 'Caller',
  'col.country': 'Country',
  'col.called': 'Called',
  'col.what': 'What happened',
  'col.do': 'Change',
  'col.number': 'Number',
  'col.kind': 'Kind',
  'col.label': 'Name',
  'col.note': 'Note',
  'col.added': 'Added',
  'col.list': 'List',
  'col.count': 'Numbers',
  'col.threshold': 'Threshold',
  'col.enabled': 'On',
  'col.updated': 'Updated',
  'col.calls': 'Calls',
  'col.last': 'Last call',
  'col.why': 'Why',
  withheld: 'withheld',
  internal: 'internal',
  today: 'today',
  yesterday: 'yesterday',
  'action.connect': 'Connected',
  'action.voicemail': 'Voicemail',
  'action.hangup': 'Hung up',
  'action.announce': 'Announcement',
  'would.connect': 'connected',
  'would.voicemail': 'sent to voicemail',
  'would.hangup': 'hung up on',
  'would.announce': 'given the announcement',
  'reason.internal': 'internal extension',
  'reason.contact': 'in your contacts',
  'reason.contact.as': 'in your contacts as “{label}”',
  'reason.allowlist': 'on your allowlist',
  'reason.allowlist.since': 'on your allowlist since {date}',
  'reason.blocklist': 'on your blocklist',
  'reason.blocklist.since': 'on your blocklist since {date}',
  'reason.range.allowlist': 'number range {prefix}… is on your allowlist',
  'reason.range.blocklist': 'number range {prefix}… is on your blocklist',
  'reason.until': '{text}, until {date}',
  'reason.vip': '{text} (VIP)',
  'reason.spam-list': 'on an imported spam list',
  'reason.spam-list.named': 'on the spam list “{list}”',
  'reason.spam-list.score': 'on the spam list “{list}” ({score} reports, threshold {threshold})',
  'reason.anonymous': 'withheld number',
  'reason.implausible': 'implausible number – probably spoofed',
  'reason.foreign': 'foreign number',
  'reason.foreign.from': 'foreign number ({country})',
  'reason.unknown': 'unknown number',
  'reason.repeat-caller': 'called again within a few minutes',
  'reason.repeat.twice': 'called twice within {minutes} minutes',
  'reason.repeat.n': 'called {calls} times within {minutes} minutes',
  'reason.quiet-hours': 'quiet hours – would have rung',
  'reason.quiet-hours.named': 'quiet hours ({schedule}) – would have rung',
  'reason.monitor': 'monitor mode: would have been {action} – {why}',
  'reason.monitor.plain': 'monitor mode – everything rings',
  'reason.fail-open': 'no decision in time – put through to be safe',
  'btn.block': 'Block',
  'btn.allow': 'Allow',
  'btn.block.label': 'Block {number}',
  'btn.allow.label': 'Allow {number}',
  'state.block': 'blocked',
  'state.allow': 'allowed',
  'toast.blocked': '{number} is blocked from now on.',
  'toast.allowed': '{number} will ring from now on.',
  'toast.saved': 'Saved.',
  'toast.removed': 'Removed.',
  'error.generic': 'Something went wrong: {message}',
  'error.network': 'The filter cannot be reached. Is it running?',
  'lists.title': 'Lists',
  'entry.add': 'Add an entry',
  'entry.edit': 'Change entry {number}',
  'entry.number': 'Number or prefix (ending in *)',
  'entry.kind': 'Kind',
  'kind.block': 'Block',
  'kind.allow': 'Allow',
  'entry.label': 'Name or label',
  'entry.note': 'Note',
  'entry.expires': 'Until (optional)',
  'entry.vip': 'VIP: rings even in quiet hours',
  'entry.save.add': 'Add',
  'entry.save.edit': 'Save',
  'import.title': 'Import a file',
  'import.hint': 'CSV (number, name, note), vCard (.vcf) or a FRITZ!Box phone book (.xml). Contacts become allow entries.',
  'import.file': 'File',
  'import.kind': 'A CSV’s numbers are',
  'import.kind.block': 'to block',
  'import.kind.allow': 'to allow',
  'import.submit': 'Import',
  'import.nofile': 'Please choose a file.',
  'import.done': 'Imported {file} ({format}).',
  'import.added': '{n} added',
  'import.skipped': '{n} already there',
  'import.contacts': '{n} contacts',
  'import.ignored': '{n} ignored',
  'import.line': 'line {line}: {text}',
  'import.rejected': 'Nothing was imported: {message}',
  'import.rejected.rows': 'Nothing was imported: {n} rows are not valid. Fix them and import the file again.',
  'import.rejected.row': 'Nothing was imported: one row is not valid. Fix it and import the file again.',
  'list.done': 'List “{name}”: {n} numbers.',
  'entries.title': 'Your entries',
  'entries.search': 'Search number, name or note',
  'entries.kind': 'Kind',
  'entries.kind.all': 'all',
  'entries.kind.block': 'blocked',
  'entries.kind.allow': 'allowed',
  'entries.empty': 'No entries.',
  'entry.until': 'until {date}',
  'btn.edit': 'Change',
  'btn.remove': 'Remove',
  'btn.edit.label': 'Change {number}',
  'btn.remove.label': 'Remove {number}',
  'confirm.remove': 'Remove the entry for {number}?',
  'spam.title': 'Imported spam lists',
  'spam.hint': 'A number on a list counts when its score (votes, reports) reaches the list’s threshold.',
  'spam.empty': 'No spam lists imported.',
  'spam.new': 'Add a spam list from a file',
  'spam.name': 'Name',
  'spam.create': 'Import list',
  'spam.threshold.label': 'Threshold of {name}',
  'spam.enabled.label': '{name} is on',
  'btn.save': 'Save',
  'btn.save.label': 'Save {name}',
  'explain.title': 'Explain',
  'explain.intro': 'What would happen if this number called – and why. Nothing is logged.',
  'explain.number': 'Caller’s number (empty: withheld)',
  'explain.did': 'Called number (optional)',
  'explain.at': 'Time (optional)',
  'explain.submit': 'Explain',
  'explain.caller': 'Caller',
  'explain.because': 'Because',
  'explain.profile': 'Profile',
  'explain.log': 'Log text',
  'explain.when': 'At',
  'explain.implausible': 'not a possible number',
  'stats.title': 'Stats',
  'stats.chart': 'Calls per day, last 30 days',
  'stats.summary': '{total} calls in 30 days: {connect} connected, {voicemail} to voicemail, {blocked} blocked.',
  'stats.top': 'Blocked most often',
  'stats.top.empty': 'Nobody was blocked in the last 30 days.',
  'legend.connect': 'connected',
  'legend.voicemail': 'voicemail',
  'legend.hangup': 'hung up',
  'legend.announce': 'announcement',
  'stats.day': '{day}: {total} calls',
} as const;

export type Key = keyof typeof en;
type Table = Record<Key, string>;

const de: Table = {
  skip: 'Zum Inhalt',
  loading: 'Lädt …',
  'nav.label': 'Ansichten',
  'nav.calls': 'Anrufe',
  'nav.lists': 'Listen',
  'nav.explain': 'Erklären',
  'nav.stats': 'Statistik',
  'live.on': 'live',
  'live.off': 'offline',
  'live.title.on': 'Neue Anrufe erscheinen hier, sobald sie eingehen.',
  'live.title.off': 'Keine Verbindung für neue Anrufe; verbinde neu …',
  signout: 'Abmelden',
  'signin.title': 'Anmelden',
  'signin.intro': 'Melden Sie sich mit dem Admin-Token an.',
  'signin.token': 'Admin-Token',
  'signin.submit': 'Anmelden',
  'signin.hint': 'Das Token steht in der Datei admin-token im Datenordner; „callfilter token“ zeigt es an.',
  'signin.empty': 'Bitte geben Sie das Admin-Token ein.',
  'signin.wrong': 'Das ist nicht das Admin-Token. Bitte prüfen und noch einmal versuchen.',
  'signin.ended': 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.',
  'signin.out': 'Sie sind abgemeldet.',
  'signin.failed': 'Anmelden fehlgeschlagen: {message}',
  'calls.title': 'Anrufe',
  'calls.show': 'Zeigen',
  'show.all': 'Alle',
  'show.connected': 'Durchgestellt',
  'show.voicemail': 'Mailbox',
  'show.blocked': 'Blockiert',
  'calls.number': 'Nummer',
  filter: 'Filtern',
  search: 'Suchen',
  more: 'Ältere zeigen',
  cancel: 'Abbrechen',
  'calls.caption': 'Anrufe, neueste zuerst',
  'calls.empty': 'Noch keine Anrufe.',
  'col.time': 'Zeit',
  'col.caller': 'Anrufer',
  'col.country': 'Land',
  'col.called': 'Angerufen',
  'col.what': 'Was passiert ist',
  'col.do': 'Ändern',
  'col.number': 'Nummer',
  'col.kind': 'Art',
  'col.label': 'Name',
  'col.note': 'Notiz',
  'col.added': 'Hinzugefügt',
  'col.list': 'Liste',
  'col.count': 'Nummern',
  'col.threshold': 'Schwelle',
  'col.enabled': 'Aktiv',
  'col.updated': 'Aktualisiert',
  'col.calls': 'Anrufe',
  'col.last': 'Letzter Anruf',
  'col.why': 'Warum',
  withheld: 'unterdrückt',
  internal: 'intern',
  today: 'heute',
  yesterday: 'gestern',
  'action.connect': 'Durchgestellt',
  'action.voicemail': 'Mailbox',
  'action.hangup': 'Aufgelegt',
  'action.announce': 'Ansage',
  'would.connect': 'durchgestellt',
  'would.voicemail': 'zur Mailbox gegangen',
  'would.hangup': 'aufgelegt',
  'would.announce': 'mit Ansage abgewiesen',
  'reason.internal': 'interne Nebenstelle',
  'reason.contact': 'in Ihren Kontakten',
  'reason.contact.as': 'in Ihren Kontakten als „{label}“',
  'reason.allowlist': 'auf Ihrer Freigabeliste',
  'reason.allowlist.since': 'seit {date} auf Ihrer Freigabeliste',
  'reason.blocklist': 'auf Ihrer Sperrliste',
  'reason.blocklist.since': 'seit {date} auf Ihrer Sperrliste',
  'reason.range.allowlist': 'Nummernbereich {prefix}… steht auf Ihrer Freigabeliste',
  'reason.range.blocklist': 'Nummernbereich {prefix}… steht auf Ihrer Sperrliste',
  'reason.until': '{text}, bis {date}',
  'reason.vip': '{text} (VIP)',
  'reason.spam-list': 'auf einer importierten Spamliste',
  'reason.spam-list.named': 'auf der Spamliste „{list}“',
  'reason.spam-list.score': 'auf der Spamliste „{list}“ ({score} Meldungen, Schwelle {threshold})',
  'reason.anonymous': 'Rufnummer unterdrückt',
  'reason.implausible': 'unmögliche Nummer – vermutlich gefälscht',
  'reason.foreign': 'Auslandsnummer',
  'reason.foreign.from': 'Auslandsnummer ({country})',
  'reason.unknown': 'unbekannte Nummer',
  'reason.repeat-caller': 'innerhalb weniger Minuten erneut angerufen',
  'reason.repeat.twice': 'zweimal innerhalb von {minutes} Minuten angerufen',
  'reason.repeat.n': '{calls}-mal innerhalb von {minutes} Minuten angerufen',
  'reason.quiet-hours': 'Ruhezeit – hätte sonst geklingelt',
  'reason.quiet-hours.named': 'Ruhezeit ({schedule}) – hätte sonst geklingelt',
  'reason.monitor': 'Beobachtungsmodus: wäre sonst {action} – {why}',
  'reason.monitor.plain': 'Beobachtungsmodus – alles klingelt',
  'reason.fail-open': 'keine Entscheidung rechtzeitig – sicherheitshalber durchgestellt',
  'btn.block': 'Sperren',
  'btn.allow': 'Erlauben',
  'btn.block.label': '{number} sperren',
  'btn.allow.label': '{number} erlauben',
  'state.block': 'gesperrt',
  'state.allow': 'erlaubt',
  'toast.blocked': '{number} ist ab jetzt gesperrt.',
  'toast.allowed': '{number} klingelt ab jetzt durch.',
  'toast.saved': 'Gespeichert.',
  'toast.removed': 'Entfernt.',
  'error.generic': 'Etwas ist schiefgegangen: {message}',
  'error.network': 'Der Filter ist nicht erreichbar. Läuft er?',
  'lists.title': 'Listen',
  'entry.add': 'Eintrag hinzufügen',
  'entry.edit': 'Eintrag {number} ändern',
  'entry.number': 'Nummer oder Vorwahlbereich (endet auf *)',
  'entry.kind': 'Art',
  'kind.block': 'Sperren',
  'kind.allow': 'Erlauben',
  'entry.label': 'Name oder Bezeichnung',
  'entry.note': 'Notiz',
  'entry.expires': 'Bis (optional)',
  'entry.vip': 'VIP: klingelt auch in der Ruhezeit',
  'entry.save.add': 'Hinzufügen',
  'entry.save.edit': 'Speichern',
  'import.title': 'Datei importieren',
  'import.hint': 'CSV (Nummer, Name, Notiz), vCard (.vcf) oder ein FRITZ!Box-Telefonbuch (.xml). Kontakte werden Freigaben.',
  'import.file': 'Datei',
  'import.kind': 'Die Nummern einer CSV-Datei',
  'import.kind.block': 'sperren',
  'import.kind.allow': 'erlauben',
  'import.submit': 'Importieren',
  'import.nofile': 'Bitte wählen Sie eine Datei.',
  'import.done': '{file} importiert ({format}).',
  'import.added': '{n} hinzugefügt',
  'import.skipped': '{n} schon vorhanden',
  'import.contacts': '{n} Kontakte',
  'import.ignored': '{n} übersprungen',
  'import.line': 'Zeile {line}: {text}',
  'import.rejected': 'Nichts wurde importiert: {message}',
  'import.rejected.rows': 'Nichts wurde importiert: {n} Zeilen sind ungültig. Bitte korrigieren und die Datei erneut importieren.',
  'import.rejected.row': 'Nichts wurde importiert: eine Zeile ist ungültig. Bitte korrigieren und die Datei erneut importieren.',
  'list.done': 'Liste „{name}“: {n} Nummern.',
  'entries.title': 'Ihre Einträge',
  'entries.search': 'Nummer, Name oder Notiz suchen',
  'entries.kind': 'Art',
  'entries.kind.all': 'alle',
  'entries.kind.block': 'gesperrt',
  'entries.kind.allow': 'erlaubt',
  'entries.empty': 'Keine Einträge.',
  'entry.until': 'bis {date}',
  'btn.edit': 'Ändern',
  'btn.remove': 'Entfernen',
  'btn.edit.label': '{number} ändern',
  'btn.remove.label': '{number} entfernen',
  'confirm.remove': 'Den Eintrag für {number} entfernen?',
  'spam.title': 'Importierte Spamlisten',
  'spam.hint': 'Eine Nummer auf einer Liste zählt, wenn ihre Bewertung (Stimmen, Meldungen) die Schwelle der Liste erreicht.',
  'spam.empty': 'Keine Spamlisten importiert.',
  'spam.new': 'Spamliste aus einer Datei hinzufügen',
  'spam.name': 'Name',
  'spam.create': 'Liste importieren',
  'spam.threshold.label': 'Schwelle von {name}',
  'spam.enabled.label': '{name} ist aktiv',
  'btn.save': 'Speichern',
  'btn.save.label': '{name} speichern',
  'explain.title': 'Erklären',
  'explain.intro': 'Was passieren würde, wenn diese Nummer anriefe – und warum. Es wird nichts protokolliert.',
  'explain.number': 'Nummer des Anrufers (leer: unterdrückt)',
  'explain.did': 'Angerufene Nummer (optional)',
  'explain.at': 'Zeitpunkt (optional)',
  'explain.submit': 'Erklären',
  'explain.caller': 'Anrufer',
  'explain.because': 'Weil',
  'explain.profile': 'Profil',
  'explain.log': 'Protokolltext',
  'explain.when': 'Zeitpunkt',
  'explain.implausible': 'keine mögliche Nummer',
  'stats.title': 'Statistik',
  'stats.chart': 'Anrufe pro Tag, letzte 30 Tage',
  'stats.summary': '{total} Anrufe in 30 Tagen: {connect} durchgestellt, {voicemail} zur Mailbox, {blocked} blockiert.',
  'stats.top': 'Am häufigsten blockiert',
  'stats.top.empty': 'In den letzten 30 Tagen wurde niemand blockiert.',
  'legend.connect': 'durchgestellt',
  'legend.voicemail': 'Mailbox',
  'legend.hangup': 'aufgelegt',
  'legend.announce': 'Ansage',
  'stats.day': '{day}: {total} Anrufe',
};

export type Lang = 'en' | 'de';
const TABLES: Record<Lang, Table> = { en, de };

/** The first of the browser's languages the page speaks; English otherwise. */
export function pickLang(languages: readonly string[]): Lang {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'de' || base === 'en') return base;
  }
  return 'en';
}

const browserLanguages: readonly string[] = navigator.languages?.length ? navigator.languages : [navigator.language];
export const lang: Lang = pickLang(browserLanguages);
const table = TABLES[lang];

export function t(key: Key, values: Record<string, string | number> = {}): string {
  return table[key].replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
}

/** Fills every element marked with data-i18n (text) and data-i18n-aria-label (its aria-label). */
export function translatePage(root: ParentNode = document): void {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = el.dataset.i18n as Key;
    if (key in table) el.textContent = t(key);
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-aria-label]')) {
    const key = el.dataset.i18nAriaLabel as Key;
    if (key in table) el.setAttribute('aria-label', t(key));
  }
}

/** Dates and numbers in the reader's own variant of the language (en-US: "May 3", en-GB: "3 May"). */
const locale = browserLanguages.find((l) => l.toLowerCase().split('-')[0] === lang) ?? (lang === 'de' ? 'de-DE' : 'en-GB');
const dayMonth = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long' });
const dayMonthYear = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric' });
const shortDay = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' });
const clock = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
const clockSeconds = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const full = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' });
const regions = new Intl.DisplayNames([locale], { type: 'region' });
const numberFormat = new Intl.NumberFormat(locale);

/** "3 May" (this year) or "3 May 2025". */
export function date(ms: number): string {
  const d = new Date(ms);
  return d.getFullYear() === new Date().getFullYear() ? dayMonth.format(d) : dayMonthYear.format(d);
}

export function shortDate(ms: number): string {
  return shortDay.format(new Date(ms));
}

/** "today 14:03:10", "yesterday 09:12:44", "3 May 18:00:05": when a call came, to the second. */
export function callTime(ms: number): string {
  const d = new Date(ms);
  const start = new Date();
  start.setHours(0, 0, 0, 0);
  const dayDiff = Math.round((start.getTime() - new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()) / 86_400_000);
  const day = dayDiff === 0 ? t('today') : dayDiff === 1 ? t('yesterday') : date(ms);
  return `${day} ${clockSeconds.format(d)}`;
}

export function timeOfDay(ms: number): string {
  return clock.format(new Date(ms));
}

export function fullTime(ms: number): string {
  return full.format(new Date(ms));
}

export function countryName(code: string): string {
  try {
    return regions.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

export function num(n: number): string {
  return numberFormat.format(n);
}
