/**
 * HTTP for the sources, over Node's fetch: one request with retries on 429 and 5xx (exponential backoff with jitter,
 * honouring Retry-After — jobs/backoff.ts) and on network errors, a time limit, and bodies read up to a size cap.
 * A wait longer than MAX_RETRY_WAIT_MS is not slept through here: the request fails with the time the server named,
 * and the sync is scheduled again after it.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { type Backoff, backoffDelay, retryAfterMs } from '../jobs/backoff.js';
import type { SyncEnv } from './types.js';

/** A whole request, body included; a list of some MB arrives in seconds, a stuck server never. */
export const REQUEST_TIMEOUT_MS = 5 * 60_000;
/** Tries per request: enough to ride out a restart of the other side, few enough not to hammer it. */
export const HTTP_ATTEMPTS = 4;
/** Waits 2, 4, 8 s (± jitter) between tries, at most a minute. */
export const HTTP_BACKOFF: Backoff = { baseMs: 2_000, maxMs: 60_000 };
/** A Retry-After longer than this ends the sync instead of holding it (and its lease) for that long. */
export const MAX_RETRY_WAIT_MS = 60_000;

/** The server answered with an error status; `retryAt` when it said (or we decided) when to come back. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly status: number,
    message: string,
    readonly retryAt?: number,
  ) {
    super(message);
  }
}

/** The body is larger than the cap: refused before it fills the memory or the disk. */
export class TooLargeError extends Error {
  override readonly name = 'TooLargeError';
}

export interface RequestOptions {
  signal: AbortSignal;
  /** Told before each wait (progress for a person). */
  onRetry?: (why: string, waitMs: number) => void;
}

function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

function describe(url: string): string {
  const u = new URL(url);
  return `${u.host}${u.pathname}`;
}

/** One request with the retries described above. Answers with any status but 429 and 5xx are returned as they are. */
export async function request(
  env: Pick<SyncEnv, 'clock' | 'fetch' | 'random'>,
  url: string,
  init: RequestInit,
  options: RequestOptions,
): Promise<Response> {
  const { clock, random } = env;
  for (let attempt = 1; ; attempt++) {
    options.signal.throwIfAborted();
    let why: string;
    let waitMs: number;
    try {
      const res = await env.fetch(url, {
        ...init,
        redirect: 'follow',
        signal: AbortSignal.any([options.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
      if (!retryable(res.status)) return res;
      await res.body?.cancel().catch(() => undefined);
      const named = retryAfterMs(res.headers.get('retry-after'), clock.now());
      why = `${describe(url)} answered ${res.status}${named !== undefined ? ` (Retry-After ${Math.round(named / 1000)} s)` : ''}`;
      waitMs = named ?? backoffDelay(attempt, HTTP_BACKOFF, random);
      if (attempt >= HTTP_ATTEMPTS || waitMs > MAX_RETRY_WAIT_MS) {
        throw new HttpStatusError(
          res.status,
          `${why}; gave up after ${attempt} ${attempt === 1 ? 'try' : 'tries'}`,
          clock.now() + waitMs,
        );
      }
    } catch (err) {
      if (err instanceof HttpStatusError || options.signal.aborted) throw err;
      why = `${describe(url)}: ${networkError(err)}`;
      if (attempt >= HTTP_ATTEMPTS) throw new Error(`${why} (gave up after ${attempt} tries)`, { cause: err });
      waitMs = backoffDelay(attempt, HTTP_BACKOFF, random);
    }
    options.onRetry?.(why, waitMs);
    await clock.sleep(waitMs, options.signal);
  }
}

/** What fetch's TypeError("fetch failed") hides in its cause: ECONNREFUSED, ENOTFOUND, a timeout… */
export function networkError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no complete answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/** Fails unless the status is 2xx, naming it and the start of the body (servers explain themselves there). */
export async function expectOk(res: Response, what: string): Promise<void> {
  if (res.ok) return;
  const text = (await res.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
  throw new HttpStatusError(res.status, `${what}: HTTP ${res.status}${text ? ` — ${text}` : ''}`);
}

function checkLength(res: Response, maxBytes: number): void {
  const length = Number(res.headers.get('content-length'));
  if (Number.isFinite(length) && length > maxBytes)
    throw new TooLargeError(`the answer is ${length} bytes, more than the cap of ${maxBytes}`);
}

function capped(maxBytes: number): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      if (total > maxBytes) done(new TooLargeError(`the answer is larger than the cap of ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
}

/** The whole body, at most `maxBytes`. A connection cut short fails here (fetch checks Content-Length). */
export async function readBody(res: Response, maxBytes: number): Promise<Buffer> {
  checkLength(res, maxBytes);
  if (!res.body) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  const sink = capped(maxBytes);
  sink.on('data', (chunk: Buffer) => parts.push(chunk));
  await pipeline(Readable.fromWeb(res.body as WebReadableStream), sink);
  return Buffer.concat(parts);
}

/** The body into `file` (created 0600), at most `maxBytes`; the file is removed when that fails. */
export async function saveBody(res: Response, file: string, maxBytes: number): Promise<number> {
  checkLength(res, maxBytes);
  let total = 0;
  try {
    const counting = capped(maxBytes).on('data', (chunk: Buffer) => (total += chunk.length));
    if (res.body)
      await pipeline(
        Readable.fromWeb(res.body as WebReadableStream),
        counting,
        createWriteStream(file, { mode: 0o600 }),
      );
    else await pipeline(Readable.from([]), createWriteStream(file, { mode: 0o600 }));
    return total;
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
}
