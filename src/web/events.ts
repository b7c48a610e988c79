/**
 * Live calls for the page. The screening handler's onScreened hook publishes each decided call here; GET
 * /api/v1/events (server-sent events, behind the API's token or session check) streams it, described, to every
 * open page. The hook runs before the AGI answer is sent, so publishing only queues: the rows are read and written
 * to the streams on a later turn of the event loop, after the call has its answer.
 *
 * A stream lives only as long as what let it in: the bearer token it came with (until `callfilter token --rotate`)
 * or its session. And it may fall behind only so far: a client that stops reading is disconnected once
 * MAX_STREAM_BUFFER_BYTES wait for it, rather than held in memory without bound (see there why not dropped events).
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TokenSource } from '../api/auth.js';
import { LangQuery } from '../api/decision-schemas.js';
import { HttpError } from '../api/errors.js';
import { ERRORS } from '../api/schemas.js';
import { DATA_CSP } from '../api/security-headers.js';
import { languageOf } from '../config/language.js';
import type { AppContext } from '../context.js';
import type { Language } from '../explain/index.js';
import { coded } from '../messages/index.js';
import type { Screened } from '../screen/screen-call.js';
import { callDescriber } from './describe.js';
import { sessionCookie } from './session-routes.js';
import type { SessionStore } from './sessions.js';

/** A comment line this often keeps proxies and NAT from dropping an idle stream, and finds closed ones. */
export const HEARTBEAT_MS = 25_000;
/** Open streams at most: a page or two per person; more is something leaking or someone flooding. */
export const MAX_STREAMS = 32;
/** How long the browser waits before reconnecting a dropped stream (the SSE `retry:` field). */
const RETRY_MS = 3_000;
/**
 * How soon a stream notices that its credential is gone (a rotated token, an ended session): one stat of the token
 * file per tick, whatever the number of streams, and one read of each open stream's session.
 */
export const CREDENTIAL_CHECK_MS = 1_000;
/**
 * The most that may wait in memory for one stream (beyond what the kernel's socket buffers hold): a few hundred calls,
 * far more than a page that reads ever lags. A stream past it is disconnected, not given fewer events: a page that
 * silently missed calls would show a log with holes, while a dropped EventSource reconnects by itself (RETRY_MS) and
 * the page reloads the list then. 32 streams × 256 KiB bound the whole at 8 MiB.
 */
export const MAX_STREAM_BUFFER_BYTES = 256 * 1024;

export interface CallEvents {
  /** The onScreened hook (ScreenHandlerOptions): never throws, never blocks the call. */
  publish(outcome: Screened): void;
  /**
   * Calls logged after their call was answered: in a cluster, another node's calls and this node's rows from its
   * spool (PostgresStore.onCallsLogged).
   */
  publishLogged(callIds: readonly number[]): void;
  /** Called with each new call-log id; returns the unsubscribe function. */
  subscribe(listener: (callId: number) => void): () => void;
}

