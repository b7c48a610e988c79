import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createContext } from '../../src/context.js';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/service.js';

const silent = () => createLogger('silent');

/** A context on `dir` whose database holds `stored`; closed again at once. Returns its numbering and settings. */
async function contextWith(dir: string, stored: Record<string, string>, env: Record<string, string> = {}) {
  const store = openStore(join(dir, 'callfilter.db'));
  await store.settings.set(stored);
  store.db.close();
  const ctx = await createContext(loadConfig({ env: { CALLFILTER_DATA_DIR: dir, ...env } }), {
    logger: silent(),
    settingsCheckMs: 0,
  });
  try {
    return { numbering: ctx.config.numbering, homeCountry: ctx.config.policy.homeCountry, settings: ctx.settings() };
  } finally {
    ctx.close();
  }
}

describe('precedence: environment, config file, database, default', () => {
  it('the database fills what neither the environment nor the config file sets', async () => {
    const r = await contextWith(tempDir(), { CALLFILTER_HOME_COUNTRY: 'AT', CALLFILTER_HOME_AREA_CODE: '662' });
    expect(r.numbering).toMatchObject({ homeCountry: 'AT', homeAreaCode: '662' });
    expect(r.homeCountry).toBe('AT');
    expect(r.settings.CALLFILTER_HOME_AREA_CODE).toMatchObject({ value: '662', source: 'database' });
  });

  it('the environment wins over the database', async () => {
    const r = await contextWith(tempDir(), { CALLFILTER_HOME_AREA_CODE: '30' }, { CALLFILTER_HOME_AREA_CODE: '089' });
    expect(r.numbering.homeAreaCode).toBe('89');
    expect(r.settings.CALLFILTER_HOME_AREA_CODE).toMatchObject({ value: '89', source: 'env', stored: '30' });
  });

  it('the config file wins over the database, the environment over the config file', async () => {
    const dir = tempDir();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ homeCountry: 'CH', homeAreaCode: '44' }));
    const byFile = await contextWith(
      dir,
      { CALLFILTER_HOME_COUNTRY: 'AT', CALLFILTER_HOME_AREA_CODE: '662' },
      { CALLFILTER_CONFIG: file },
    );
    expect(byFile.numbering).toMatchObject({ homeCountry: 'CH', homeAreaCode: '44' });
    expect(byFile.settings.CALLFILTER_HOME_COUNTRY).toMatchObject({
      source: 'file',
      label: `CALLFILTER_CONFIG (${file}): homeCountry`,
    });
    const byEnv = await contextWith(dir, {}, { CALLFILTER_CONFIG: file, CALLFILTER_HOME_AREA_CODE: '31' });
    expect(byEnv.numbering).toMatchObject({ homeCountry: 'CH', homeAreaCode: '31' });
  });

  it('an area code from the environment is checked against the country the database holds', async () => {
    const dir = tempDir();
    expect(
      (await contextWith(dir, { CALLFILTER_HOME_COUNTRY: 'AT' }, { CALLFILTER_HOME_AREA_CODE: '662' })).numbering,
    ).toMatchObject({ homeCountry: 'AT', homeAreaCode: '662' });
    await expect(contextWith(tempDir(), {}, { CALLFILTER_HOME_AREA_CODE: '662' })).rejects.toThrow(
      'CALLFILTER_HOME_AREA_CODE: "662" is not an area code in DE',
    );
  });

  it("a bad stored value stops the context, naming it as the database's", async () => {
    await expect(contextWith(tempDir(), { CALLFILTER_HOME_AREA_CODE: 'abc' })).rejects.toThrow(
      'CALLFILTER_HOME_AREA_CODE (database): "abc" is not an area code (digits, e.g. 30)',
    );
  });
});

describe('loadConfig: what only makes sense with the rest', () => {
  it.each([
    [
      { CALLFILTER_HOME_COUNTRY: 'XX' },
      'CALLFILTER_HOME_COUNTRY: "XX" is not a country libphonenumber knows (ISO 3166 code, e.g. DE)',
    ],
    [
      { CALLFILTER_HOME_COUNTRY: 'AT', CALLFILTER_HOME_AREA_CODE: '30' },
      'CALLFILTER_HOME_AREA_CODE: "30" is not an area code in AT',
    ],
    [
      { CALLFILTER_INTERNAL_PATTERN: '[0-9]+' },
      'CALLFILTER_INTERNAL_PATTERN: "[0-9]+" matches ordinary phone numbers such as "0301234567", which would never be filtered; anchor it, like ^[1-9][0-9]{1,3}$',
    ],
    [
      { CALLFILTER_AGI_ALLOW: ' , ' },
      'CALLFILTER_AGI_ALLOW: " , " allows nobody: Asterisk could not connect, and every call would ring unscreened',
    ],
    [{ CALLFILTER_AGI_ALLOW: '10.0.0.0/33' }, 'CALLFILTER_AGI_ALLOW: "10.0.0.0/33" has a bad prefix length'],
  ])('%j is refused: %s', (env, message) => {
    expect(() => loadConfig({ env: { CALLFILTER_DATA_DIR: tempDir(), ...env } })).toThrow(message);
  });

  it('a data folder that is a file, or below one, is refused', () => {
    const dir = tempDir();
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expect(() => loadConfig({ env: { CALLFILTER_DATA_DIR: file } })).toThrow(
      `CALLFILTER_DATA_DIR: ${JSON.stringify(file)} is not a folder`,
    );
    expect(() => loadConfig({ env: { CALLFILTER_DATA_DIR: join(file, 'data') } })).toThrow(
      `CALLFILTER_DATA_DIR: ${JSON.stringify(join(file, 'data'))} cannot be created: ${file} is not a folder`,
    );
    mkdirSync(join(dir, 'ok'));
    expect(loadConfig({ env: { CALLFILTER_DATA_DIR: join(dir, 'ok', 'new', 'deeper') } }).dataDir).toBe(
      join(dir, 'ok', 'new', 'deeper'),
    );
  });

  it('the config file names the key of a trunk rule that cannot apply', () => {
    expect(() =>
      loadConfig({
        env: { CALLFILTER_DATA_DIR: tempDir() },
        file: {
          trunks: [
            { context: 'from-sipgate', format: 'international-bare' },
            { context: 'from-sipgate', format: 'national' },
          ],
        },
      }),
    ).toThrow(
      'CALLFILTER_CONFIG: trunks[1].context: "from-sipgate" never applies: an earlier trunk rule matches every call this one would',
    );
  });
});
