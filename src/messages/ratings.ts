/**
 * PhoneBlock's ratings (its API model `Rating`) in words, in both languages: the label a spam-list row gets from its
 * rating, and what a phone shows for a hit (`SPAM: Betrug` / `SPAM: fraud`). The PhoneBlock importer, the PhoneBlock
 * subscription and the policy all word ratings from here.
 *
 * Rows keep the word of the language in force when they were imported (the API, exports and the command line show
 * it as it is), and the policy words a hit again in the language in force when the call comes: a list imported in
 * English and a switch to German later must not leave the phones showing "SPAM: fraud" beside "SPAM: Betrug". So
 * every word this table has ever given, in either language, and the rating codes themselves, read back as ratings.
 */
import type { Language } from '../config/language.js';

export const RATINGS = [
  'A_LEGITIMATE',
  'B_MISSED',
  'C_PING',
  'D_POLL',
  'E_ADVERTISING',
  'F_GAMBLE',
  'G_FRAUD',
] as const;
export type Rating = (typeof RATINGS)[number];

const WORDS: Record<Language, Record<Rating, string>> = {
  de: {
    A_LEGITIMATE: 'seriös',
    B_MISSED: 'Unbekannt',
    C_PING: 'Ping-Anruf',
    D_POLL: 'Umfrage',
    E_ADVERTISING: 'Werbung',
    F_GAMBLE: 'Gewinnspiel',
    G_FRAUD: 'Betrug',
  },
  en: {
    A_LEGITIMATE: 'legitimate',
    B_MISSED: 'unknown',
    C_PING: 'ping call',
    D_POLL: 'poll',
    E_ADVERTISING: 'advertising',
    F_GAMBLE: 'sweepstakes',
    G_FRAUD: 'fraud',
  },
};

/** Words earlier builds wrote for a rating (the file importer's English once differed from the subscription's). */
const FORMER_WORDS: Record<string, Rating> = { 'missed call': 'B_MISSED' };

const BY_WORD: ReadonlyMap<string, Rating> = (() => {
  const map = new Map<string, Rating>();
  for (const rating of RATINGS) map.set(rating.toLowerCase(), rating);
  for (const words of Object.values(WORDS))
    for (const [rating, word] of Object.entries(words)) map.set(word.toLowerCase(), rating as Rating);
  for (const [word, rating] of Object.entries(FORMER_WORDS)) map.set(word, rating);
  return map;
})();

export const isRating = (value: unknown): value is Rating =>
  typeof value === 'string' && (RATINGS as readonly string[]).includes(value);

/** A rating in words: "Betrug" / "fraud". */
export function ratingWord(rating: Rating, language: Language): string {
  return WORDS[language][rating];
}

/** The rating a row's label names — a rating code or a word of either language — or undefined for any other label. */
export function ratingOf(label: string): Rating | undefined {
  return BY_WORD.get(label.trim().toLowerCase());
}

/**
 * What a phone shows for a spam-list hit: `SPAM: ` and the row's label, a rating worded in `language`, or the
 * list's name when the row has no label. Any other label (a list's own words) is shown as it is.
 */
export function spamLabel(label: string | undefined, listName: string, language: Language): string {
  const rating = label ? ratingOf(label) : undefined;
  return `SPAM: ${rating ? ratingWord(rating, language) : label || listName}`;
}
