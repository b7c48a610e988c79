/**
 * Client errors on the upload routes (POST /import, POST /lists, PUT /lists/{id}/entries) answer 4xx with a reason,
 * never 500: bodies and content types that a broken client or an attacker sends.
 */
import { describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../helpers/api.js';

const DEEP_LIST = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
const part = (boundary: string, body: string, name = 'file', filename = 'a.csv') =>
  `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\n\r\n${body}\r\n`;

async function post(api: TestApi, url: string, body: string | Buffer, contentType: string) {
  const res = await api.inject({ method: 'POST', url, payload: body, headers: { 'content-type': contentType } });
  return {
    status: res.statusCode,
    body: res.json<{ error: string; message: string; rejected?: { line: number; error: string }[] }>(),
  };
}

describe("upload errors are the client's: 4xx with a reason", () => {
  it('refuses a deeply nested JSON list with 400 naming the depth (its items would overflow the stack)', async () => {
    const api = await startApi();
    // A plain JSON list needs a kind (it does not say what its numbers are): with one, the depth is what is refused.
    for (const url of ['/api/v1/import?kind=block', '/api/v1/lists?name=Spam']) {
      const res = await post(api, url, DEEP_LIST, 'application/json');
      expect(res.status, url).toBe(400);
      expect(res.body.rejected).toEqual([
        {
          line: 1,
          error: 'the JSON nests more than 32 levels deep; a number list needs 3',
          code: 'row.json_too_deep',
          params: { max: 32 },
        },
      ]);
    }
    const inside = await post(
      api,
      '/api/v1/import',
      `{"numbers":[{"phone":"+4930123456","votes":${'['.repeat(50_000)}${']'.repeat(50_000)}}]}`,
      'application/json',
    );
    expect(inside.status).toBe(400);
    expect(await api.ctx.store.entries.count()).toBe(0);
  });

  it('refuses a multipart boundary over 70 characters (RFC 2046), a missing one, and a body cut short, with 400', async () => {
    const api = await startApi();
    const long = 'x'.repeat(300);
    const cases: Array<[string, string, string]> = [
      [
        `multipart/form-data; boundary=${long}`,
        `${part(long, '+4930123456')}--${long}--\r\n`,
        'body: the multipart boundary is 300 characters long; at most 70 are allowed (RFC 2046)',
      ],
      ['multipart/form-data', 'abc', 'body: the multipart/form-data Content-Type has no boundary parameter'],
      ['multipart/form-data; boundary=', 'abc', 'body: the multipart/form-data Content-Type has no boundary parameter'],
      [
        'multipart/form-data; boundary=zzz',
        part('zzz', '+4930123456'),
        'body: the multipart/form-data body cannot be read: Unexpected end of multipart data',
      ],
      [
        'multipart/form-data; boundary=zzz',
        'no parts at all',
        'body: the multipart/form-data body cannot be read: Unexpected end of multipart data',
      ],
    ];
    for (const [type, body, message] of cases) {
      for (const url of ['/api/v1/import?kind=block', '/api/v1/lists?name=Spam']) {
        expect(await post(api, url, body, type), `${url} ${type.slice(0, 40)}`).toEqual({
          status: 400,
          body: {
            error: 'bad_request',
            code: expect.stringMatching(/^upload\./),
            params: expect.objectContaining({ field: 'body' }),
            message,
          },
        });
      }
    }
  });

  it('refuses a second file instead of importing the first and dropping the other', async () => {
    const api = await startApi();
    const body = `${part('zzz', '+4930123456')}${part('zzz', '+4930123457', 'file2', 'b.csv')}--zzz--\r\n`;
    expect(await post(api, '/api/v1/import?kind=block', body, 'multipart/form-data; boundary=zzz')).toEqual({
      status: 400,
      body: {
        error: 'bad_request',
        code: 'upload.files',
        params: { field: 'body', max: 1 },
        message: 'body: the multipart body has more than 1 file; send one file per upload',
      },
    });
    expect(await api.ctx.store.entries.count()).toBe(0);
    // A quoted boundary and a form field beside the file are fine.
    const ok = await post(
      api,
      '/api/v1/import?kind=block',
      `${part('a b', 'x', 'note', '')}${part('a b', '+4930123458')}--a b--\r\n`.replace('; filename=""', ''),
      'multipart/form-data; boundary="a b"',
    );
    expect(ok).toMatchObject({ status: 200, body: { added: 1 } });
  });

  it('answers odd content types and bodies on the upload routes with less than 500, a reason, and no stack trace', {
    timeout: 120_000,
  }, async () => {
    const api = await startApi();
    const { id } = (await api.json<{ list: { id: number } }>('POST', '/api/v1/lists?name=Fuzz')).body.list;
    const bodies: Array<string | Buffer> = [
      DEEP_LIST,
      `{"numbers":[${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}]}`,
      '<a>'.repeat(50_000),
      `<phonebooks>${'<phonebook>'.repeat(20_000)}`,
      `<!--${'-'.repeat(100_000)}`,
      '<phonebooks>&#99999999999;</phonebooks>',
      `BEGIN:VCARD\r\nTEL:${'x'.repeat(70_000)}\r\nEND:VCARD\r\n`,
      Buffer.from([0, 0xff, 0xfe, 0, 1, 0xc3]),
      '"\n'.repeat(10_000),
      '1e999999',
    ];
    const types = [
      'application/json',
      'text/csv',
      'application/xml',
      'text/csv; charset=klingon',
      ';;;',
      'multipart/form-data; boundary=zzz',
    ];
    const routes = [
      ['POST', '/api/v1/import?kind=block'],
      ['POST', '/api/v1/import?format=phoneblock'],
      ['POST', '/api/v1/lists?name=Other'],
      ['PUT', `/api/v1/lists/${id}/entries`],
    ] as const;
    const failures: string[] = [];
    for (const [method, url] of routes) {
      for (const type of types) {
        for (const body of bodies) {
          const res = await api.inject({ method, url, payload: body, headers: { 'content-type': type } });
          const refused = res.statusCode >= 400;
          if (res.statusCode >= 500 || (refused && typeof res.json<{ message?: unknown }>().message !== 'string')) {
            failures.push(
              `${method} ${url} ${type} ${JSON.stringify(String(body).slice(0, 20))}: ${res.statusCode} ${res.body.slice(0, 80)}`,
            );
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
