/**
 * The one error handler (fastify/demo style): every error becomes `{ error, message }` JSON. 4xx messages say what
 * was wrong and name the field; 5xx are logged in full and answered with `internal error` only. No response ever
 * carries a stack trace.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { ImportFormatError } from '../import/formats/index.js';
import { ImportRejectedError, ImportUsageError } from '../import/index.js';
import { isStoreError } from '../store/index.js';

/** Short machine-readable codes per status, as the `error` field of every error response. */
const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  500: 'internal',
  503: 'unavailable',
};

export function codeFor(status: number): string {
  return CODES[status] ?? (status >= 500 ? 'internal' : 'bad_request');
}

/** An error meant for the client: its message is shown as is, even for a 503. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    /** Extra fields of the response body (e.g. `rejected` of an import). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, extra?: Record<string, unknown>) => new HttpError(400, message, extra);
export const notFound = (message: string) => new HttpError(404, message);
export const conflict = (message: string) => new HttpError(409, message);

/**
 * Ajv's errors as one sentence that names the field: `body/number must be string`, `body must NOT have additional
 * property "colour"`, `querystring/kind must be one of allow, block`, `body/number is required`.
 */
export function schemaErrorFormatter(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const parts = errors
    .filter((e) => e.keyword !== 'anyOf' || errors.length === 1)
    .map((e) => {
      const path = `${dataVar}${e.instancePath ?? ''}`;
      const params = e.params as Record<string, unknown>;
      switch (e.keyword) {
        case 'additionalProperties':
          return `${path} must NOT have additional property ${JSON.stringify(params.additionalProperty)}`;
        case 'required':
          return `${path}/${String(params.missingProperty)} is required`;
        case 'enum':
          return `${path} must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
        default:
          return `${path} ${e.message ?? 'is not valid'}`;
      }
    });
  return new Error([...new Set(parts)].join('; '));
}

interface Mapped {
  status: number;
  message: string;
  extra?: Record<string, unknown>;
}

const MIB = 1024 * 1024;

function sizeText(bytes: number): string {
  return bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`;
}

/** What to answer for an error, or undefined for an unexpected one (→ 500, masked). */
function mapError(err: FastifyError, req: FastifyRequest): Mapped | undefined {
  if (err instanceof HttpError) return { status: err.statusCode, message: err.message, ...(err.extra && { extra: err.extra }) };
  if (err.validation) return { status: 400, message: err.message };
  if (err instanceof ImportRejectedError) {
    return { status: 400, message: err.message, extra: { format: err.format, rejected: err.rejected, rejectedCount: err.count } };
  }
  if (err instanceof ImportUsageError) return { status: 400, message: err.message };
  if (err instanceof ImportFormatError) return { status: 415, message: err.message };
  if (isStoreError(err)) {
    switch (err.code) {
      case 'unique':
      case 'conflict':
      case 'foreign-key':
        return { status: 409, message: err.message };
      case 'not-found':
        return { status: 404, message: err.message };
      case 'invalid':
        return { status: 400, message: err.message };
      case 'busy':
        return { status: 503, message: 'the database is busy (an import or another process is writing); try again in a moment' };
      // The service's state, not the request's: 503 with what is wrong, so a person knows to look at the disk.
      case 'readonly':
        return { status: 503, message: 'the database cannot be written (the file, its folder or the disk is read-only); nothing was changed' };
      case 'full':
        return { status: 503, message: 'the disk is full; nothing was changed' };
      default:
        return undefined;
    }
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: `the request body is larger than this route's limit of ${sizeText(req.routeOptions.bodyLimit)}` };
    case 'FST_REQ_FILE_TOO_LARGE':
      return { status: 413, message: `the file is larger than the import limit of ${sizeText(req.routeOptions.bodyLimit)} (CALLFILTER_IMPORT_LIMIT_MB)` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: `unsupported content type ${JSON.stringify(req.headers['content-type'] ?? '')}; send application/json` };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: 'body is empty but the content type is application/json' };
  }
  // The JSON parser's syntax errors carry status 400 and say where the JSON broke.
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return { status: 400, message: `body is not valid JSON: ${err.message}` };
  }
  const status = err.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return { status, message: err.message };
  return undefined;
}

export interface ErrorHandlerOptions {
  /** Counts 5xx answers (the metrics' errors counter). */
  onServerError?: () => void;
}

function send(reply: FastifyReply, status: number, message: string, extra?: Record<string, unknown>): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="callfilter"');
  if (status === 503) reply.header('retry-after', '1');
  return reply.code(status).type('application/json; charset=utf-8').send({ error: codeFor(status), message, ...extra });
}

export function registerErrorHandlers(app: FastifyInstance, options: ErrorHandlerOptions = {}): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const mapped = mapError(err, req);
    if (mapped && mapped.status < 500) {
      req.log.info({ status: mapped.status, message: mapped.message }, 'request refused');
      return send(reply, mapped.status, mapped.message, mapped.extra);
    }
    options.onServerError?.();
    // Logged with the stack; the client learns nothing about the internals.
    req.log.error({ err }, 'request failed');
    return send(reply, mapped?.status ?? 500, mapped?.message ?? 'internal error');
  });
  app.setNotFoundHandler((req, reply) => send(reply, 404, `no route ${req.method} ${req.url.split('?', 1)[0]}`));
}
