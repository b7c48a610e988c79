/**
 * PhoneBlock's ratings (its API model `Rating`): the label a rating gives a list row, in the configured language,
 * and the names a person reports with (`callfilter report … --rating fraud`).
 */
import type { Language } from '../../config/language.js';
import { isRating, RATINGS, type Rating, ratingWord } from '../../messages/ratings.js';

export { RATINGS, type Rating };

/**
 * A row's label: "Werbung" / "advertising" (the policy shows a list hit as "SPAM: <label>", so the phones say
 * "SPAM: Werbung"); undefined for a rating this build does not know (the list's name stands in).
 */
export function ratingLabel(rating: unknown, language: Language): string | undefined {
  return isRating(rating) ? ratingWord(rating, language) : undefined;
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
