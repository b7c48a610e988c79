/**
 * PhoneBlock's ratings (its API model `Rating`): the label a rating gives a list row, in the configured language,
 * and the names a person reports with (`callfilter report … --rating fraud`).
 */
import type { Language } from '../../config/language.js';

export const RATINGS = ['A_LEGITIMATE', 'B_MISSED', 'C_PING', 'D_POLL', 'E_ADVERTISING', 'F_GAMBLE', 'G_FRAUD'] as const;
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

/**
 * A row's label: "Werbung" / "advertising" (the policy shows a list hit as "SPAM: <label>", so the phones say
 * "SPAM: Werbung"); undefined for a rating this build does not know (the list's name stands in).
 */
export function ratingLabel(rating: unknown, language: Language): string | undefined {
  return typeof rating === 'string' && Object.hasOwn(WORDS[language], rating) ? WORDS[language][rating as Rating] : undefined;
}

/** What a person reports a call as, and PhoneBlock's name for it. */
export const REPORT_RATINGS = {
  missed: 'B_MISSED',
  ping: 'C_PING',
  poll: 'D_POLL',
  advertising: 'E_ADVERTISING',
  gamble: 'F_GAMBLE',
  fraud: 'G_FRAUD',
} as const satisfies Record<string, Rating>;
export type ReportRating = keyof typeof REPORT_RATINGS;
export const REPORT_RATING_NAMES = Object.keys(REPORT_RATINGS) as ReportRating[];

/** PhoneBlock accepts comments of at most 1000 characters. */
export const MAX_COMMENT_CHARS = 1000;
