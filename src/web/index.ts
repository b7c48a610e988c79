/**
 * The web page, served by the admin API's Fastify app: the page and its files (public), sign-in and sign-out
 * (/session), and the page's own API routes under /api/v1 behind the same token-or-session check as the rest.
 * app.ts calls createWeb() before building its token check (which accepts a session) and registerWeb() once.
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { TokenSource } from '../api/auth.js';
import type { AppContext } from '../context.js';
import type { SessionsRepository } from '../store/index.js';
import type { VoicemailSpool } from '../voicemail/index.js';
import { type AssetTable, loadAssets } from './assets.js';
import { webCallsRoute } from './calls-route.js';
import { type CallEvents, createCallEvents, eventRoutes } from './events.js';
import { pageRoutes } from './page-routes.js';
import { sessionAuth, sessionRoutes } from './session-routes.js';
import { createSessionStore, type SessionStore } from './sessions.js';

export { type CallEvents, createCallEvents } from './events.js';

export interface Web {
  sessions: SessionStore;
  events: CallEvents;
  /** For the API's token check: true when a live session (and CSRF token, for a change) vouches for the request. */
  signedIn: ReturnType<typeof sessionAuth>;
}

export interface WebOptions {
  token: TokenSource;
  /** Where the sessions are kept (the store's). */
  sessions: SessionsRepository;
  /** Fed by the screening handler's onScreened hook; a hub nobody publishes to when left out. */
  events?: CallEvents;
  clock?: () => number;
  /** Asterisk's voicemail spool: the call rows say whether a message is there. */
  voicemail?: VoicemailSpool;
  /** The page's files; default: web/static and dist/web of this installation. */
  assets?: AssetTable;
}

export function createWeb(options: WebOptions): Web & { options: WebOptions } {
  const sessions = createSessionStore({
    repository: options.sessions,
    currentToken: () => options.token.current(),
    ...(options.clock && { clock: options.clock }),
  });
  return { sessions, events: options.events ?? createCallEvents(), signedIn: sessionAuth(sessions), options };
}

/**
 * Registers the cookie parser (on the whole app: the API's check reads the session cookie too), the public page
 * routes and the page's API routes under `prefix`, guarded by `auth`.
 */
export function registerWeb(
  app: FastifyInstance,
  ctx: AppContext,
  web: ReturnType<typeof createWeb>,
  auth: onRequestHookHandler,
  prefix: string,
): void {
  void app.register(cookie);
  const assets = web.options.assets ?? loadAssets();
  if (assets.problem)
    ctx.logger.child({ subsystem: 'http' }).warn({ problem: assets.problem }, 'the web page is not available');
  void app.register(async (page) => {
    pageRoutes(page, assets);
    sessionRoutes(page, web.sessions, web.options.token);
  });
  void app.register(
    async (api) => {
      api.addHook('onRequest', auth);
      webCallsRoute(api, ctx, web.options.voicemail);
      eventRoutes(api, ctx, web.events, web.sessions, web.options.token);
    },
    { prefix },
  );
}
