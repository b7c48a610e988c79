/**
 * The admin API as an attacker sees it: every route Fastify registered refuses a request without the token (except
 * the few that are public on purpose), wrong tokens are rate limited, the token never reaches the log, no answer
 * carries a stack trace, every answer has the security headers, bodies are size limited, and /metrics shows the
 * faults. Each response also passes test/helpers/api.ts's own stack-trace check.
 */
import { describe, expect, it } from 'vitest';
import { JSON_BODY_LIMIT } from '../../src/api/app.js';
import { AUTH_FAILURE_WINDOW_MS, AUTH_FAILURES_MAX } from '../../src/api/auth-limit.js';
import { multipart, STACK_LINE, startApi } from '../helpers/api.js';
import { onPostgres } from '../helpers/service-store.js';
import { sqliteOf } from '../store/helpers.js';
import { connect, envLines } from './clients.js';

/** Public on purpose: health for monitors, the web page's shell, assets and sign-in form (none hold data). */
/** GET /session answers `{signedIn: false}` to anyone without a session: it tells nothing. */
const PUBLIC = new Set([
  'GET /healthz',
  'GET /',
  'GET /assets/:name',
  'GET /assets/*',
  'POST /session',
  'GET /session',
]);

/** A concrete URL for a route pattern. */
const concrete = (url: string) =>
  url
    .replace(/:id\b/g, '1')
    .replace(/:name\b/g, 'x')
    .replace(/:[a-zA-Z]+/g, 'x')
    .replace(/\*/g, 'x');

function expectSecurityHeaders(headers: Record<string, unknown>, what: string): void {
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(String(headers['content-security-policy']), what).toContain("frame-ancestors 'none'");
  expect(String(headers['content-security-policy']), what).not.toContain('unsafe-inline');
}

