/**
 * Failed sign-ins are rate limited per client address: after AUTH_FAILURES_MAX wrong tokens (bearer or sign-in)
 * within AUTH_FAILURE_WINDOW_MS, every further attempt from that address is answered 429 — without checking the
 * token, or a right guess would still show — until the window has passed. The token has 256 bits, so this is not
 * what keeps it safe; it keeps a script from hammering the API and filling the log.
 *
 * Only failures count (@fastify/rate-limit counts every request, so a busy web page would lock itself out), and
 * only requests that bring credentials are refused: /healthz and the page itself stay reachable. Behind a reverse
 * proxy every client has the proxy's address; a lockout then locks out everyone for the window — acceptable for
 * one admin, and what Fastify's trustProxy would change.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createWindowCounter } from '../limit.js';
import { coded } from '../messages/index.js';
import { HttpError } from './errors.js';

export const AUTH_FAILURES_MAX = 10;
export const AUTH_FAILURE_WINDOW_MS = 60_000;
/** Addresses remembered at once; beyond this the oldest windows are dropped (a spoofed-address flood cannot fill memory). */
const MAX_CLIENTS = 10_000;

export interface AuthLimitOptions {
  max?: number;
  windowMs?: number;
  clock?: () => number;
  /** Called once when an address gets locked out (log it, count it). */
  onLockout?: (address: string) => void;
}

/** Whether a request brings credentials: a bearer header, or the web page's sign-in form. */
function attemptsAuth(req: FastifyRequest): boolean {
  return req.headers.authorization !== undefined || (req.method === 'POST' && req.url.split('?', 1)[0] === '/session');
}

export function authFailureLimit(app: FastifyInstance, options: AuthLimitOptions = {}): void {
  const max = options.max ?? AUTH_FAILURES_MAX;
  const failures = createWindowCounter({
    windowMs: options.windowMs ?? AUTH_FAILURE_WINDOW_MS,
    maxKeys: MAX_CLIENTS,
    ...(options.clock !== undefined && { clock: options.clock }),
  });
  const clock = options.clock ?? Date.now;

  app.addHook('onRequest', async (req, reply) => {
    if (!attemptsAuth(req) || failures.count(req.ip) < max) return;
    const closes = failures.window(req.ip)?.closes ?? clock();
    const seconds = Math.max(1, Math.ceil((closes - clock()) / 1000));
    reply.header('retry-after', String(seconds));
    throw new HttpError(429, coded('auth.too_many', { seconds }));
  });

  app.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode !== 401 || !attemptsAuth(req)) return;
    if (failures.add(req.ip) === max) options.onLockout?.(req.ip);
  });
}
