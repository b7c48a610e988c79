import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../helpers/cli.js';
import { startService, tempDir } from '../helpers/service.js';

/** The command line on `dataDir`, with no home area code unless `env` gives one: setup is what stores one. */
const cli = (dataDir: string, argv: string[], env: Record<string, string> = {}) =>
  runCli(argv, { CALLFILTER_DATA_DIR: dataDir, CALLFILTER_LOG_LEVEL: 'silent', ...env });

/** The caller line of `callfilter explain`. */
async function callerOf(
  dataDir: string,
  number: string,
  env: Record<string, string> = {},
): Promise<string | undefined> {
  return (await cli(dataDir, ['explain', number], env)).out.split('\n').find((l) => l.startsWith('caller:'));
}

describe('callfilter setup', () => {
  it('on a fresh data folder: shows what is missing, then stores country and area code', async () => {
    const dir = tempDir();
    const before = await cli(dir, ['setup']);
    expect(before.code).toBe(0);
    expect(before.out).toBe('country:   DE (default)\narea code: not set');
    expect(before.err).toContain('callfilter setup --area-code');
    expect(await callerOf(dir, '222222')).toBe('caller:   local (222222)');

    const setup = await cli(dir, ['setup', '--country', 'de', '--area-code', '030']);
    expect(setup).toEqual({
      code: 0,
      out: 'country:   DE (database)\narea code: 30 (database)',
      err: 'stored in the database; a running service applies it within a few seconds',
      written: '',
    });
    expect(await callerOf(dir, '222222')).toBe('caller:   030 222222 (DE, fixed line)');
    expect((await cli(dir, ['setup'])).out).toBe('country:   DE (database)\narea code: 30 (database)');

    // An empty value removes the stored one.
    expect((await cli(dir, ['setup', '--area-code', ''])).out).toBe('country:   DE (database)\narea code: not set');
  });

  it.each([
    [['--area-code', 'abc'], 'callfilter setup: --area-code: "abc" is not an area code (digits, e.g. 30)'],
    [['--area-code', '170'], 'callfilter setup: --area-code: "170" is not an area code in DE'],
    [
      ['--country', 'XX'],
      'callfilter setup: --country: "XX" is not a country libphonenumber knows (ISO 3166 code, e.g. DE)',
    ],
    [['--country', 'AT', '--area-code', '30'], 'callfilter setup: --area-code: "30" is not an area code in AT'],
  ])('%j exits 78 naming the option and the value, and stores nothing', async (argv, message) => {
    const dir = tempDir();
    const r = await cli(dir, ['setup', ...argv]);
    expect(r).toEqual({ code: 78, out: '', err: message, written: '' });
    expect((await cli(dir, ['setup'])).out).toBe('country:   DE (default)\narea code: not set');
  });

  it('checks a changed country against the stored area code', async () => {
    const dir = tempDir();
    expect((await cli(dir, ['setup', '--area-code', '30'])).code).toBe(0);
    expect(await cli(dir, ['setup', '--country', 'AT'])).toMatchObject({
      code: 78,
      err: 'callfilter setup: CALLFILTER_HOME_AREA_CODE (database): "30" is not an area code in AT',
    });
    expect((await cli(dir, ['setup', '--country', 'AT', '--area-code', '662'])).out).toBe(
      'country:   AT (database)\narea code: 662 (database)',
    );
  });

  it('the environment wins over the database, and says so', async () => {
    const dir = tempDir();
    const env = { CALLFILTER_HOME_AREA_CODE: '89' };
    const r = await cli(dir, ['setup', '--area-code', '30'], env);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      'country:   DE (default)\narea code: 89 (CALLFILTER_HOME_AREA_CODE wins over 30 in the database)',
    );
    expect(await callerOf(dir, '222222', env)).toBe('caller:   089 222222 (DE, fixed line)');
    // Without the variable the stored value is in force.
    expect(await callerOf(dir, '222222')).toBe('caller:   030 222222 (DE, fixed line)');
    // A stored value is checked even while the environment overrides it.
    expect((await cli(dir, ['setup', '--area-code', '170'], env)).err).toBe(
      'callfilter setup: --area-code: "170" is not an area code in DE',
    );
  });

  it('every command refuses a stored value that cannot be used (exit 78), and setup replaces it', async () => {
    const dir = tempDir();
    expect((await cli(dir, ['setup'])).code).toBe(0);
    // Written past the checks, as an older version or a hand edit could.
    const store = openStore(`${dir}/callfilter.db`);
    await store.settings.set({ CALLFILTER_HOME_COUNTRY: 'XX' });
    store.db.close();

    const explain = await cli(dir, ['explain', '030 1234567']);
    expect(explain).toEqual({
      code: 78,
      out: '',
      err: 'callfilter explain: CALLFILTER_HOME_COUNTRY (database): "XX" is not a country libphonenumber knows (ISO 3166 code, e.g. DE)',
      written: '',
    });
    expect((await cli(dir, ['setup', '--country', 'DE'])).out).toBe('country:   DE (database)\narea code: not set');
    expect((await cli(dir, ['explain', '030 1234567'])).code).toBe(0);
  });

  it('a running service applies what setup stored, for the next call', async () => {
    const svc = await startService({ overrides: { settingsCheckMs: 20 } });
    await svc.call('222222');
    expect((await cli(svc.dataDir, ['setup', '--area-code', '30'])).code).toBe(0);
    await expect.poll(() => svc.ctx.settings().CALLFILTER_HOME_AREA_CODE.value, { timeout: 5_000 }).toBe('30');
    await svc.call('222222');
    expect((await svc.ctx.store.calls.list({ limit: 10 })).items.map((c) => [c.callerRaw, c.caller, c.reason])).toEqual(
      [
        ['222222', '+4930222222', 'unknown'],
        ['222222', undefined, 'unknown'],
      ],
    );
    expect(svc.logs.some((l) => l.msg === 'applied the settings stored in the database' && l.areaCode === '30')).toBe(
      true,
    );
  });
});
