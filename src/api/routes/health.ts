/**
 * /healthz (no token: a load balancer or Docker health check has none) and /metrics (token unless
 * CALLFILTER_METRICS_PUBLIC=true, for Prometheus scrapers that cannot send one). Both log only at warn level:
 * they are polled every few seconds.
 */
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { sourcesHealth } from '../../sources/status.js';
import { latestVersion, schemaVersion } from '../../store/index.js';
import type { Metrics } from '../metrics.js';
import { ERRORS } from '../schemas.js';

const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
  db: Type.String({ description: 'ok, or what is wrong with the database.' }),
  agi: Type.String({ description: 'listening, or not listening.' }),
  sources: Type.Optional(Type.String({ description: 'With sources: ok, or the stale ones (no success for 3 days) — still 200, a stale list is not an outage.' })),
});

export interface HealthOptions {
  agiListening: () => boolean;
  metrics: Metrics;
  /** The token check, for /metrics; undefined when the metrics are public. */
  requireToken: onRequestHookHandler | undefined;
}

function dbHealth(ctx: AppContext, expected: number): string {
  try {
    const version = schemaVersion(ctx.store.db);
    return version === expected ? 'ok' : `schema version ${version}, this build expects ${expected}`;
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

export function healthRoutes(app: FastifyInstance, ctx: AppContext, options: HealthOptions): void {
  const expected = latestVersion();

  app.get(
    '/healthz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Is the database reachable and the FastAGI server listening? (no token needed)',
        security: [],
        response: { 200: HealthSchema, 503: HealthSchema, ...ERRORS },
      },
    },
    async (_req, reply) => {
      const db = dbHealth(ctx, expected);
      const agi = options.agiListening() ? 'listening' : 'not listening';
      const ok = db === 'ok' && agi === 'listening';
      const sources = db === 'ok' ? await sourcesHealth(ctx.store, ctx.clock()).catch(() => undefined) : undefined;
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'error', db, agi, ...(sources !== undefined && { sources }) });
    },
  );

  app.get(
    '/metrics',
    {
      logLevel: 'warn',
      ...(options.requireToken && { onRequest: options.requireToken }),
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics',
        description: 'Needs the token unless CALLFILTER_METRICS_PUBLIC=true.',
        ...(options.requireToken === undefined && { security: [] }),
        produces: ['text/plain; version=0.0.4'],
        response: { 200: Type.String({ description: 'Prometheus text format.' }), ...ERRORS },
      },
    },
    async (_req, reply) => reply.type(options.metrics.contentType).send(await options.metrics.text()),
  );
}
