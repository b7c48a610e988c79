/**
 * The language of texts for people that leave the page — notifications, the digest, Home Assistant's entity names,
 * list labels: CALLFILTER_LANGUAGE when it is set, else German for a German-speaking home country and English for
 * the rest. Everything that writes such texts asks here, so the setting has one meaning everywhere.
 */
import { labelLanguage, type Language } from '../sources/language.js';
import type { Config } from './config.js';

export type { Language };

/** `language`: CALLFILTER_LANGUAGE, read into the config where the settings table has it. */
export function languageOf(config: Pick<Config, 'numbering'> & { language?: string }): Language {
  return labelLanguage(config.numbering.homeCountry, config.language);
}
