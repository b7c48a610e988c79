import { describe, expect, it } from 'vitest';
import { startApi } from '../helpers/api.js';

const HOME = { env: { CALLFILTER_HOME_AREA_CODE: '30' } };

interface Entry {
  id: number;
  number: string;
  prefix: boolean;
  kind: string;
  label?: string;
  note?: string;
  vip: boolean;
  source: string;
  expiresAt?: number;
  action?: string;
  cause?: number;
}

describe('/api/v1/entries', () => {
  it('creates, reads, updates and deletes an entry, with numbers through the screening normaliser', async () => {
    const api = await startApi(HOME);
    const created = await api.json<Entry>('POST', '/api/v1/entries', {
      number: '030 1234567-0',
      kind: 'block',
      label: 'Gewinnspiel',
      cause: 17,
      expiresAt: '2030-01-01',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      number: '+493012345670',
      prefix: false,
      kind: 'block',
      label: 'Gewinnspiel',
      cause: 17,
      source: 'api',
      expiresAt: Date.UTC(2030, 0, 1),
    });
    const { id } = created.body;

    expect(await api.json('GET', `/api/v1/entries/${id}`)).toEqual({ status: 200, body: created.body });

    const patched = await api.json<Entry>('PATCH', `/api/v1/entries/${id}`, {
      label: null,
      note: 'asked them to stop',
      action: 'announce',
      expiresAt: 1893456000000,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.label).toBeUndefined();
    expect(patched.body).toMatchObject({
      note: 'asked them to stop',
      action: 'announce',
      expiresAt: 1893456000000,
      number: '+493012345670',
    });

    const renumbered = await api.json<Entry>('PATCH', `/api/v1/entries/${id}`, { number: '0401234*' });
    expect(renumbered.body).toMatchObject({ number: '+49401234', prefix: true });

    expect((await api.inject({ method: 'DELETE', url: `/api/v1/entries/${id}` })).statusCode).toBe(204);
    expect(await api.json('GET', `/api/v1/entries/${id}`)).toEqual({
      status: 404,
      body: { error: 'not_found', code: 'entry.not_found', params: { id }, message: `no entry ${id}` },
    });
    expect((await api.json('DELETE', `/api/v1/entries/${id}`)).status).toBe(404);
    expect((await api.json('PATCH', `/api/v1/entries/${id}`, { vip: true })).status).toBe(404);
  });

  it('makes prefix entries from a trailing * or prefix: true', async () => {
    const api = await startApi(HOME);
    expect(
      (await api.json<Entry>('POST', '/api/v1/entries', { number: '+49 40 1234*', kind: 'block' })).body,
    ).toMatchObject({ number: '+49401234', prefix: true });
    expect(
      (await api.json<Entry>('POST', '/api/v1/entries', { number: '089 1234', kind: 'block', prefix: true })).body,
    ).toMatchObject({ number: '+49891234', prefix: true });
    const tooBroad = await api.json('POST', '/api/v1/entries', { number: '+4*', kind: 'block' });
    expect(tooBroad).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect((tooBroad.body as { message: string }).message).toMatch(/^body\/number: "\+4\*" is too broad a prefix/);
  });

  it('answers 409 for a duplicate, naming the existing entry', async () => {
    const api = await startApi(HOME);
    const first = await api.json<Entry>('POST', '/api/v1/entries', { number: '+493012345670', kind: 'block' });
    const again = await api.json('POST', '/api/v1/entries', { number: '030 12345670', kind: 'block' });
    expect(again).toEqual({
      status: 409,
      body: {
        error: 'conflict',
        code: 'entry.exists',
        params: { kind: 'block', number: '+493012345670', numberNational: '030 12345670', id: first.body.id },
        message: `a block entry for +493012345670 already exists (id ${first.body.id})`,
      },
    });
    // The same number may be on the allow list too (allow wins at equal specificity).
    const allowed = await api.json<Entry>('POST', '/api/v1/entries', { number: '030 12345670', kind: 'allow' });
    expect(allowed.status).toBe(201);
    expect((await api.json('POST', '/api/v1/entries', { number: '030 12345670', kind: 'allow' })).body).toMatchObject({
      message: `an allow entry for +493012345670 already exists (id ${allowed.body.id})`,
    });
  });

  it('lists newest first with filters and cursor paging', async () => {
    const api = await startApi(HOME);
    for (let i = 0; i < 5; i++)
      await api.json('POST', '/api/v1/entries', {
        number: `030 1111110${i}`,
        kind: i % 2 ? 'allow' : 'block',
        label: i === 3 ? 'Anna' : `n${i}`,
      });
    const page1 = await api.json<{ items: Entry[]; nextCursor?: number }>('GET', '/api/v1/entries?limit=2');
    expect(page1.body.items.map((e) => e.number)).toEqual(['+493011111104', '+493011111103']);
    const page2 = await api.json<{ items: Entry[]; nextCursor?: number }>(
      'GET',
      `/api/v1/entries?limit=2&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body.items.map((e) => e.number)).toEqual(['+493011111102', '+493011111101']);
    const page3 = await api.json<{ items: Entry[]; nextCursor?: number }>(
      'GET',
      `/api/v1/entries?limit=2&cursor=${page2.body.nextCursor}`,
    );
    expect(page3.body.items).toHaveLength(1);
    expect(page3.body.nextCursor).toBeUndefined();
    expect(
      (await api.json<{ items: Entry[] }>('GET', '/api/v1/entries?kind=allow')).body.items.map((e) => e.number),
    ).toEqual(['+493011111103', '+493011111101']);
    expect(
      (await api.json<{ items: Entry[] }>('GET', '/api/v1/entries?search=Anna')).body.items.map((e) => e.label),
    ).toEqual(['Anna']);
    expect(
      (await api.json<{ items: Entry[] }>('GET', '/api/v1/entries?source=api&limit=1000')).body.items,
    ).toHaveLength(5);
    expect((await api.json<{ items: Entry[] }>('GET', '/api/v1/entries?source=csv')).body.items).toHaveLength(0);
  });

  it.each([
    [{ number: 'abc', kind: 'block' }, 'body/number: "abc" is not a phone number: it has no digits'],
    [
      { number: 'anonymous', kind: 'block' },
      'body/number: "anonymous" is not a phone number: it is what a withheld caller id says',
    ],
    [{ number: '**610', kind: 'allow' }, 'body/number: "**610" is an internal extension'],
    [{ number: '0301234567', kind: 'block', colour: 'red' }, 'body must NOT have additional property "colour"'],
    [{ kind: 'block' }, 'body/number is required'],
    [{ number: '0301234567', kind: 'maybe' }, 'body/kind must be one of allow, block'],
    [{ number: '0301234567', kind: 'block', cause: 300 }, 'body/cause must be <= 127'],
    [{ number: '0301234567', kind: 'block', vip: 'perhaps' }, 'body/vip must be boolean'],
    [{ number: '0301234567', kind: 'block', action: 'connect' }, 'body/action: a block entry cannot connect'],
    [{ number: '0301234567', kind: 'block', expiresAt: 'soon' }, 'body/expiresAt: "soon" is not a time'],
    [
      { number: '0301234567', kind: 'block', announcement: '../../etc/passwd x' },
      'body/announcement must match pattern',
    ],
    [{ number: '', kind: 'block' }, 'body/number must NOT have fewer than 1 characters'],
  ])('refuses %j: %s', async (payload, message) => {
    const api = await startApi(HOME);
    const res = await api.json<{ error: string; message: string }>('POST', '/api/v1/entries', payload);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
    expect(res.body.message).toContain(message);
    expect(await api.json('GET', '/api/v1/entries')).toEqual({ status: 200, body: { items: [] } });
  });

  it('refuses bad paging and unknown query parameters', async () => {
    const api = await startApi(HOME);
    expect((await api.json('GET', '/api/v1/entries?limit=5000')).body).toMatchObject({
      message: 'querystring/limit must be <= 1000',
    });
    expect((await api.json('GET', '/api/v1/entries?page=2')).body).toMatchObject({
      message: 'querystring must NOT have additional property "page"',
    });
    expect((await api.json('GET', '/api/v1/entries/abc')).body).toMatchObject({ message: 'params/id must be integer' });
    expect((await api.json('PATCH', '/api/v1/entries/1', {})).body).toMatchObject({
      message: 'body must NOT have fewer than 1 properties',
    });
  });

  it('refuses an implausible exact number, and takes a deliberately short one with short: true that screening matches', async () => {
    const api = await startApi(HOME);
    const hint = '; for a deliberately short number (a service number) send "short": true';
    expect(await api.json('POST', '/api/v1/entries', { number: '12', kind: 'block' })).toEqual({
      status: 400,
      body: {
        error: 'bad_request',
        code: 'number.implausible',
        params: {
          field: 'body/number',
          value: '12',
          number: '+493012',
          numberNational: '030 12',
          problem: 'unassigned',
          region: 'DE',
        },
        message: `body/number: "12" is not a plausible phone number: +493012 is in no range of numbers assigned in DE${hint}`,
      },
    });
    expect((await api.json('POST', '/api/v1/entries', { number: '+49 12', kind: 'allow' })).body).toMatchObject({
      message: `body/number: "+49 12" is not a plausible phone number: +4912 is too short for a number in DE${hint}`,
    });
    expect(await api.ctx.store.entries.count()).toBe(0);

    const short = await api.json<Entry>('POST', '/api/v1/entries', { number: '12', kind: 'block', short: true });
    expect(short).toMatchObject({ status: 201, body: { number: '+493012', prefix: false } });
    // A caller presenting the same digits is read the same way, so the entry decides the call.
    expect((await api.call('12')).variables).toMatchObject({
      CALLFILTER_ACTION: 'hangup',
      CALLFILTER_REASON: 'blocklist',
    });

    const id = short.body.id;
    expect((await api.json('PATCH', `/api/v1/entries/${id}`, { number: '13' })).body).toMatchObject({
      message: expect.stringMatching(/^body\/number: "13" is not a plausible phone number/),
    });
    expect((await api.json<Entry>('PATCH', `/api/v1/entries/${id}`, { number: '13', short: true })).body).toMatchObject(
      { number: '+493013' },
    );
    expect((await api.json('PATCH', `/api/v1/entries/${id}`, { short: true })).body).toMatchObject({
      message: 'body/short: says how to read body/number; send the number too',
    });
    // Prefixes are ranges, not numbers: no plausibility test.
    expect((await api.json('POST', '/api/v1/entries', { number: '0301*', kind: 'block' })).status).toBe(201);

    type Doc = {
      paths: Record<
        string,
        Record<
          string,
          { requestBody: { content: Record<string, { schema: { properties: Record<string, { type: string }> } }> } }
        >
      >;
    };
    const { paths } = (await api.json<Doc>('GET', '/api/v1/openapi.json')).body;
    for (const [path, method] of [
      ['/api/v1/entries', 'post'],
      ['/api/v1/entries/{id}', 'patch'],
    ] as const) {
      expect(paths[path]?.[method]?.requestBody.content['application/json']?.schema.properties.short).toMatchObject({
        type: 'boolean',
      });
    }
  });
});
