/** One suite over a real port with real HTTP (fetch to 127.0.0.1), the rest of test/api goes through app.inject. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STACK_LINE, startApi } from '../helpers/api.js';

const HOME = { env: { CALLFILTER_HOME_AREA_CODE: '30' } };

describe('the admin API over real HTTP', () => {
  it('serves every kind of request on 127.0.0.1 and closes cleanly', async () => {
    const api = await startApi(HOME);
    const base = await api.listen();
    const auth = { authorization: `Bearer ${api.token}` };
    const bodies: string[] = [];
    const call = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}${path}`, init);
      const text = await res.text();
      bodies.push(text);
      return {
        status: res.status,
        headers: res.headers,
        text,
        json: () => JSON.parse(text) as Record<string, unknown>,
      };
    };

    expect((await call('/healthz')).json()).toEqual({ status: 'ok', db: 'ok', agi: 'listening' });
    const denied = await call('/api/v1/entries');
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="callfilter"');
    expect(
      (await call('/api/v1/entries', { headers: { authorization: 'Bearer wrong-token-0000000000' } })).status,
    ).toBe(401);

    const created = await call('/api/v1/entries', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ number: '030 55512345', kind: 'block' }),
    });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ number: '+493055512345' });

    const garbage = await call('/api/v1/entries', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"number":',
    });
    expect(garbage.status).toBe(400);
    const unknown = await call('/api/v1/entries', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ number: '0301', kind: 'block', colour: 'red' }),
    });
    expect(unknown.json()).toEqual({
      error: 'bad_request',
      code: 'request.additional_property',
      params: { field: 'body', property: 'colour' },
      message: 'body must NOT have additional property "colour"',
    });
    const invalid = await call('/api/v1/entries', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ number: 'hello', kind: 'block' }),
    });
    expect(invalid.json()).toEqual({
      error: 'bad_request',
      code: 'number.no_digits',
      params: { field: 'body/number', value: 'hello' },
      message: 'body/number: "hello" is not a phone number: it has no digits',
    });
    const huge = await call('/api/v1/entries', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);

    // A browser's file upload: multipart/form-data with the file in "file".
    const form = new FormData();
    form.append(
      'file',
      new Blob([readFileSync(join(import.meta.dirname, '../fixtures/import/fritzbox-phonebook.xml'))], {
        type: 'text/xml',
      }),
      'phonebook.xml',
    );
    const imported = await call('/api/v1/import', { method: 'POST', headers: auth, body: form });
    expect(imported.status).toBe(200);
    expect(imported.json()).toMatchObject({ format: 'fritzbox', added: 9, contacts: 5 });
    // A script's upload: the file as the body.
    const csv = await call('/api/v1/import?kind=block', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: '0301111111;Robot\n0302222222;Survey\n',
    });
    expect(csv.json()).toMatchObject({ added: 2 });

    const exported = await call('/api/v1/export?kind=block', { headers: auth });
    expect(exported.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(exported.text.trimEnd().split('\r\n')).toHaveLength(4);

    await api.call('030 55512345');
    const calls = await call('/api/v1/calls', { headers: auth });
    expect((calls.json().items as unknown[]).length).toBe(1);
    expect((await call('/api/v1/calls.csv', { headers: auth })).text).toMatch(/^id,time,caller/);
    expect((await call('/metrics', { headers: auth })).text).toContain(
      'callfilter_calls_total{action="hangup",reason="blocklist"} 1',
    );
    expect((await call('/api/v1/openapi.json', { headers: auth })).json()).toMatchObject({ openapi: '3.1.0' });

    for (const body of bodies) expect(body).not.toMatch(STACK_LINE);
    await api.app.close();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
