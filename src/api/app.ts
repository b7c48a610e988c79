/**
 * The admin API as a Fastify instance, built without listening (fastify/demo's app.ts): server.ts listens, tests
 * use app.inject. Everything under /api/v1 needs the admin token; /healthz never does; /metrics unless configured.
 */

import swagger, { type SwaggerOptions } from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  type onRequestHookHandler,
} from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import { stripBidi } from '../labels.js';
import { coded } from '../messages/index.js';
import { nationalNumber, nationalPrefix } from '../numbers/index.js';
import { VoicemailSpool } from '../voicemail/index.js';
import { type CallEvents, createWeb, registerWeb } from '../web/index.js';
import { checkBearer, loadAdminToken, type TokenSource, tokenSource } from './auth.js';
import { type AuthLimitOptions, authFailureLimit } from './auth-limit.js';
import { HttpError, registerErrorHandlers, schemaErrorFormatter } from './errors.js';
import { redactingLogger } from './log-redact.js';
import type { Metrics } from './metrics.js';
import { callActionRoutes } from './routes/call-actions.js';
import { callReportRoutes } from './routes/call-report.js';
import { callsRoutes } from './routes/calls.js';
import { deliveriesRoutes } from './routes/deliveries.js';
import { entriesRoutes } from './routes/entries.js';
import { explainRoutes } from './routes/explain.js';
import { exportRoutes } from './routes/export.js';
import { healthRoutes } from './routes/health.js';
import { importRoutes } from './routes/import.js';
import { listsRoutes, listUploadRoutes } from './routes/lists.js';
import { profilesRoutes } from './routes/profiles.js';
import { settingsRoutes } from './routes/settings.js';
import { type SourceJobs, sourcesRoutes } from './routes/sources.js';
import { statsRoutes } from './routes/stats.js';
import { voicemailRoutes } from './routes/voicemail.js';
import { ERRORS } from './schemas.js';
import { securityHeaders } from './security-headers.js';
import { uploadContext } from './upload.js';

/** JSON bodies are a few hundred bytes (an entry, a profile); 1 MiB leaves room and stops a memory-filling body. */
export const JSON_BODY_LIMIT = 1024 * 1024;
export const API_PREFIX = '/api/v1';

export interface AppOptions {
  /** Whether the FastAGI server is listening (for /healthz). */
  agiListening: () => boolean;
  metrics: Metrics;
  /** The admin token; default: CALLFILTER_ADMIN_TOKEN or the token file (generated if missing). */
  token?: TokenSource | string;
  /** The failed sign-in limit (auth-limit.ts); tests that try many wrong tokens on purpose raise it. */
  authLimit?: AuthLimitOptions;
  /** New calls for the web page's live view; the screening handler's onScreened hook publishes to it. */
  events?: CallEvents;
  /** The service's sources and job runner (src/jobs/service-jobs.ts); without them the routes make their own. */
  jobs?: SourceJobs;
  /** The voicemail spool index (shared with the notifications' follow-up); default: one of its own when configured. */
  voicemail?: VoicemailSpool;
}

function requireToken(source: TokenSource, signedIn?: (req: FastifyRequest) => Promise<boolean>): onRequestHookHandler {
  return async (req) => {
    const result = checkBearer(req.headers.authorization, source.current());
    // The web page sends no token but its session cookie (and, for a change, its CSRF token): see src/web.
    if (result === 'missing' && (await signedIn?.(req))) return;
    if (result === 'missing') {
      throw new HttpError(401, coded('auth.token_needed'));
    }
    if (result === 'invalid') throw new HttpError(401, coded('auth.token_invalid'));
  };
}

const READ_ONLY = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The fields of a JSON body that name someone or say something about them (entries, lists, profiles). */
const TEXT_FIELDS = ['label', 'note', 'name'] as const;

/** Such fields lose their bidi controls before validation, as imported ones do (labels.ts says why). */
async function stripBidiFields(req: FastifyRequest): Promise<void> {
  const body = req.body as Record<string, unknown> | null | undefined;
  if (typeof body !== 'object' || body === null || Buffer.isBuffer(body)) return;
  for (const key of TEXT_FIELDS) {
    const value = body[key];
    if (typeof value === 'string') body[key] = stripBidi(value);
  }
}

