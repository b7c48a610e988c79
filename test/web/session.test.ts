/** Sign-in, the session cookie, CSRF and sign-out, through the HTTP app (no browser). */
import { describe, expect, it } from 'vitest';
import { startWeb, type TestWeb, WEB_TOKEN } from '../helpers/web.js';

async function signIn(web: TestWeb, headers: Record<string, string> = {}) {
  const res = await web.app.inject({ method: 'POST', url: '/session', payload: { token: web.token }, headers });
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'callfilter_session');
  if (!cookie) throw new Error('no session cookie');
  const { csrfToken } = res.json<{ csrfToken: string }>();
  return { res, cookie: `callfilter_session=${cookie.value}`, csrfToken };
}

const entry = { number: '030 1234567', kind: 'block' };

describe('signing in to the web page', () => {
  it('refuses a wrong or missing token, and sets no cookie', async () => {
    const web = await startWeb();
    const wrong = await web.app.inject({ method: 'POST', url: '/session', payload: { token: 'not-the-admin-token' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({
      error: 'unauthorized',
      code: 'auth.token_invalid',
      params: {},
      message: 'the admin token is not valid',
    });
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const missing = await web.app.inject({ method: 'POST', url: '/session', payload: {} });
    expect(missing.statusCode).toBe(400);
    // Signed out is an answer, not an error: a fresh page asks this on every load.
    const state = await web.app.inject({ method: 'GET', url: '/session' });
    expect(state.statusCode).toBe(200);
    expect(state.json()).toEqual({ signedIn: false });
  });

  it('sets an HttpOnly, SameSite=Strict session cookie, Secure when the page came over HTTPS', async () => {
    const web = await startWeb();
    const { res, csrfToken } = await signIn(web);
    expect(res.headers['set-cookie']).toMatch(
      /^callfilter_session=[\w-]{43}; Max-Age=604800; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(res.headers['cache-control']).toBe('no-store');
    expect(csrfToken).toMatch(/^[\w-]{43}$/);
    const behindProxy = await signIn(web, { 'x-forwarded-proto': 'https' });
    expect(behindProxy.res.headers['set-cookie']).toMatch(/; Secure; SameSite=Strict$/);
  });

  it("reads with the cookie, and changes only with the session's CSRF token", async () => {
    const web = await startWeb();
    const { cookie, csrfToken } = await signIn(web);
    const state = await web.app.inject({ method: 'GET', url: '/session', headers: { cookie } });
    expect(state.json()).toEqual({
      signedIn: true,
      csrfToken,
      expiresAt: expect.any(Number),
      idleMs: 12 * 60 * 60 * 1000,
    });
    const other = await signIn(web);
    const list = await web.app.inject({ method: 'GET', url: '/api/v1/entries', headers: { cookie } });
    expect(list.statusCode).toBe(200);

    const noCsrf = await web.app.inject({
      method: 'POST',
      url: '/api/v1/entries',
      payload: entry,
      headers: { cookie },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().message).toBe(
      'a signed-in page must send its CSRF token in the x-csrf-token header with every change',
    );
    const othersCsrf = await web.app.inject({
      method: 'POST',
      url: '/api/v1/entries',
      payload: entry,
      headers: { cookie, 'x-csrf-token': other.csrfToken },
    });
    expect(othersCsrf.statusCode).toBe(403);
    expect(await web.ctx.store.entries.count()).toBe(0);

    const ok = await web.app.inject({
      method: 'POST',
      url: '/api/v1/entries',
      payload: entry,
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(ok.statusCode).toBe(201);
    // The bearer token works as before, without cookie or CSRF token.
    const bearer = await web.app.inject({
      method: 'DELETE',
      url: `/api/v1/entries/${ok.json<{ id: number }>().id}`,
      headers: { authorization: `Bearer ${web.token}` },
    });
    expect(bearer.statusCode).toBe(204);
    // A made-up cookie is no session.
    const forged = await web.app.inject({
      method: 'GET',
      url: '/api/v1/entries',
      headers: { cookie: 'callfilter_session=made-up' },
    });
    expect(forged.statusCode).toBe(401);
  });

  it('signs out: the cookie is cleared and no longer works', async () => {
    const web = await startWeb();
    const { cookie, csrfToken } = await signIn(web);
    expect((await web.app.inject({ method: 'DELETE', url: '/session', headers: { cookie } })).statusCode).toBe(403);
    const out = await web.app.inject({
      method: 'DELETE',
      url: '/session',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.statusCode).toBe(204);
    expect(out.headers['set-cookie']).toMatch(
      /^callfilter_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/,
    );
    expect((await web.app.inject({ method: 'GET', url: '/api/v1/entries', headers: { cookie } })).statusCode).toBe(401);
    expect((await web.app.inject({ method: 'GET', url: '/session', headers: { cookie } })).json()).toEqual({
      signedIn: false,
    });
    expect(
      (await web.app.inject({ method: 'DELETE', url: '/session', headers: { cookie, 'x-csrf-token': csrfToken } }))
        .statusCode,
    ).toBe(401);
  });

  it('ends every session when the admin token changes', async () => {
    let current = WEB_TOKEN;
    const web = await startWeb({ token: { current: () => current } });
    const { cookie } = await signIn(web);
    expect((await web.app.inject({ method: 'GET', url: '/api/v1/entries', headers: { cookie } })).statusCode).toBe(200);
    current = 'a-rotated-admin-token-0123456789';
    const after = await web.app.inject({ method: 'GET', url: '/api/v1/entries', headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.json().message).toMatch(/^the session has ended/);
  });
});
