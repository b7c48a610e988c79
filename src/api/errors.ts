/**
 * The one error handler (fastify/demo style): every error becomes `{ error, code, params, message }` JSON — `code` and
 * `params` name the message in the code table (src/messages), which a client words in its own language; `message` is
 * its English text. 4xx messages say what was wrong and name the field; 5xx are logged in full and answered with
 * `internal error` only. No response ever carries a stack trace.
 */
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from 'fastify';
import { ConfigError } from '../config/env.js';
import { ImportFormatError } from '../import/formats/index.js';
import { ImportRejectedError, ImportUsageError } from '../import/index.js';
import { about, type Coded, coded, render } from '../messages/index.js';
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
  416: 'range_not_satisfiable',
  429: 'too_many_requests',
  500: 'internal',
  503: 'unavailable',
};

export function codeFor(status: number): string {
  return CODES[status] ?? (status >= 500 ? 'internal' : 'bad_request');
}

/**
 * An error meant for the client: its message is shown as is, even for a 503. Give it a message of the code table;
 * a plain sentence is answered with the code `request.refused` and the sentence as its `detail`.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly problem: Coded;
  constructor(
    readonly statusCode: number,
    problem: Coded | string,
    /** Extra fields of the response body (e.g. `rejected` of an import). */
    readonly extra?: Record<string, unknown>,
    /** The English text, when it says more than the problem (a hint on what to send instead). */
    message?: string,
  ) {
    const p = typeof problem === 'string' ? coded('request.refused', { detail: problem }) : problem;
    super(message ?? render(p));
    this.problem = p;
  }
}

export const badRequest = (problem: Coded | string, extra?: Record<string, unknown>) =>
  new HttpError(400, problem, extra);
export const notFound = (problem: Coded | string) => new HttpError(404, problem);
export const conflict = (problem: Coded | string) => new HttpError(409, problem);

/** A refused setting as a message about `field` (default: the setting the error names). */
export function configProblem(err: ConfigError, field: string = err.key): Coded {
  return err.problem
    ? about(err.problem, field)
    : coded('setting.invalid', { field, detail: err.message.slice(err.key.length + 2) });
}

/** The validator's error, with the message of its first part for clients to word (the text names every part). */
class SchemaError extends Error {
  constructor(
    message: string,
    readonly problem: Coded,
  ) {
    super(message);
  }
}

/** One of ajv's errors as a message of the code table. */
function schemaProblem(e: FastifySchemaValidationError, dataVar: string): Coded {
  const field = `${dataVar}${e.instancePath ?? ''}`;
  const params = e.params as Record<string, unknown>;
  const list = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));
  switch (e.keyword) {
    case 'additionalProperties':
      return coded('request.additional_property', { field, property: String(params.additionalProperty) });
    case 'required':
      return coded('request.required', { field, property: String(params.missingProperty) });
    case 'enum':
      return coded('request.one_of', { field, allowed: (params.allowedValues as unknown[]).join(', ') });
    case 'type':
      return coded('request.type', { field, type: list(params.type) });
    case 'maxLength':
      return coded('request.max_length', { field, limit: Number(params.limit) });
    case 'minLength':
      return coded('request.min_length', { field, limit: Number(params.limit) });
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return coded('request.limit', { field, comparison: String(params.comparison), limit: Number(params.limit) });
    case 'pattern':
      return coded('request.pattern', { field, pattern: String(params.pattern) });
    default:
      return coded('request.invalid', { field, detail: e.message ?? 'is not valid' });
  }
}

/**
 * Ajv's errors as one sentence that names the field: `body/number must be string`, `body must NOT have additional
 * property "colour"`, `querystring/kind must be one of allow, block`, `body/number is required`.
 */
export function schemaErrorFormatter(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const problems = errors
    .filter((e) => e.keyword !== 'anyOf' || errors.length === 1)
    .map((e) => schemaProblem(e, dataVar));
  const first = problems[0] ?? coded('request.invalid', { field: dataVar, detail: 'is not valid' });
  return new SchemaError([...new Set(problems.map(render))].join('; '), first);
}

interface Mapped {
  status: number;
  problem: Coded;
  /** The English text, when it is more than the problem's (a validator's several parts, an import's hint). */
  message?: string;
  extra?: Record<string, unknown>;
}

