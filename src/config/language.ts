/**
 * The language of the texts callfilter writes for people (`CALLFILTER_LANGUAGE`): what a phone shows for a spam-list
 * hit, the announcement it picks, notifications. Log lines and the command line stay English; the web page follows
 * the browser. Unset, the home country in force decides — which may come from the database (`callfilter setup`), so
 * the language is asked for each time, never kept.
 */

export const LANGUAGES = ['de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Countries whose people read German on their phones; everyone else gets English. */
const GERMAN_SPEAKING: ReadonlySet<string> = new Set(['DE', 'AT', 'CH', 'LI']);

export const isLanguage = (value: unknown): value is Language => value === 'de' || value === 'en';

/** The configured language, or the one the home country suggests. */
export function languageFor(homeCountry: string, configured?: Language): Language {
  if (configured !== undefined) return configured;
  return GERMAN_SPEAKING.has(homeCountry.toUpperCase()) ? 'de' : 'en';
}

/** The language in force for a config: CALLFILTER_LANGUAGE, else the home country in force (env, file, database). */
export function languageOf(config: { language?: Language; numbering: { homeCountry: string } }): Language {
  return languageFor(config.numbering.homeCountry, config.language);
}
