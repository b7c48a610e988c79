import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/env.js';
import { languageFor, languageOf } from '../../src/config/language.js';
import { createContext } from '../../src/context.js';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/service.js';

describe('CALLFILTER_LANGUAGE', () => {
  it.each([
    ['DE', 'de'],
    ['AT', 'de'],
    ['CH', 'de'],
    ['LI', 'de'],
    ['at', 'de'],
    ['GB', 'en'],
    ['US', 'en'],
    ['FR', 'en'],
    ['NL', 'en'],
  ] as const)('unset, a home in %s speaks %s', (country, language) => {
    expect(languageFor(country)).toBe(language);
    const config = loadConfig({ env: { CALLFILTER_DATA_DIR: tempDir(), CALLFILTER_HOME_COUNTRY: country } });
    expect(config.language).toBeUndefined();
    expect(languageOf(config)).toBe(language);
  });

  it('set, it wins over the home country, either way', () => {
    const en = loadConfig({
      env: { CALLFILTER_DATA_DIR: tempDir(), CALLFILTER_HOME_COUNTRY: 'DE', CALLFILTER_LANGUAGE: 'en' },
    });
    expect(languageOf(en)).toBe('en');
    expect(en.policy.language).toBe('en');
    const de = loadConfig({
      env: { CALLFILTER_DATA_DIR: tempDir(), CALLFILTER_HOME_COUNTRY: 'GB', CALLFILTER_LANGUAGE: 'DE ' },
    });
    expect(languageOf(de)).toBe('de');
  });

  it('refuses a language it does not speak, naming key and value', () => {
    expect(() => loadConfig({ env: { CALLFILTER_DATA_DIR: tempDir(), CALLFILTER_LANGUAGE: 'fr' } })).toThrow(
      ConfigError.of('CALLFILTER_LANGUAGE', { code: 'setting.language', params: { value: 'fr' } }),
    );
    expect(() => loadConfig({ env: { CALLFILTER_DATA_DIR: tempDir(), CALLFILTER_LANGUAGE: 'fr' } })).toThrow(
      'CALLFILTER_LANGUAGE: "fr" is not a language callfilter speaks (de or en)',
    );
  });

  it('unset, follows a home country kept in the database, also when it changes while running', async () => {
    const dir = tempDir();
    const store = openStore(join(dir, 'callfilter.db'));
    await store.settings.set({ CALLFILTER_HOME_COUNTRY: 'GB' });
    store.db.close();
    const ctx = await createContext(loadConfig({ env: { CALLFILTER_DATA_DIR: dir } }), {
      logger: createLogger('silent'),
      settingsCheckMs: 0,
    });
    try {
      expect(languageOf(ctx.config)).toBe('en');
      await ctx.store.settings.set({ CALLFILTER_HOME_COUNTRY: 'AT' });
      await ctx.reloadSettings();
      expect(languageOf(ctx.config)).toBe('de');
    } finally {
      ctx.close();
    }
  });
});