const MIB = 1024 * 1024;

function sizeText(bytes: number): string {
  return bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`;
}

/** What to answer for an error, or undefined for an unexpected one (→ 500, masked). */
function mapError(err: FastifyError, req: FastifyRequest): Mapped | undefined {
  if (err instanceof HttpError)
    return {
      status: err.statusCode,
      problem: err.problem,
      message: err.message,
      ...(err.extra && { extra: err.extra }),
    };
  if (err.validation) {
    const problem = err instanceof SchemaError ? err.problem : coded('request.refused', { detail: err.message });
    return { status: 400, problem, message: err.message };
  }
  if (err instanceof ImportRejectedError) {
    return {
      status: 400,
      problem: err.problem,
      extra: { format: err.format, rejected: err.rejected, rejectedCount: err.count },
    };
  }
  if (err instanceof ImportUsageError) return { status: 400, problem: err.problem };
  if (err instanceof ImportFormatError) return { status: 415, problem: err.problem };
  if (err instanceof ConfigError) return { status: 400, problem: configProblem(err) };
  if (isStoreError(err)) {
    const refused = err.problem ?? coded('store.refused', { detail: err.message });
    switch (err.code) {
      case 'unique':
      case 'conflict':
      case 'foreign-key':
        return { status: 409, problem: refused };
      case 'not-found':
        return { status: 404, problem: refused };
      case 'invalid':
        return { status: 400, problem: refused };
      case 'busy':
        return { status: 503, problem: coded('store.busy') };
      // The service's state, not the request's: 503 with what is wrong, so a person knows to look at the disk.
      case 'readonly':
        return { status: 503, problem: coded('store.readonly') };
      case 'full':
        return { status: 503, problem: coded('store.full') };
      default:
        return undefined;
    }
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, problem: coded('request.body_too_large', { size: sizeText(req.routeOptions.bodyLimit) }) };
    case 'FST_REQ_FILE_TOO_LARGE':
      return { status: 413, problem: coded('request.file_too_large', { size: sizeText(req.routeOptions.bodyLimit) }) };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, problem: coded('request.content_type', { type: req.headers['content-type'] ?? '' }) };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, problem: coded('request.empty_json') };
  }
  // The JSON parser's syntax errors carry status 400 and say where the JSON broke.
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return { status: 400, problem: coded('request.bad_json', { detail: err.message }) };
  }
  const status = err.statusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return { status, problem: coded('request.refused', { detail: err.message }) };
  return undefined;
}

export interface ErrorHandlerOptions {
  /** Counts 5xx answers (the metrics' errors counter). */
  onServerError?: () => void;
  /**
   * A message's `number` (E.164, a prefix with its `*`) as people at home write it: answered beside it as
   * `numberNational`, as everywhere the page reads numbers (national.ts).
   */
  national?: (number: string) => string;
}

export function registerErrorHandlers(app: FastifyInstance, options: ErrorHandlerOptions = {}): void {
  const send = (
    reply: FastifyReply,
    status: number,
    problem: Coded,
    message = render(problem),
    extra?: Record<string, unknown>,
  ): FastifyReply => {
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="callfilter"');
    if (status === 503) reply.header('retry-after', '1');
    const { number } = problem.params;
    const params =
      typeof number === 'string' && number.startsWith('+') && options.national
        ? { ...problem.params, numberNational: options.national(number) }
        : problem.params;
    const body = { error: codeFor(status), code: problem.code, params, message, ...extra };
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  };
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const mapped = mapError(err, req);
    if (mapped && mapped.status < 500) {
      const message = mapped.message ?? render(mapped.problem);
      req.log.info({ status: mapped.status, code: mapped.problem.code, message }, 'request refused');
      return send(reply, mapped.status, mapped.problem, message, mapped.extra);
    }
    options.onServerError?.();
    // Logged with the stack; the client learns nothing about the internals.
    req.log.error({ err }, 'request failed');
    return send(reply, mapped?.status ?? 500, mapped?.problem ?? coded('server.internal'));
  });
  app.setNotFoundHandler((req, reply) =>
    send(reply, 404, coded('request.no_route', { method: req.method, path: req.url.split('?', 1)[0] ?? '' })),
  );
}
