/**
 * Sign-in for the web page: POST /session with the admin token sets the session cookie and answers the CSRF
 * token; GET /session tells a loaded page whether it is signed in (and its CSRF token again — only a same-origin
 * script can read the answer); DELETE /session signs out.
 *
 * The cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it) and Secure when
 * the page came over HTTPS: directly, or through a reverse proxy that says so in X-Forwarded-Proto. Trusting that
 * header is safe in this one direction: a client that lies about it only gets a cookie its browser keeps off
 * plain HTTP.
 */

import type {} from '@fastify/cookie';
import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { checkBearer, type TokenSource } from '../api/auth.js';
import { HttpError } from '../api/errors.js';
import { ERRORS } from '../api/schemas.js';
import { coded } from '../messages/index.js';
import { CSRF_HEADER, SESSION_COOKIE, SESSION_IDLE_MS, SESSION_MAX_MS, type SessionStore } from './sessions.js';

const SignInBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 1000, description: 'The admin token.' }) },
  { additionalProperties: false },
);
const SessionFields = {
  csrfToken: Type.String({ description: 'Send it as X-CSRF-Token with every request that changes something.' }),
  expiresAt: Type.Integer({ description: 'Epoch ms: the session ends then at the latest.' }),
  idleMs: Type.Integer({ description: 'It also ends after this long without a request.' }),
};
const SessionSchema = Type.Object(SessionFields);
/** GET /session's answer: a signed-out page is a normal state, not an error (a 401 would be one in the console). */
const SessionStateSchema = Type.Object({
  signedIn: Type.Boolean(),
  csrfToken: Type.Optional(SessionFields.csrfToken),
  expiresAt: Type.Optional(SessionFields.expiresAt),
  idleMs: Type.Optional(SessionFields.idleMs),
});
const TAGS = ['web page'];
const COOKIE_NOTE = 'Needs the session cookie that POST /session set.';

export function isHttps(req: FastifyRequest): boolean {
  if (req.protocol === 'https') return true;
  const forwarded = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',', 1)[0]?.trim().toLowerCase();
  return first === 'https';
}

export function sessionCookie(req: FastifyRequest): string | undefined {
  return req.cookies?.[SESSION_COOKIE];
}

function csrfHeader(req: FastifyRequest): string | undefined {
  const v = req.headers[CSRF_HEADER];
  return Array.isArray(v) ? v[0] : v;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * For the API's token check: true when the request carries a live session (and, unless it only reads, the
 * session's CSRF token); false when it carries none, so the bearer token's own 401 applies.
 */
export function sessionAuth(sessions: SessionStore): (req: FastifyRequest) => Promise<boolean> {
  return async (req) => {
    const result = await sessions.check(sessionCookie(req), csrfHeader(req), !SAFE_METHODS.has(req.method));
    switch (result.status) {
      case 'ok':
        return true;
      case 'none':
        return false;
      case 'expired':
        throw new HttpError(401, coded('auth.session_ended'));
      case 'csrf':
        throw new HttpError(403, coded('auth.csrf', { header: CSRF_HEADER }));
    }
  };
}

function clearCookie(req: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: isHttps(req) });
}

export function sessionRoutes(app: FastifyInstance, sessions: SessionStore, token: TokenSource): void {
  const answer = (s: { csrfToken: string; expiresAt: number }) => ({
    csrfToken: s.csrfToken,
    expiresAt: s.expiresAt,
    idleMs: SESSION_IDLE_MS,
  });

  app.post<{ Body: Static<typeof SignInBody> }>(
    '/session',
    {
      schema: {
        tags: TAGS,
        summary: 'Sign in to the web page with the admin token',
        description:
          'Sets the session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) and answers the CSRF token. Failed attempts are rate limited.',
        security: [],
        body: SignInBody,
        response: { 200: SessionSchema, ...ERRORS },
      },
    },
    async (req, reply) => {
      const result = checkBearer(`Bearer ${req.body.token.trim()}`, token.current());
      if (result !== 'ok') throw new HttpError(401, coded('auth.token_invalid'));
      // A new session on every sign-in (never reuse one the browser brought along: session fixation).
      await sessions.remove(sessionCookie(req));
      const s = await sessions.create();
      reply.setCookie(SESSION_COOKIE, s.id, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: isHttps(req),
        maxAge: Math.floor(SESSION_MAX_MS / 1000),
      });
      req.log.info('signed in to the web page');
      return reply.header('cache-control', 'no-store').send(answer(s));
    },
  );

  app.get(
    '/session',
    {
      schema: {
        tags: TAGS,
        summary: 'Whether the web page is signed in, and its CSRF token',
        description: `${COOKIE_NOTE} Without a live session: 200 with signedIn false (a page that loads signed out is not an error).`,
        security: [],
        response: { 200: SessionStateSchema, ...ERRORS },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const s = await sessions.get(sessionCookie(req));
      if (!s) return { signedIn: false };
      return { signedIn: true, ...answer(s) };
    },
  );

  app.delete(
    '/session',
    {
      schema: {
        tags: TAGS,
        summary: 'Sign the web page out',
        description: `${COOKIE_NOTE} And the X-CSRF-Token header.`,
        security: [],
        response: { 204: Type.Null({ description: 'Signed out; the cookie is cleared.' }), ...ERRORS },
      },
    },
    async (req, reply) => {
      const id = sessionCookie(req);
      const result = await sessions.check(id, csrfHeader(req), true);
      if (result.status === 'csrf') throw new HttpError(403, coded('auth.signout_csrf', { header: CSRF_HEADER }));
      clearCookie(req, reply);
      if (result.status !== 'ok') throw new HttpError(401, coded('auth.not_signed_in'));
      await sessions.remove(id);
      return reply.code(204).send();
    },
  );
}
