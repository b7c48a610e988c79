import { describe, expect, it } from 'vitest';
import { startApi } from '../helpers/api.js';

/** Wednesday 2026-11-18 10:00 in Berlin. */
const WED_1000 = Date.UTC(2026, 10, 18, 9, 0);
const FILE = { profiles: [{ name: 'business', dids: ['+4930999111'] }] };
const OPTIONS = {
  env: { CALLFILTER_HOME_AREA_CODE: '30', CALLFILTER_TIMEZONE: 'Europe/Berlin' },
  file: FILE,
  overrides: { clock: () => WED_1000 },
};

interface Profile {
  name: string;
  source: string;
  dids: string[];
  actions: Record<string, { action: string }>;
  schedules: { name: string }[];
}

const OFFICE = {
  name: 'shop',
  dids: ['030 999222'],
  schedules: [
    { name: 'open', days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00', actions: { unknown: { action: 'connect' } } },
  ],
};

describe('/api/v1/profiles', () => {
  it('creates a profile that applies to calls to its DID at once, and deletes it', async () => {
    const api = await startApi(OPTIONS);
    const created = await api.json<Profile>('POST', '/api/v1/profiles', OFFICE);
    expect(created.status).toBe(201);
    // DIDs normalised; what the profile does not name comes from the default profile.
    expect(created.body).toMatchObject({
      name: 'shop',
      source: 'api',
      dids: ['+4930999222'],
      actions: { block: { action: 'hangup' }, unknown: { action: 'voicemail' } },
    });

    const shop = await api.call('030 5556677', { did: '030999222' });
    expect(shop.variables).toMatchObject({ CALLFILTER_ACTION: 'connect', CALLFILTER_REASON: 'unknown' });
    expect((await api.call('030 5556678', { did: '030999000' })).variables.CALLFILTER_ACTION).toBe('voicemail');

    const list = await api.json<{ items: Profile[] }>('GET', '/api/v1/profiles');
    expect(list.body.items.map((p) => [p.name, p.source])).toEqual([
      ['default', 'default'],
      ['business', 'file'],
      ['shop', 'api'],
    ]);
    expect((await api.json<Profile>('GET', '/api/v1/profiles/shop')).body.schedules.map((s) => s.name)).toEqual([
      'open',
    ]);
    expect((await api.json<Profile>('GET', '/api/v1/profiles/business')).body.source).toBe('file');

    expect((await api.inject({ method: 'DELETE', url: '/api/v1/profiles/shop' })).statusCode).toBe(204);
    const explain = await api.json<{ decision: { profile: string } }>(
      'GET',
      '/api/v1/explain?number=030%205556679&did=030999222',
    );
    expect(explain.body.decision.profile).toBe('default');
    expect((await api.json('GET', '/api/v1/profiles/shop')).status).toBe(404);
    expect((await api.json('DELETE', '/api/v1/profiles/shop')).status).toBe(404);
  });

  it('replaces a profile with PUT (201 new, 200 replaced)', async () => {
    const api = await startApi(OPTIONS);
    const { name: _name, ...body } = OFFICE;
    expect((await api.json('PUT', '/api/v1/profiles/shop', body)).status).toBe(201);
    const replaced = await api.json<Profile>('PUT', '/api/v1/profiles/shop', {
      dids: ['+4930999222'],
      actions: { foreign: { action: 'connect' } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.actions.foreign).toEqual({ action: 'connect' });
    expect((await api.json('PUT', '/api/v1/profiles/shop', { name: 'other', dids: [] })).body).toMatchObject({
      message: expect.stringContaining('body/name: "other" differs from the name in the path'),
    });
    expect((await api.json('POST', '/api/v1/profiles', { ...OFFICE })).status).toBe(409);
  });

  it('refuses the names and DIDs of the config file and the default profile', async () => {
    const api = await startApi(OPTIONS);
    for (const [method, url, body] of [
      ['POST', '/api/v1/profiles', { name: 'business', dids: [] }],
      ['PUT', '/api/v1/profiles/business', { dids: [] }],
      ['DELETE', '/api/v1/profiles/business', undefined],
      ['POST', '/api/v1/profiles', { name: 'default', dids: [] }],
      ['DELETE', '/api/v1/profiles/default', undefined],
    ] as const) {
      const res = await api.json<{ error: string; message: string }>(method, url, body);
      expect(res.status, `${method} ${url}`).toBe(409);
      expect(res.body.message).toMatch(/config file/);
    }
    const taken = await api.json('POST', '/api/v1/profiles', { name: 'shop', dids: ['030 999111'] });
    expect(taken).toEqual({
      status: 409,
      body: {
        error: 'conflict',
        code: 'profile.did_taken',
        params: { field: 'body/dids', did: '+4930999111', profile: 'business' },
        message: 'body/dids: +4930999111 belongs to the profile "business" already',
      },
    });
  });

  it.each([
    ['an unknown field', { ...OFFICE, colour: 'red' }, 'body must NOT have additional property "colour"'],
    [
      'an unknown action',
      { ...OFFICE, actions: { unknown: { action: 'drop' } } },
      'body/actions/unknown/action must be one of connect, voicemail, hangup, announce',
    ],
    [
      'announce without a sound',
      { ...OFFICE, actions: { list: { action: 'announce' } } },
      'body.actions.list: {"action":"announce"} uses announce without an announcement',
    ],
    [
      'a schedule that does nothing',
      { ...OFFICE, schedules: [{ name: 'x', days: [1], from: '08:00', to: '18:00' }] },
      'body.schedules[0]: {"name":"x","days":[1],"from":"08:00","to":"18:00"} does nothing: set quiet: true or actions',
    ],
    [
      'day 7',
      { ...OFFICE, schedules: [{ name: 'x', days: [7], from: '08:00', to: '18:00', quiet: true }] },
      'body/schedules/0/days/0 must be <= 6',
    ],
    ['a name with a slash', { ...OFFICE, name: 'a/b' }, 'body/name must match pattern'],
    ['no dids', { name: 'x' }, 'body/dids is required'],
  ])('refuses %s', async (_label, body, message) => {
    const api = await startApi(OPTIONS);
    const res = await api.json<{ message: string }>('POST', '/api/v1/profiles', body);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(message);
  });
});
