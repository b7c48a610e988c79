/**
 * The admin token must never reach the log (logs are kept and shipped). Headers are not logged, but a client can put
 * the token anywhere a request carries text that is logged: a query string (`?token=…`, a common first try), a
 * path, a body field that an error message repeats. So the HTTP logger replaces the current token wherever it
 * occurs in the fields that hold client text — the request line, refusal messages, errors — with [redacted].
 */

import type { FastifyRequest } from 'fastify';
import pino from 'pino';
import type { Logger } from '../logger.js';
import type { TokenSource } from './auth.js';

const REDACTED = '[redacted]';

export function redactingLogger(log: Logger, token: TokenSource): Logger {
  const scrub = (text: string): string => {
    const t = token.current();
    return t.length > 0 && text.includes(t) ? text.split(t).join(REDACTED) : text;
  };
  return log.child(
    {},
    {
      serializers: {
        // Fastify's request fields, with the URL scrubbed (it is logged with every incoming request).
        req: (req: FastifyRequest) => ({
          method: req.method,
          url: scrub(req.url),
          host: req.host,
          remoteAddress: req.ip,
        }),
        // The error handler's 'request refused' line: 4xx messages repeat what the client sent.
        message: (m: unknown) => (typeof m === 'string' ? scrub(m) : m),
        err: (err: Error) => {
          const out = pino.stdSerializers.err(err);
          out.message = scrub(out.message);
          if (out.stack) out.stack = scrub(out.stack);
          return out;
        },
      },
    },
  );
}