export function createCallEvents(): CallEvents {
  const listeners = new Set<(callId: number) => void>();
  const send = (callIds: readonly number[]) => {
    if (callIds.length === 0 || listeners.size === 0) return;
    setImmediate(() => {
      for (const callId of callIds) {
        for (const listener of listeners) {
          try {
            listener(callId);
          } catch {
            // One broken stream must not keep the others from their update.
          }
        }
      }
    });
  };
  return {
    publish(outcome) {
      if (outcome.callId !== undefined) send([outcome.callId]);
    },
    publishLogged: send,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** What let a stream in: its session cookie, or (a hash of) the bearer token it came with. */
type Credential = { session: string } | { tokenHash: Buffer };

interface Stream {
  res: ServerResponse;
  credential: Credential;
  /** The language the page asked for (`?lang=`): the `why` of each call is worded in it. */
  language: Language;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function openStream(reply: FastifyReply): ServerResponse {
  // Hijacked: Fastify no longer answers and its onSend hooks (the security headers) do not run: set them here.
  reply.hijack();
  const res = reply.raw;
  const headers: Record<string, string | number | string[]> = {
    'content-security-policy': DATA_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v;
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    // nginx buffers responses by default, which would hold every event back.
    'x-accel-buffering': 'no',
  });
  res.write(`retry: ${RETRY_MS}\n\n`);
  return res;
}

export function eventRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  events: CallEvents,
  sessions: SessionStore,
  token: TokenSource,
): void {
  const streams = new Set<Stream>();
  const log = ctx.logger.child({ subsystem: 'web-events' });

  /** Disconnects a stream that stopped reading: destroy(), as end() would wait behind everything it has not read. */
  const cutOff = (s: Stream) => {
    streams.delete(s);
    log.warn({ buffered: s.res.writableLength, streams: streams.size }, 'a live view stopped reading; disconnected it');
    s.res.destroy();
  };
  const end = (s: Stream, event?: string) => {
    if (!streams.has(s)) return;
    if (s.res.writableLength > MAX_STREAM_BUFFER_BYTES) return cutOff(s);
    streams.delete(s);
    if (event) s.res.write(`event: ${event}\ndata: {}\n\n`);
    s.res.end();
  };
  /**
   * A stream whose token was replaced is told so and closed. Whether a session still lives is a store read, made by
   * the credential check every second rather than before every write.
   */
  const alive = (s: Stream, tokenHash: Buffer) => {
    const { credential: c } = s;
    if ('session' in c || timingSafeEqual(c.tokenHash, tokenHash)) return true;
    end(s, 'signed-out');
    return false;
  };
  const sessionAlive = async (s: Stream) => {
    const { credential: c } = s;
    if ('session' in c && (await sessions.get(c.session, false)) === undefined) end(s, 'signed-out');
  };
  /** Writes to every live stream (the text in its language), cutting off the ones too far behind. */
  const send = (textFor: (language: Language) => string) => {
    const tokenHash = sha256(token.current());
    for (const s of streams) {
      if (!alive(s, tokenHash)) continue;
      const text = textFor(s.language);
      if (s.res.writableLength + text.length > MAX_STREAM_BUFFER_BYTES) cutOff(s);
      else s.res.write(text);
    }
  };

  const announce = async (callId: number) => {
    const call = await ctx.store.calls.get(callId);
    if (!call) return;
    const describe = await callDescriber(ctx, call);
    // Described once per language the open streams read, not once per stream.
    const texts = new Map<Language, string>();
    send((language) => {
      let text = texts.get(language);
      if (text === undefined)
        texts.set(language, (text = `event: call\nid: ${callId}\ndata: ${JSON.stringify(describe(language))}\n\n`));
      return text;
    });
  };
  const unsubscribe = events.subscribe((callId) => {
    if (streams.size === 0) return;
    // As a listener that throws: the other streams still get their update, and this one goes without.
    announce(callId).catch(() => undefined);
  });

  const heartbeat = setInterval(() => send(() => ': ♥\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  let checking = false;
  const credentialCheck = setInterval(() => {
    if (streams.size === 0 || checking) return;
    const tokenHash = sha256(token.current());
    const sessionStreams = [...streams].filter((s) => alive(s, tokenHash) && 'session' in s.credential);
    checking = true;
    Promise.all(sessionStreams.map(sessionAlive))
      .catch((err: unknown) => log.warn({ err }, 'could not read the sessions of the live views; they stay open'))
      .finally(() => {
        checking = false;
      });
  }, CREDENTIAL_CHECK_MS);
  credentialCheck.unref();

  // Open streams would keep close() waiting forever: end them first.
  app.addHook('preClose', async () => {
    clearInterval(heartbeat);
    clearInterval(credentialCheck);
    unsubscribe();
    for (const s of [...streams]) end(s);
  });

  app.get(
    '/events',
    {
      logLevel: 'warn',
      schema: {
        tags: ['calls'],
        summary: 'New calls as they are decided (server-sent events)',
        description:
          'text/event-stream: an event "call" per screened call, its data the call-log row as JSON as /web/calls describes it (why in `lang`); "signed-out" when the session ends or the token it came with is replaced. Comment lines every 25 s keep it open. A client that stops reading is disconnected once 256 KiB wait for it.',
        querystring: Type.Object({ lang: Type.Optional(LangQuery) }, { additionalProperties: false }),
        produces: ['text/event-stream'],
        response: { 200: Type.String({ description: 'An endless text/event-stream.' }), ...ERRORS },
      },
    },
    async (req: FastifyRequest<{ Querystring: { lang?: Language } }>, reply) => {
      if (streams.size >= MAX_STREAMS) throw new HttpError(503, coded('live.too_many', { max: MAX_STREAMS }));
      // The API's check let the request in with the bearer token when it sent one, else with its session cookie.
      const session = req.headers.authorization ? undefined : sessionCookie(req);
      const credential: Credential = session !== undefined ? { session } : { tokenHash: sha256(token.current()) };
      const stream: Stream = { res: openStream(reply), credential, language: req.query.lang ?? languageOf(ctx.config) };
      streams.add(stream);
      log.info({ streams: streams.size }, 'live view opened');
      req.raw.on('close', () => {
        streams.delete(stream);
        log.info({ streams: streams.size }, 'live view closed');
      });
    },
  );
}
