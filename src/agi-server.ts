import { AgiServer } from 'asterisk-agi';
import type { AppContext } from './context.js';
import { createAllowList } from './net/allow-list.js';
import { createScreenHandler, type ScreenHandlerOptions } from './screen/handler.js';

/** The FastAGI server with callfilter's routes. Built without listening, so tests can drive it over any Duplex. */
export function createAgiServer(ctx: AppContext, options: ScreenHandlerOptions = {}): AgiServer {
  const { agi } = ctx.config;
  const server = new AgiServer({
    logger: ctx.logger.child({ subsystem: 'agi' }),
    maxConnections: agi.maxConnections,
    allow: createAllowList(agi.allow),
    session: {
      // SET VARIABLE is answered at once; a peer silent for 2 s is not a working Asterisk.
      replyTimeoutMs: 2_000,
      // A screening session is a few round trips; anything still open after 30 s is stuck.
      maxSessionMs: 30_000,
    },
  });
  server.route('screen', createScreenHandler(ctx, options));
  return server;
}
