/**
 * The page's text in English and German (i18n-en.ts, i18n-de.ts), chosen from the browser's languages
 * (navigator.languages), and the dates and numbers in the browser's locale. `{name}` marks a value filled in by t().
 */
import { de } from './i18n-de.js';
import { en, type Key, type Table } from './i18n-en.js';

export type { Key };

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

/** Where an entry came from (its `source`), in words; a source the page has no word for as it is. */
export function sourceWord(source: string): string {
  const key = `source.${source}`;
  return Object.hasOwn(table, key) ? t(key as Key) : source;
}

/**
 * A message of the server's code table (an error's or an import row's `code` and `params`) in the reader's language;
 * `fallback` (the server's English) for a code the page does not know. A parameter that is a word of its own is
 * translated (`err.<code>.<param>.<value>`); `number` shows as people at home write it (`numberNational`).
 */
export function message(code: unknown, params: unknown, fallback: string): string {
  const key = `err.${String(code)}`;
  if (typeof code !== 'string' || !Object.hasOwn(table, key)) return fallback;
  const given = (params && typeof params === 'object' ? params : {}) as Record<string, unknown>;
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(given)) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const word = `${key}.${name}.${value}`;
    values[name] = Object.hasOwn(table, word) ? table[word as Key] : value;
  }
  if (typeof given.numberNational === 'string') values.number = given.numberNational;
  if (typeof given.field === 'string') values.fieldName = given.field.split('/').pop() ?? given.field;
  return t(key as Key, values);
}

const plurals = new Intl.PluralRules(lang);

/** `key`, or `key.one` where `count` takes the singular ("1 contact", "1 Kontakt"); English and German need no more. */
export function tn(key: Key, count: number, values: Record<string, string | number> = {}): string {
  const one = `${key}.one`;
  return t(plurals.select(count) === 'one' && one in table ? (one as Key) : key, values);
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
export const locale =
  browserLanguages.find((l) => l.toLowerCase().split('-')[0] === lang) ?? (lang === 'de' ? 'de-DE' : 'en-GB');
const dayMonth = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long' });
const dayMonthYear = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric' });
const shortDay = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' });
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
  const dayDiff = Math.round(
    (start.getTime() - new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()) / 86_400_000,
  );
  const day = dayDiff === 0 ? t('today') : dayDiff === 1 ? t('yesterday') : date(ms);
  return `${day} ${clockSeconds.format(d)}`;
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

/** An action as a badge says it: "Connected", "Mailbox", … */
export function actionWord(action: 'connect' | 'voicemail' | 'hangup' | 'announce'): string {
  return t(`action.${action}`);
}
