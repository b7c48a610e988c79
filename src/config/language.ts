import type { Language } from '../explain/index.js';
import type { Config } from './config.js';

/** Homes where German is spoken at the phone; everyone else gets English. */
const GERMAN_HOMES: ReadonlySet<string> = new Set(['DE', 'AT', 'CH']);

/** The language of what the service writes for people: German for German-speaking homes, else English. */
export function languageOf(config: Config): Language {
  return GERMAN_HOMES.has(config.numbering.homeCountry.toUpperCase()) ? 'de' : 'en';
}
