/**
 * /healthz (no token: a load balancer or Docker health check has none) and /metrics (token unless
 * CALLFILTER_METRICS_PUBLIC=true, for Prometheus scrapers that cannot send one). Both log only at warn level:
 * they are polled every few seconds.
 */
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { sourcesHealth } from '../../sources/status.js';
import { isStoreError, latestVersion, schemaVersion } from '../../store/index.js';
import type { Metrics } from '../metrics.js';
import { ERRORS } from '../schemas.js';

const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
  db: Type.String({
    description:
      'ok; degraded: … (a cluster node while PostgreSQL is away: calls are decided from its copy, their rows wait in its spool; still 200); or what is wrong with the database (not the expected schema, or a call-log row could not be written now).',
  }),
  agi: Type.String({ description: 'listening, or not listening.' }),
  sources: Type.Optional(
    Type.String({
      description:
        'With sources: ok, or the stale ones (no success for 3 days) — still 200, a stale list is not an outage.',
    }),
  ),
});

export interface HealthOptions {
  agiListening: () => boolean;
  metrics: Metrics;
  /** The token check, for /metrics; undefined when the metrics are public. */
  requireToken: onRequestHookHandler | undefined;
}

/**
 * A call-log write that succeeded this recently answers for the database: a Docker or systemd health check polls
 * every 10–30 s, and on a busy line the calls themselves keep proving it, so no probe is needed.
 */
export const WRITE_FRESH_MS = 15_000;
/**
 * After a failed write or probe, the next probe waits this long: /healthz needs no token, and a flood of requests
 * must not become a flood of commits.
 */
export const PROBE_INTERVAL_MS = 1_000;

/**
 * What a call needs: the schema this build expects, and a call-log row that can be committed. Proven by the last
 * call-path write when it is recent and succeeded, else by a probe write that leaves no trace (Database.probeWrite).
 */
async function dbHealth(ctx: AppContext, expected: number): Promise<string> {
  if (ctx.store.engine === 'postgres') return ctx.store.health();
  try {
    const { db } = ctx.store;
    const version = schemaVersion(db);
    if (version !== expected) return `schema version ${version}, this build expects ${expected}`;
    const last = db.lastCallPathWrite;
    const age = last === undefined ? Infinity : performance.now() - last.at;
    if (last !== undefined && last.error === undefined && age < WRITE_FRESH_MS) return 'ok';
    if (last?.error !== undefined && age < PROBE_INTERVAL_MS) return notWritable(last.error);
    db.probeWrite();
    return 'ok';
  } catch (err) {
    return isStoreError(err) && err.code !== 'closed' ? notWritable(err) : `error: ${(err as Error).message}`;
  }
}

const notWritable = (err: Error) => `error: a call cannot be logged (every call fails open): ${err.message}`;

export function healthRoutes(app: FastifyInstance, ctx: AppContext, options: HealthOptions): void {
  const expected = latestVersion();

  app.get(
    '/healthz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Can a call be screened and logged now, and is the FastAGI server listening? (no token needed)',
        security: [],
        response: { 200: HealthSchema, 503: HealthSchema, ...ERRORS },
      },
    },
    async (_req, reply) => {
      const db = await dbHealth(ctx, expected);
      const agi = options.agiListening() ? 'listening' : 'not listening';
      // Degraded (a cluster node while PostgreSQL is away) still screens and logs every call: not a reason to restart it.
      const screens = db === 'ok' || db.startsWith('degraded');
      const ok = screens && agi === 'listening';
      const sources = db === 'ok' ? await sourcesHealth(ctx.store, ctx.clock()).catch(() => undefined) : undefined;
      return reply
        .code(ok ? 200 : 503)
        .send({ status: ok ? 'ok' : 'error', db, agi, ...(sources !== undefined && { sources }) });
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
