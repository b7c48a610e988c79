/**
 * Security headers on every response of the admin API, the web page's included. A route that sets its own (the page
 * sets a CSP that lets its own scripts run) keeps it; everything else — JSON, CSV, errors, /metrics — is not meant
 * to be rendered or framed by anyone, so the default policy allows nothing at all.
 */
import type { FastifyInstance } from 'fastify';

/** For responses that are data, not documents: no script, no style, no frame, nothing. */
export const DATA_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const DEFAULTS: [string, string][] = [
  ['content-security-policy', DATA_CSP],
  // A JSON answer with a caller's name in it must never be sniffed into HTML.
  ['x-content-type-options', 'nosniff'],
  // frame-ancestors for browsers that predate it.
  ['x-frame-options', 'DENY'],
  // URLs carry phone numbers (/api/v1/explain?number=…); no other site learns them from a Referer.
  ['referrer-policy', 'no-referrer'],
];

export function securityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [name, value] of DEFAULTS) if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });
}
