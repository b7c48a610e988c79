import { describe, expect, it } from 'vitest';
import { STACK_LINE, startApi } from '../helpers/api.js';
import { onPostgres } from '../helpers/service-store.js';
import { sqliteOf } from '../store/helpers.js';

describe('errors', () => {
  it('answers garbage JSON with a 400 that says so', async () => {
    const api = await startApi();
    const res = await api.inject({
      method: 'POST',
      url: '/api/v1/entries',
      payload: '{"number": "030 1234567", kind: block',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'bad_request',
      code: 'request.bad_json',
      params: { detail: expect.any(String) },
      message: expect.stringMatching(/^body is not valid JSON/),
    });
  });

  it('answers an empty JSON body with a 400', async () => {
    const api = await startApi();
    const res = await api.inject({
      method: 'POST',
      url: '/api/v1/entries',
      payload: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('bad_request');
  });

  it('answers a JSON body over 1 MiB with 413, before reading it all', async () => {
    const api = await startApi();
    const payload = JSON.stringify({ number: '0301234567', kind: 'block', note: 'x'.repeat(1024 * 1024) });
    const res = await api.inject({
      method: 'POST',
      url: '/api/v1/entries',
      payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: 'payload_too_large',
      code: 'request.body_too_large',
      params: { size: '1 MiB' },
      message: "the request body is larger than this route's limit of 1 MiB",
    });
  });

  it('answers a non-JSON body to a JSON route with 415', async () => {
    const api = await startApi();
    const res = await api.inject({
      method: 'POST',
      url: '/api/v1/entries',
      payload: 'number=0301234567',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toBe('unsupported_media_type');
    expect(
      (
        await api.inject({
          method: 'POST',
          url: '/api/v1/entries',
          payload: 'hi',
          headers: { 'content-type': 'text/plain' },
        })
      ).statusCode,
    ).toBe(415);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const api = await startApi();
    expect((await api.json('GET', '/api/v1/nothing?x=1')).body).toEqual({
      error: 'not_found',
      code: 'request.no_route',
      params: { method: 'GET', path: '/api/v1/nothing' },
      message: 'no route GET /api/v1/nothing',
    });
    expect((await api.json('PUT', '/api/v1/entries')).status).toBe(404);
  });

  // Reaches into the SQLite file itself: SQLite only (a node on PostgreSQL: test/cluster).
  it.skipIf(onPostgres)('masks an internal error as 500 "internal error" and logs it in full', async () => {
    const api = await startApi();
    sqliteOf(api.ctx.store).db.close();
    const res = await api.inject({ method: 'GET', url: '/api/v1/entries' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal', code: 'server.internal', params: {}, message: 'internal error' });
    expect(res.body).not.toContain('database');
    const logged = api.logs.find((l) => l.msg === 'request failed') as
      | { level: number; err: { message: string; stack: string } }
      | undefined;
    expect(logged?.level).toBe(50);
    expect(logged?.err.message).toContain('the database is closed');
    expect(logged?.err.stack).toMatch(STACK_LINE);
    // Counted as an error in the metrics.
    const metrics = await api.metrics.text();
    expect(metrics).toContain('callfilter_errors_total{source="http",kind="internal"} 1');
  });
});
