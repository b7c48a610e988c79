/**
 * Every client error carries a stable code and its parameters beside the English message (src/messages), and an
 * import report names its rows the same way: what the web page words in German or English.
 */
import { describe, expect, it } from 'vitest';
import { type Code, render } from '../../src/messages/index.js';
import { startApi } from '../helpers/api.js';

const HOME = { env: { CALLFILTER_HOME_AREA_CODE: '30' } };

interface ErrorBody {
  error: string;
  code: Code;
  params: Record<string, string | number>;
  message: string;
  rejected?: { line: number; error: string; code: Code; params: Record<string, string | number> }[];
}

/** The message is the code's English, rendered from the table: never a second wording. */
function expectRendered(body: ErrorBody): void {
  expect(body.message).toBe(render({ code: body.code, params: body.params }));
}

describe('error codes of the admin API', () => {
  it('a number that is none: number.* with the field and the value', async () => {
    const api = await startApi(HOME);
    const res = await api.json<ErrorBody>('POST', '/api/v1/entries', { number: 'abc', kind: 'block' });
    expect(res).toMatchObject({
      status: 400,
      body: { error: 'bad_request', code: 'number.no_digits', params: { field: 'body/number', value: 'abc' } },
    });
    expect(res.body.message).toBe('body/number: "abc" is not a phone number: it has no digits');
    expectRendered(res.body);
  });

  it('the JSON schema: request.* naming the field and the rule', async () => {
    const api = await startApi(HOME);
    const cases: [unknown, Code, Record<string, unknown>][] = [
      [{ kind: 'block' }, 'request.required', { field: 'body', property: 'number' }],
      [{ number: '030 1234567', kind: 'maybe' }, 'request.one_of', { field: 'body/kind', allowed: 'allow, block' }],
      [{ number: '030 1234567', kind: 'block', vip: 'maybe' }, 'request.type', { field: 'body/vip', type: 'boolean' }],
      [
        { number: '030 1234567', kind: 'block', label: 'x'.repeat(201) },
        'request.max_length',
        { field: 'body/label', limit: 200 },
      ],
      [
        { number: '030 1234567', kind: 'block', cause: 0 },
        'request.limit',
        { field: 'body/cause', comparison: '>=', limit: 1 },
      ],
    ];
    for (const [payload, code, params] of cases) {
      const res = await api.json<ErrorBody>('POST', '/api/v1/entries', payload);
      expect(res.status, JSON.stringify(payload)).toBe(400);
      expect(res.body, JSON.stringify(payload)).toMatchObject({ code, params });
      expectRendered(res.body);
    }
  });

  it('a duplicate: entry.exists with kind, number and the existing id (409)', async () => {
    const api = await startApi(HOME);
    const first = await api.json<{ id: number }>('POST', '/api/v1/entries', { number: '030 1234567', kind: 'block' });
    const again = await api.json<ErrorBody>('POST', '/api/v1/entries', { number: '+49 30 1234567', kind: 'block' });
    expect(again).toMatchObject({
      status: 409,
      body: { code: 'entry.exists', params: { kind: 'block', number: '+49301234567', id: first.body.id } },
    });
    expect(again.body.message).toBe(`a block entry for +49301234567 already exists (id ${first.body.id})`);
  });

  it('not found, a withheld caller, a setting: each its own code', async () => {
    const api = await startApi(HOME);
    expect((await api.json<ErrorBody>('DELETE', '/api/v1/entries/99')).body).toMatchObject({
      code: 'entry.not_found',
      params: { id: 99 },
    });
    expect((await api.json<ErrorBody>('POST', '/api/v1/calls/99/block')).body).toMatchObject({
      code: 'call.not_found',
      params: { id: 99 },
    });
    const call = await api.call('anonymous');
    const withheld = await api.json<ErrorBody>('POST', `/api/v1/calls/${call.variables.CALLFILTER_CALL_ID}/block`);
    expect(withheld).toMatchObject({
      status: 409,
      body: { code: 'call.withheld', params: { caller: 'anonymous', verb: 'block' } },
    });
    expectRendered(withheld.body);
    const setting = await api.json<ErrorBody>('PUT', '/api/v1/settings', { areaCode: '170' });
    expect(setting.body).toMatchObject({
      code: 'setting.area_code',
      params: { field: 'body/areaCode', value: '170', country: 'DE' },
    });
    expect(setting.body.message).toBe('body/areaCode: "170" is not an area code in DE');
  });

  it('an import asked the wrong way, a file of no known format, a file with bad rows', async () => {
    const api = await startApi(HOME);
    const vcard = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna\r\nTEL:0170 1234567\r\nEND:VCARD\r\n';
    const blocked = await api.upload<ErrorBody>('/api/v1/import?kind=block', vcard, 'text/vcard');
    expect(blocked).toMatchObject({
      status: 400,
      body: { code: 'import.vcard_block', params: { field: 'querystring/kind' } },
    });
    expect(blocked.body.message).toBe(
      `querystring/kind: ${render({ code: 'import.vcard_block', params: {} })} (leave kind out)`,
    );

    const picture = await api.upload<ErrorBody>(
      '/api/v1/import?kind=block',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]),
      'application/octet-stream',
    );
    expect(picture).toMatchObject({ status: 415, body: { code: 'import.unknown_format', params: {} } });

    const csv = 'number;label\n030 1234567;ok\n030 ABC;bad\n;missing\n';
    const bad = await api.upload<ErrorBody>('/api/v1/import?kind=block', csv, 'text/csv');
    expect(bad).toMatchObject({ status: 400, body: { code: 'import.rejected', params: { count: 2, lines: '3, 4' } } });
    expect(bad.body.rejected).toEqual([
      {
        line: 3,
        error: '"030 ABC" is not a phone number: it contains characters other than digits, spaces and + - / . ( )',
        code: 'number.characters',
        params: { value: '030 ABC' },
      },
      { line: 4, error: 'the number is missing', code: 'number.missing', params: {} },
    ]);
    expectRendered(bad.body);
  });

  it('an import report names its ignored rows with a code', async () => {
    const api = await startApi(HOME);
    const vcard = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Anna',
      'TEL:0170 1234567',
      'TEL;TYPE=WORK:',
      'TEL:sip:anna@example.org',
      'END:VCARD',
      '',
    ].join('\r\n');
    const res = await api.upload<{ ignored: { line: number; why: string; code: string; params: object }[] }>(
      '/api/v1/import',
      vcard,
      'text/vcard',
    );
    expect(res.status).toBe(200);
    expect(res.body.ignored).toEqual([
      { line: 5, why: 'empty TEL', code: 'skip.empty_tel', params: {} },
      { line: 6, why: 'SIP address, not a phone number', code: 'skip.sip', params: {} },
    ]);
  });

  it('the OpenAPI document names code and params on every error', async () => {
    const api = await startApi();
    const doc = (
      await api.json<{
        components?: unknown;
        paths: Record<
          string,
          Record<
            string,
            {
              responses: Record<
                string,
                { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> }
              >;
            }
          >
        >;
      }>('GET', '/api/v1/openapi.json')
    ).body;
    const responses = doc.paths['/api/v1/entries']?.post?.responses ?? {};
    const error = Object.entries(responses).find(([status]) => /^4xx$/i.test(status))?.[1].content['application/json']
      ?.schema;
    expect(Object.keys(error?.properties ?? {})).toEqual(
      expect.arrayContaining(['error', 'code', 'params', 'message']),
    );
    expect(error?.required).toEqual(expect.arrayContaining(['code', 'params']));
  });
});
