/** The language of labels a source writes into lists ("SPAM: Werbung" / "SPAM: advertising"). */

export const LANGUAGES = ['de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** German-speaking countries get German labels; everyone else English. */
const GERMAN_SPEAKING = new Set(['DE', 'AT', 'CH', 'LI', 'LU']);

/** The configured language, or the one the home country suggests. */
export function labelLanguage(homeCountry: string, configured?: string): Language {
  if (configured === 'de' || configured === 'en') return configured;
  return GERMAN_SPEAKING.has(homeCountry.toUpperCase()) ? 'de' : 'en';
}
