/**
 * PhoneBlock's API over HTTP (haumacher/phoneblock, phoneblock.json; facts in docs/lists.md): the blocklist for the
 * subscription, and the rate and call-report requests the outbox delivers. Every request says who asks
 * (`User-Agent: callfilter/<version> (Node <version>; <platform>)`) and carries the API key as a bearer token.
 */
import { retryAfterMs } from '../../jobs/backoff.js';
import { PermanentDeliveryError, RetryLaterError } from '../../outbox/types.js';
import { userAgent } from '../../version.js';
import { expectOk, HttpStatusError, networkError, type RequestOptions, readBody, request } from '../http.js';
import type { SyncEnv } from '../types.js';
import type { PackedAnswer } from './answer.js';
import { parseAnswer } from './parse.js';
import type { Rating } from './ratings.js';

export const PRODUCTION_URL = 'https://phoneblock.net/phoneblock/api';
/** PhoneBlock's test instance, for trying things out without touching the real community data. */
export const TEST_URL = 'https://phoneblock.net/pb-test/api';
/** PhoneBlock's whole list is some MB of JSON; an answer past this is not a blocklist. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** A single report is one small request; one that takes longer is retried later by the outbox. */
const REPORT_TIMEOUT_MS = 30_000;

export interface PhoneblockClient {
  /** The whole list (`since` undefined) or the changes since a version. */
  blocklist(since: number | undefined, options: RequestOptions): Promise<PackedAnswer & { bytes: number }>;
  rate(phone: string, rating: Rating, comment: string | undefined, signal: AbortSignal): Promise<void>;
  reportCall(phone: string, signal: AbortSignal): Promise<void>;
}

function authFailure(status: number): string | undefined {
  if (status === 401)
    return 'PhoneBlock refused the API key (401): create a new one in your PhoneBlock settings (API keys) and set CALLFILTER_PHONEBLOCK_TOKEN';
  if (status === 403) return 'PhoneBlock says this API key may not do that (403)';
  return undefined;
}

export function createPhoneblockClient(
  env: Pick<SyncEnv, 'clock' | 'fetch' | 'random'>,
  options: { baseUrl: string; token: string },
): PhoneblockClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${options.token}`, 'user-agent': userAgent() };

  /** One try, for the outbox: its own backoff decides about the next one. */
  async function send(path: string, body: unknown, signal: AbortSignal): Promise<void> {
    let res: Response;
    try {
      res = await env.fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', accept: '*/*' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(REPORT_TIMEOUT_MS)]),
      });
    } catch (err) {
      throw new Error(`PhoneBlock ${path}: ${networkError(err)}`, { cause: err });
    }
    await res.body?.cancel().catch(() => undefined);
    if (res.ok) return;
    const why = authFailure(res.status) ?? `PhoneBlock ${path} answered ${res.status}`;
    if (res.status === 429 || res.status === 503) {
      const wait = retryAfterMs(res.headers.get('retry-after'), env.clock.now());
      if (wait !== undefined) throw new RetryLaterError(why, env.clock.now() + wait);
    }
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429)
      throw new PermanentDeliveryError(why);
    throw new Error(why);
  }

  return {
    async blocklist(since, requestOptions) {
      const query = since === undefined ? 'format=json' : `since=${since}&format=json`;
      const res = await request(
        env,
        `${base}/blocklist?${query}`,
        { headers: { ...headers, accept: 'application/json' } },
        requestOptions,
      );
      const auth = authFailure(res.status);
      if (auth) {
        await res.body?.cancel().catch(() => undefined);
        throw new HttpStatusError(res.status, auth);
      }
      await expectOk(res, 'PhoneBlock blocklist');
      const body = await readBody(res, MAX_ANSWER_BYTES);
      return { ...(await parseAnswer(body)), bytes: body.length };
    },
    rate: (phone, rating, comment, signal) => send('/rate', { phone, rating, ...(comment && { comment }) }, signal),
    reportCall: (phone, signal) => send(`/report-call/${encodeURIComponent(phone)}`, undefined, signal),
  };
}