describe('admin API security', () => {
  it('refuses every registered route without credentials, except the public ones; every answer has the security headers', async () => {
    const api = await startApi({ authLimit: { max: 100_000 } });
    const refused: string[] = [];
    const open: string[] = [];
    for (const { method, url } of api.routes) {
      const res = await api.inject({
        method: method as 'GET',
        url: concrete(url),
        auth: false,
        ...(method !== 'GET' && method !== 'DELETE' && { payload: {} }),
      });
      expectSecurityHeaders(res.headers, `${method} ${url}`);
      (res.statusCode === 401 ? refused : open).push(`${method} ${url}`);
      // The same with a wrong token.
      const wrong = await api.inject({
        method: method as 'GET',
        url: concrete(url),
        auth: false,
        headers: { authorization: 'Bearer not-the-admin-token-0000' },
        ...(method !== 'GET' && method !== 'DELETE' && { payload: {} }),
      });
      if (!PUBLIC.has(`${method} ${url}`)) expect(wrong.statusCode, `${method} ${url} with a wrong token`).toBe(401);
    }
    console.log(
      `[reliability] admin API: ${api.routes.length} routes registered; ${refused.length} answer 401 without the token; open: ${open.join(', ')}`,
    );
    expect(open.filter((r) => !PUBLIC.has(r))).toEqual([]);
    expect(refused.length).toBeGreaterThanOrEqual(25);
    // /healthz says whether things work, nothing else.
    const health = await api.inject({ method: 'GET', url: '/healthz', auth: false });
    expect(Object.keys(health.json() as object).sort()).toEqual(['agi', 'db', 'status']);
  });

  it('rate limits wrong tokens per address: 429 — even for the right token — until the window has passed', async () => {
    const clock = { now: 1_000_000 };
    const api = await startApi({ authLimit: { clock: () => clock.now } });
    const attacker = { remoteAddress: '192.0.2.7' };
    for (let i = 0; i < AUTH_FAILURES_MAX; i++) {
      const res = await api.inject({
        method: 'GET',
        url: '/api/v1/entries',
        auth: false,
        headers: { authorization: `Bearer guess-${i}-0123456789abcdef` },
        ...attacker,
      });
      expect(res.statusCode).toBe(401);
    }
    const limited = await api.inject({
      method: 'GET',
      url: '/api/v1/entries',
      auth: false,
      headers: { authorization: 'Bearer guess-x-0123456789abcdef' },
      ...attacker,
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'too_many_requests' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expectSecurityHeaders(limited.headers, '429');
    // A right guess now would still be refused: the limit is not an oracle.
    expect((await api.inject({ method: 'GET', url: '/api/v1/entries', ...attacker })).statusCode).toBe(429);
    // Other addresses, and requests without credentials, are not affected.
    expect((await api.inject({ method: 'GET', url: '/api/v1/entries', remoteAddress: '192.0.2.8' })).statusCode).toBe(
      200,
    );
    expect((await api.inject({ method: 'GET', url: '/healthz', auth: false, ...attacker })).statusCode).toBe(200);
    expect(
      api.logs.filter((l) => l.msg === 'too many failed sign-ins; refusing this address for a while'),
    ).toHaveLength(1);

    const signIn = api.routes.some((r) => r.method === 'POST' && r.url === '/session');
    if (signIn) {
      const res = await api.inject({
        method: 'POST',
        url: '/session',
        auth: false,
        payload: { token: api.token },
        ...attacker,
      });
      expect(res.statusCode, 'the sign-in form is limited too').toBe(429);
    }

    clock.now += AUTH_FAILURE_WINDOW_MS;
    expect((await api.inject({ method: 'GET', url: '/api/v1/entries', ...attacker })).statusCode).toBe(200);
  });

  it('rate limits failed sign-ins on the web page form', async () => {
    const api = await startApi();
    if (!api.routes.some((r) => r.method === 'POST' && r.url === '/session')) {
      console.log('[reliability] admin API: no sign-in form registered (yet); the bearer-token limit covers the API');
      return;
    }
    const from = { remoteAddress: '192.0.2.9' };
    for (let i = 0; i < AUTH_FAILURES_MAX; i++) {
      expect(
        (
          await api.inject({
            method: 'POST',
            url: '/session',
            auth: false,
            payload: { token: `wrong-${i}-0123456789abcdef` },
            ...from,
          })
        ).statusCode,
      ).toBe(401);
    }
    expect(
      (await api.inject({ method: 'POST', url: '/session', auth: false, payload: { token: api.token }, ...from }))
        .statusCode,
    ).toBe(429);
  });

  it('never writes the token to the log, wherever a client puts it', async () => {
    const api = await startApi({ authLimit: { max: 100_000 } });
    const t = api.token;
    await api.inject({ method: 'GET', url: '/api/v1/entries' });
    await api.inject({
      method: 'GET',
      url: '/api/v1/entries',
      auth: false,
      headers: { authorization: `Bearer ${t}x` },
    });
    await api.inject({ method: 'GET', url: '/api/v1/entries', auth: false, headers: { authorization: t } });
    await api.inject({ method: 'GET', url: '/api/v1/entries', auth: false, headers: { authorization: `Basic ${t}` } });
    await api.inject({ method: 'GET', url: `/api/v1/entries?token=${t}` });
    await api.inject({ method: 'GET', url: `/api/v1/explain?number=${t}` });
    await api.inject({ method: 'POST', url: '/api/v1/entries', payload: { number: t, kind: 'block' } });
    await api.inject({
      method: 'POST',
      url: '/api/v1/entries',
      payload: { number: '+4930123456', kind: 'block', label: t },
    });
    await api.inject({
      method: 'POST',
      url: '/api/v1/entries',
      payload: `{"number": "${t}"`,
      headers: { 'content-type': 'application/json' },
    });
    await api.inject({ method: 'GET', url: `/${t}` });
    await api.inject({ method: 'POST', url: '/session', auth: false, payload: { token: t } });
    await api.inject({ method: 'POST', url: '/session', auth: false, payload: { token: `${t}x` } });
    const logged = JSON.stringify(api.logs);
    expect(api.logs.length).toBeGreaterThan(10);
    expect(logged).not.toContain(t);
    // What was there is still there, only without the token.
    expect(
      api.logs.some((l) => (l.req as { url?: string } | undefined)?.url === '/api/v1/entries?token=[redacted]'),
    ).toBe(true);
  });

  // Reaches into the SQLite file itself: SQLite only (a node on PostgreSQL: test/cluster).
  it.skipIf(onPostgres)(
    'answers errors without stack traces or internals, a failing handler with a masked 500',
    async () => {
      const api = await startApi();
      const bad = [
        {
          method: 'POST',
          url: '/api/v1/entries',
          payload: '{"number": ',
          headers: { 'content-type': 'application/json' },
        },
        {
          method: 'POST',
          url: '/api/v1/entries',
          payload: 'number=1',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        { method: 'POST', url: '/api/v1/entries', payload: { number: 12, kind: 'nope', extra: true } },
        { method: 'GET', url: '/api/v1/entries/not-a-number' },
        { method: 'GET', url: '/api/v1/calls?limit=-5&cursor=abc' },
        { method: 'GET', url: '/api/v1/explain?number=%00%ff&at=yesterday' },
        { method: 'DELETE', url: '/api/v1/lists/999999' },
        { method: 'GET', url: '/api/v1/../../etc/passwd' },
        { method: 'PATCH', url: '/healthz' },
      ] as const;
      for (const req of bad) {
        const res = await api.inject({ ...req } as Parameters<typeof api.inject>[0]);
        expect(res.statusCode, `${req.method} ${req.url}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${req.method} ${req.url}`).toBeLessThan(500);
        expect(res.body).not.toMatch(STACK_LINE);
        expect(res.body).not.toMatch(/node_modules|\/src\/|\.ts:\d+|SqliteError|SQLITE_/);
        expectSecurityHeaders(res.headers, `${req.method} ${req.url}`);
      }
      // Something really breaks: the database is gone under a handler.
      sqliteOf(api.ctx.store).db.close();
      const res = await api.inject({ method: 'GET', url: '/api/v1/entries' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: 'internal', code: 'server.internal', params: {}, message: 'internal error' });
      expect(api.logs.some((l) => l.msg === 'request failed' && JSON.stringify(l).includes('stack'))).toBe(true);
    },
  );

  it('limits request bodies: 413 for a JSON body over the limit and an upload over CALLFILTER_IMPORT_LIMIT_MB', async () => {
    const api = await startApi({ env: { CALLFILTER_IMPORT_LIMIT_MB: '1' } });
    const big = JSON.stringify({ number: '+4930123456', kind: 'block', note: 'x'.repeat(JSON_BODY_LIMIT) });
    const json = await api.inject({
      method: 'POST',
      url: '/api/v1/entries',
      payload: big,
      headers: { 'content-type': 'application/json' },
    });
    expect(json.statusCode).toBe(413);
    expect(json.json()).toMatchObject({ error: 'payload_too_large' });
    const csv = `number\n${'+4930123456\n'.repeat(120_000)}`;
    const upload = await api.inject({
      method: 'POST',
      url: '/api/v1/import?kind=block',
      ...multipart('file', 'big.csv', csv, 'text/csv'),
    });
    expect(upload.statusCode).toBe(413);
    expect(upload.body).not.toMatch(STACK_LINE);
    if (api.routes.some((r) => r.method === 'POST' && r.url === '/session')) {
      const signIn = await api.inject({
        method: 'POST',
        url: '/session',
        auth: false,
        payload: JSON.stringify({ token: 'x'.repeat(JSON_BODY_LIMIT + 10) }),
        headers: { 'content-type': 'application/json' },
      });
      expect(signIn.statusCode).toBe(413);
    }
    expect((await api.ctx.store.entries.list()).items).toEqual([]);
  });

  it('serves the web page (when there is one) with a CSP without inline scripts, no framing, no sniffing', async () => {
    const api = await startApi();
    if (!api.routes.some((r) => r.method === 'GET' && r.url === '/')) {
      console.log('[reliability] admin API: no web page registered (yet); the default headers cover every answer');
      return;
    }
    const page = await api.inject({ method: 'GET', url: '/', auth: false });
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expectSecurityHeaders(page.headers, 'GET /');
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  });

  // Reaches into the SQLite file itself: SQLite only (a node on PostgreSQL: test/cluster).
  it.skipIf(onPostgres)(
    'shows fail-opens by why, errors by kind and refused FastAGI connections in /metrics',
    async () => {
      const api = await startApi({ env: { CALLFILTER_AGI_ALLOW: '127.0.0.1' } });
      const other = await connect(api.port, { localAddress: '127.0.0.2' });
      other.send(envLines().join(''));
      await other.closed;
      sqliteOf(api.ctx.store).db.pragma('query_only = ON');
      expect((await api.call('+4930123456')).variables.CALLFILTER_REASON).toBe('fail-open');
      sqliteOf(api.ctx.store).db.pragma('query_only = OFF');
      const text = (await api.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toContain('callfilter_fail_opens_total{why="readonly"} 1');
      expect(text).toContain('callfilter_errors_total{source="screen",kind="readonly"} 1');
      expect(text).toContain('callfilter_agi_rejected_total{reason="allow"} 1');
      expect(text).toContain('callfilter_calls_total{action="connect",reason="fail-open"} 1');
      expect(text).toContain('# TYPE callfilter_db_file_events_total counter');
    },
  );
});
