/**
 * Live calls for the page. The screening handler's onOutcome hook publishes each decided call here; GET
 * /api/v1/events (server-sent events, behind the API's token or session check) streams it, described, to every
 * open page. The hook runs before the AGI answer is sent, so publishing only queues: the rows are read and written
 * to the streams on a later turn of the event loop, after the call has its answer.
 */
import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import { Type } from 'typebox';
import { HttpError } from '../api/errors.js';
import { ERRORS } from '../api/schemas.js';
import { DATA_CSP } from '../api/security-headers.js';
import type { AppContext } from '../context.js';
import type { ScreenOutcome } from '../screen/handler.js';
import { describeCall } from './describe.js';
import type { SessionStore } from './sessions.js';
import { sessionCookie } from './session-routes.js';

/** A comment line this often keeps proxies and NAT from dropping an idle stream, and finds closed ones. */
export const HEARTBEAT_MS = 25_000;
/** Open streams at most: a page or two per person; more is something leaking or someone flooding. */
export const MAX_STREAMS = 32;
/** How long the browser waits before reconnecting a dropped stream (the SSE `retry:` field). */
const RETRY_MS = 3_000;

export interface CallEvents {
  /** The onOutcome hook (ScreenHandlerOptions): never throws, never blocks the call. */
  publish(outcome: ScreenOutcome): void;
  /** Called with each new call-log id; returns the unsubscribe function. */
  subscribe(listener: (callId: number) => void): () => void;
}

export function createCallEvents(): CallEvents {
  const listeners = new Set<(callId: number) => void>();
  return {
    publish(outcome) {
      const { callId } = outcome;
      if (callId === undefined || listeners.size === 0) return;
      setImmediate(() => {
        for (const listener of listeners) {
          try {
            listener(callId);
          } catch {
            // One broken stream must not keep the others from their update.
          }
        }
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

interface Stream {
  res: ServerResponse;
  /** The session cookie it was opened with; undefined when it came with the bearer token. */
  session?: string;
}

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

export function eventRoutes(app: FastifyInstance, ctx: AppContext, events: CallEvents, sessions: SessionStore): void {
  const streams = new Set<Stream>();
  const log = ctx.logger.child({ subsystem: 'web-events' });

  const end = (s: Stream, event?: string) => {
    if (!streams.delete(s)) return;
    if (event) s.res.write(`event: ${event}\ndata: {}\n\n`);
    s.res.end();
  };
  /** A stream of a session that has ended is told so and closed. */
  const alive = (s: Stream) => {
    if (s.session === undefined || sessions.get(s.session, false)) return true;
    end(s, 'signed-out');
    return false;
  };

  const unsubscribe = events.subscribe((callId) => {
    if (streams.size === 0) return;
    const call = ctx.store.calls.get(callId);
    if (!call) return;
    const data = `event: call\nid: ${callId}\ndata: ${JSON.stringify(describeCall(ctx, call))}\n\n`;
    for (const s of streams) if (alive(s)) s.res.write(data);
  });

  const heartbeat = setInterval(() => {
    for (const s of streams) if (alive(s)) s.res.write(': ♥\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  // Open streams would keep close() waiting forever: end them first.
  app.addHook('preClose', async () => {
    clearInterval(heartbeat);
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
          'text/event-stream: an event "call" per screened call, its data the call-log row as JSON (with entry, list and repeat facts); "signed-out" when the session ends. Comment lines every 25 s keep it open.',
        produces: ['text/event-stream'],
        response: { 200: Type.String({ description: 'An endless text/event-stream.' }), ...ERRORS },
      },
    },
    async (req, reply) => {
      if (streams.size >= MAX_STREAMS) throw new HttpError(503, `too many live views are open (at most ${MAX_STREAMS}); close one`);
      const session = req.headers.authorization ? undefined : sessionCookie(req);
      const stream: Stream = { res: openStream(reply), ...(session !== undefined && { session }) };
      streams.add(stream);
      log.info({ streams: streams.size }, 'live view opened');
      req.raw.on('close', () => {
        streams.delete(stream);
        log.info({ streams: streams.size }, 'live view closed');
      });
    },
  );
}
