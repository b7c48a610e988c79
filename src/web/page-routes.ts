/**
 * GET / (the page's HTML shell) and GET /assets/<file> (its scripts, stylesheet and icon). Public: they hold no
 * data, only the code that asks for it with a session. The page runs under a strict Content-Security-Policy — no
 * inline script, no inline style, nothing from another origin — set here on every page response.
 */
// The OpenAPI fields of a route schema (tags, summary, …) come from @fastify/swagger's type augmentation.

import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../api/errors.js';
import { ERRORS } from '../api/schemas.js';
import { coded } from '../messages/index.js';
import type { AssetTable } from './assets.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/** Headers of every page response: CSP, no sniffing, no framing, no referrer to leak a URL with a number in it. */
export function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer');
}

/** The page's languages; the first is the fallback. */
export const LANGUAGES = ['en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The best of LANGUAGES for an Accept-Language header (`de-DE,de;q=0.9,en;q=0.8` → de). */
export function pickLanguage(header: string | undefined): Language {
  let best: { lang: Language; q: number } | undefined;
  for (const part of (header ?? '').split(',').slice(0, 20)) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    const lang = LANGUAGES.find((l) => tag === l || tag.startsWith(`${l}-`));
    if (lang && Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? LANGUAGES[0];
}

/**
 * Assets change only with a new build: the browser may keep them but asks each time whether they are still
 * current (ETag → 304), so an upgrade never runs an old script against a new API.
 */
const ASSET_CACHE = 'no-cache';

function notModified(req: FastifyRequest, etag: string): boolean {
  const header = req.headers['if-none-match'];
  return header?.split(',').some((t) => t.trim() === etag) ?? false;
}

export function pageRoutes(app: FastifyInstance, assets: AssetTable): void {
  app.get(
    '/',
    {
      logLevel: 'warn',
      schema: {
        tags: ['web page'],
        summary: 'The web page (HTML; no token needed: it holds no data and signs in with POST /session)',
        security: [],
        produces: ['text/html'],
        response: { 200: Type.String({ description: 'The HTML shell of the page.' }), ...ERRORS },
      },
    },
    async (req, reply) => {
      pageHeaders(reply).header('cache-control', 'no-store').header('vary', 'accept-language');
      if (assets.problem) {
        req.log.error({ problem: assets.problem }, 'the web page cannot be served');
        return reply.code(503).type('text/plain; charset=utf-8').send(`callfilter: ${assets.problem}\n`);
      }
      const lang = pickLanguage(req.headers['accept-language']);
      return reply
        .type('text/html; charset=utf-8')
        .send(assets.shell.replace('<html lang="en">', `<html lang="${lang}">`));
    },
  );

  app.get<{ Params: { name: string } }>(
    '/assets/:name',
    {
      logLevel: 'warn',
      schema: {
        tags: ['web page'],
        summary: "The page's scripts, stylesheet and icon (no token needed)",
        security: [],
        params: Type.Object({ name: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
        produces: ['text/javascript', 'text/css', 'image/svg+xml'],
        response: {
          200: Type.String({ description: 'The file.' }),
          304: Type.Null({ description: 'Not modified (If-None-Match).' }),
          ...ERRORS,
        },
      },
    },
    async (req, reply) => {
      const asset = assets.get(req.params.name);
      pageHeaders(reply);
      if (!asset) throw notFound(coded('page.no_asset', { name: req.params.name }));
      reply.header('etag', asset.etag).header('cache-control', ASSET_CACHE);
      if (notModified(req, asset.etag)) return reply.code(304).send();
      return reply.type(asset.type).send(asset.body);
    },
  );
}
