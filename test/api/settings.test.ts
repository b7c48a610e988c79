import { describe, expect, it } from 'vitest';
import { startApi } from '../helpers/api.js';

interface Setting {
  key: string;
  value?: string;
  source: string;
  stored?: string;
}
type Settings = { country: Setting; areaCode: Setting; needsSetup: boolean };

describe('/api/v1/settings', () => {
  it('on a new installation asks for setup; PUT stores the values and the next call uses them', async () => {
    const api = await startApi();
    const fresh = await api.json<Settings>('GET', '/api/v1/settings');
    expect(fresh).toEqual({
      status: 200,
      body: {
        country: { key: 'CALLFILTER_HOME_COUNTRY', value: 'DE', source: 'default' },
        areaCode: { key: 'CALLFILTER_HOME_AREA_CODE', source: 'unset' },
        needsSetup: true,
      },
    });

    const put = await api.json<Settings>('PUT', '/api/v1/settings', { country: 'de', areaCode: '030' });
    expect(put).toEqual({
      status: 200,
      body: {
        country: { key: 'CALLFILTER_HOME_COUNTRY', value: 'DE', source: 'database', stored: 'DE' },
        areaCode: { key: 'CALLFILTER_HOME_AREA_CODE', value: '30', source: 'database', stored: '30' },
        needsSetup: false,
      },
    });
    await api.call('222222');
    expect((await api.ctx.store.calls.list({ limit: 1 })).items[0]?.caller).toBe('+4930222222');
    expect(await api.ctx.store.settings.all()).toEqual({
      CALLFILTER_HOME_COUNTRY: 'DE',
      CALLFILTER_HOME_AREA_CODE: '30',
    });
  });

  it.each([
    [{ areaCode: '170' }, 'body/areaCode: "170" is not an area code in DE'],
    [{ areaCode: 'x1' }, 'body/areaCode: "x1" is not an area code (digits, e.g. 30)'],
    [{ country: 'XX' }, 'body/country: "XX" is not a country libphonenumber knows (ISO 3166 code, e.g. DE)'],
    [
      { country: 'IT', areaCode: '6' },
      'body/areaCode: "6" is not used in IT: numbers there are always dialled with their area code; leave the area code unset',
    ],
    [{ areaCode: '0301234567' }, 'body/areaCode: "0301234567" is not an area code (digits, e.g. 30)'],
    [{ city: 'Berlin' }, 'body must NOT have additional property "city"'],
  ])('refuses %j: %s, and stores nothing', async (body, message) => {
    const api = await startApi();
    expect(await api.json('PUT', '/api/v1/settings', body)).toMatchObject({
      status: 400,
      body: { error: 'bad_request', code: expect.stringMatching(/^(setting|request)\./), message },
    });
    expect(await api.ctx.store.settings.all()).toEqual({});
  });

  it('the environment wins: the stored value is shown beside the one in force', async () => {
    const api = await startApi({ env: { CALLFILTER_HOME_AREA_CODE: '89' } });
    const put = await api.json<Settings>('PUT', '/api/v1/settings', { areaCode: '30' });
    expect(put.body.areaCode).toEqual({ key: 'CALLFILTER_HOME_AREA_CODE', value: '89', source: 'env', stored: '30' });
    expect(put.body.needsSetup).toBe(false);
    await api.call('222222');
    expect((await api.ctx.store.calls.list({ limit: 1 })).items[0]?.caller).toBe('+4989222222');
  });

  it('needs the admin token', async () => {
    const api = await startApi();
    expect((await api.inject({ method: 'GET', url: '/api/v1/settings', auth: false })).statusCode).toBe(401);
  });
});
