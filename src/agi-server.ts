import { AgiError, AgiHangupError, type AgiRejectReason, AgiServer, type AgiSessionOptions } from 'asterisk-agi';
import type { AppContext } from './context.js';
import { createKeyCheck } from './net/agi-key.js';
import { createAllowList } from './net/allow-list.js';
import { createScreenHandler, type ScreenHandlerOptions } from './screen/handler.js';

export interface AgiServerOverrides extends ScreenHandlerOptions {
  /** Session limits on top of the service's (tests shorten the environment deadline, for one). */
  session?: AgiSessionOptions;
  /** How long close() lets live sessions finish (the library's CLOSE_GRACE_MS by default). */
  closeGraceMs?: number;
}

/** The FastAGI server with callfilter's routes. Built without listening, so tests can drive it over any Duplex. */
export function createAgiServer(ctx: AppContext, options: AgiServerOverrides = {}): AgiServer {
  const { agi } = ctx.config;
  const { session, closeGraceMs, ...handlerOptions } = options;
  const server = new AgiServer({
    logger: ctx.logger.child({ subsystem: 'agi' }),
    maxConnections: agi.maxConnections,
    maxPerAddress: agi.maxPerAddress,
    allow: createAllowList(agi.allow),
    // Without a secret any key is ignored: a dialplan that sends one keeps working when the secret is removed.
    ...(agi.secret !== undefined && { authorize: createKeyCheck(agi.secret) }),
    ...(closeGraceMs !== undefined && { closeGraceMs }),
    session: {
      // SET VARIABLE is answered at once; a peer silent for 2 s is not a working Asterisk.
      replyTimeoutMs: 2_000,
      // A screening session is a few round trips; anything still open after 30 s is stuck.
      maxSessionMs: 30_000,
      ...session,
    },
  });
  server.route('screen', createScreenHandler(ctx, handlerOptions));
  // Counted for /metrics (allow, max-connections, max-per-address, closing, unauthorized); the server itself logs
  // them (a bounded number of lines per kind, agi/src/log-limit.ts).
  server.on('rejected', (event: { reason: AgiRejectReason }) =>
    ctx.faults.inc('agiRejected', { reason: event.reason }),
  );
  server.on('sessionError', (err: unknown) => {
    // A peer that hung up early is normal; a protocol violation, a silent peer or a failing handler is not.
    if (err instanceof AgiHangupError) return;
    ctx.faults.inc('errors', { source: 'agi', kind: err instanceof AgiError ? err.name : 'handler' });
  });
  return server;
}