const OPENAPI: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'callfilter admin API',
      version: '1.0.0',
      description:
        'Manage the allow and block entries, contacts, spam lists and profiles of callfilter; review and explain calls. Every /api route needs "Authorization: Bearer <admin token>".',
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'The admin token (CALLFILTER_ADMIN_TOKEN, or <data dir>/admin-token).',
        },
      },
    },
    security: [{ bearer: [] }],
    tags: [
      { name: 'entries', description: 'Personal allow and block entries' },
      { name: 'import/export', description: 'Files in and out' },
      { name: 'lists', description: 'Call-centre / spam lists' },
      { name: 'sources', description: 'What keeps lists current: PhoneBlock, lists at URLs' },
      { name: 'notifications', description: 'What was sent to webhooks and by mail, and what is still being tried' },
      { name: 'profiles', description: 'Policy profiles per called number' },
      { name: 'calls', description: 'The call log, explain, statistics' },
      { name: 'settings', description: 'Home country and area code kept in the database' },
      { name: 'health', description: 'Health and metrics' },
      { name: 'meta', description: 'This document' },
      {
        name: 'web page',
        description:
          'The web page, its files and its sign-in (session cookie + X-CSRF-Token instead of the bearer token)',
      },
    ],
  },
};

export function buildApp(ctx: AppContext, options: AppOptions): FastifyInstance {
  const log = ctx.logger.child({ subsystem: 'http' });
  const token =
    typeof options.token === 'string'
      ? { current: () => options.token as string }
      : (options.token ?? tokenSource(loadAdminToken(ctx.config, log), log));
  const dir = ctx.config.notify.voicemailDir;
  const voicemail = options.voicemail ?? (dir === undefined ? undefined : new VoicemailSpool(dir));
  const web = createWeb({
    token,
    sessions: ctx.store.sessions,
    ...(options.events && { events: options.events }),
    ...(voicemail && { voicemail }),
  });
  const auth = requireToken(token, web.signedIn);
  const app = Fastify({
    loggerInstance: redactingLogger(log, token) as FastifyBaseLogger,
    bodyLimit: JSON_BODY_LIMIT,
    // Unknown fields are errors, not silently dropped; query strings are coerced ("7" → 7) as usual.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    schemaErrorFormatter,
    return503OnClosing: true,
  });
  registerErrorHandlers(app, {
    onServerError: () => options.metrics.error('http'),
    national: (n) =>
      n.endsWith('*')
        ? `${nationalPrefix(n.slice(0, -1), ctx.config.numbering)}*`
        : nationalNumber(n, ctx.config.numbering),
  });
  // Root-level hooks: they run for every route, before the token check of the /api plugin.
  securityHeaders(app);
  authFailureLimit(app, {
    onLockout: (address) => log.warn({ address }, 'too many failed sign-ins; refusing this address for a while'),
    ...options.authLimit,
  });

  void app.register(swagger, OPENAPI);
  // The web page: its files and sign-in (public), the cookie parser the token check needs, its live feed.
  registerWeb(app, ctx, web, auth, API_PREFIX);

  void app.register(async (root) => {
    healthRoutes(root, ctx, {
      agiListening: options.agiListening,
      metrics: options.metrics,
      requireToken: ctx.config.http.metricsPublic ? undefined : auth,
    });
  });

  void app.register(
    async (api) => {
      api.addHook('onRequest', auth);
      api.addHook('preValidation', stripBidiFields);
      const { store } = ctx;
      if (store.engine === 'postgres') {
        // A change answered is a change this node screens by (the other nodes within a second): the next call after
        // "saved" never meets the old state here.
        api.addHook('onSend', async (req, reply, payload) => {
          if (!READ_ONLY.has(req.method) && reply.statusCode < 400) await store.settled();
          return payload;
        });
      }
      // JSON only: a text/plain body to a JSON route is a 415, not a string that fails validation.
      api.removeContentTypeParser('text/plain');
      entriesRoutes(api, ctx);
      exportRoutes(api, ctx);
      listsRoutes(api, ctx);
      profilesRoutes(api, ctx);
      callsRoutes(api, ctx);
      callActionRoutes(api, ctx);
      sourcesRoutes(api, ctx, options.jobs);
      callReportRoutes(api, ctx, options.jobs);
      voicemailRoutes(api, ctx, voicemail);
      deliveriesRoutes(api, ctx);
      explainRoutes(api, ctx);
      statsRoutes(api, ctx);
      settingsRoutes(api, ctx);
      api.get(
        '/openapi.json',
        {
          schema: {
            tags: ['meta'],
            summary: 'This API as an OpenAPI 3.1 document',
            response: { 200: Type.Object({}, { additionalProperties: true }), ...ERRORS },
          },
        },
        async () => app.swagger(),
      );
      await api.register(async (uploads) => {
        await uploadContext(uploads, ctx.config.http.importLimitBytes);
        importRoutes(uploads, ctx);
        listUploadRoutes(uploads, ctx);
      });
    },
    { prefix: API_PREFIX },
  );
  return app;
}
