/**
 * The optional live check of an unknown caller against PhoneBlock (CALLFILTER_PHONEBLOCK_LIVE, off by default: the
 * one exception DESIGN.md makes to "no cloud on the call path"). Only the first PREFIX_HEX hex characters of the
 * SHA-1 of the E.164 number leave the house: PhoneBlock's `GET /check-prefix?sha1=<prefix>` answers every number it
 * knows under that prefix, and the caller is picked out here (k-anonymity; a full SHA-1 of a phone number is
 * reversed by hashing every possible number). An answer is kept a day per number, in bounded memory; a late or
 * failed answer leaves the local decision, and a late one still lands in the memory for the caller's next call.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Config } from '../../config/config.js';
import { type Language, languageOf } from '../../config/language.js';
import type { Logger } from '../../logger.js';
import type { ListHit } from '../../policy/types.js';
import type { Store } from '../../store/index.js';
import { userAgent } from '../../version.js';
import { networkError } from '../http.js';
import { PRODUCTION_URL } from './client.js';
import { ratingLabel } from './ratings.js';

/** PhoneBlock's recommended minimum: 16 bits leave some 3,000 plausible German numbers per prefix. */
export const PREFIX_HEX = 4;
/** An answer is kept this long: PhoneBlock's own clients refresh their lists daily. */
export const LIVE_CACHE_MS = 24 * 60 * 60_000;
/** Numbers remembered at most (about 150 bytes each): more than a busy office takes calls from in a day. */
export const MAX_LIVE_CACHE = 20_000;
/** A late answer is still awaited this long, to be remembered for the caller's next call; then it is given up. */
const LATE_ANSWER_MS = 5_000;
/** The subscription (API key, list, threshold) is read again this often, not on every call. */
const SOURCE_RECHECK_MS = 30_000;
/** An answer listing more numbers than this under one prefix is not one PhoneBlock would give. */
const MAX_PREFIX_NUMBERS = 100_000;

export const LIVE_OUTCOMES = ['hit', 'miss', 'cached', 'late', 'failed', 'no-key'] as const;
export type LiveOutcome = (typeof LIVE_OUTCOMES)[number];

interface Answer {
  at: number;
  votes: number;
  rating?: string;
}

interface Target {
  baseUrl: string;
  token: string;
  list: {
    id: number;
    name: string;
    threshold: number;
    action?: ListHit['action'];
    cause?: number;
    announcement?: string;
    label?: string;
  };
}

export interface LiveCheck {
  /** PhoneBlock's answer for `e164` as a hit of its list, within `budgetMs`; undefined when it knows nothing or is late. Never throws. */
  check(e164: string, budgetMs: number): Promise<ListHit | undefined>;
  /** Only what is remembered: no request (explain asks this). */
  remembered(e164: string): Promise<ListHit | undefined>;
  /** Checks by outcome since start, for /metrics. */
  counts(): { outcome: LiveOutcome; value: number }[];
  /** How many numbers are remembered. */
  readonly size: number;
}

export interface LiveCheckOptions {
  /** Read at each use: the context's store may be reopened (store/file-guard.ts). */
  ctx: {
    readonly store: Store;
    readonly config: Pick<Config, 'language' | 'numbering'>;
    readonly clock: () => number;
    readonly logger: Logger;
  };
  fetch?: typeof fetch;
  /** Numbers remembered at most (MAX_LIVE_CACHE). */
  maxRemembered?: number;
}

/** The upper-case hex SHA-1 of the number, as PhoneBlock hashes it (E.164 with its `+`). */
export function numberHash(e164: string): string {
  return createHash('sha1').update(e164).digest('hex').toUpperCase();
}

/** The caller's votes in a /check-prefix answer `{numbers: [{phone, votes, rating, whiteListed}]}`; 0 when absent. */
export function votesIn(body: unknown, e164: string): { votes: number; rating?: string } {
  const numbers = (body as { numbers?: unknown } | null)?.numbers;
  if (!Array.isArray(numbers) || numbers.length > MAX_PREFIX_NUMBERS)
    throw new Error('PhoneBlock /check-prefix: the answer has no list of numbers');
  for (const n of numbers as { phone?: unknown; votes?: unknown; rating?: unknown; whiteListed?: unknown }[]) {
    if (n?.phone !== e164) continue;
    // Whitelisted in the account's own PhoneBlock settings: the person said this caller is fine.
    if (n.whiteListed === true) return { votes: 0 };
    const votes = typeof n.votes === 'number' && Number.isFinite(n.votes) && n.votes > 0 ? n.votes : 0;
    return typeof n.rating === 'string' ? { votes, rating: n.rating } : { votes };
  }
  return { votes: 0 };
}

export function createLiveCheck(options: LiveCheckOptions): LiveCheck {
  const { ctx } = options;
  const clock = () => ctx.clock();
  const log = ctx.logger.child({ subsystem: 'phoneblock-live' });
  const doFetch = options.fetch ?? globalThis.fetch;
  const cache = new Map<string, Answer>();
  const maxRemembered = options.maxRemembered ?? MAX_LIVE_CACHE;
  const pending = new Map<string, Promise<Answer | undefined>>();
  const counts = new Map<LiveOutcome, number>(LIVE_OUTCOMES.map((o) => [o, 0]));
  const count = (o: LiveOutcome) => counts.set(o, (counts.get(o) ?? 0) + 1);
  let target: { at: number; value: Promise<Target | undefined> } | undefined;

  async function readTarget(): Promise<Target | undefined> {
    const { store } = ctx;
    for (const source of await store.sources.list()) {
      if (source.kind !== 'phoneblock' || !source.hasCredentials || !source.enabled || source.listId === undefined)
        continue;
      const token = (await store.sources.credentials(source.id))?.token;
      const list = await store.lists.get(source.listId);
      if (typeof token !== 'string' || !list?.enabled) continue;
      const baseUrl = (typeof source.settings.url === 'string' ? source.settings.url : PRODUCTION_URL).replace(
        /\/+$/,
        '',
      );
      const { id, name, threshold, action, cause, announcement, label } = list;
      return {
        baseUrl,
        token,
        list: {
          id,
          name,
          threshold,
          ...(action && { action }),
          ...(cause !== undefined && { cause }),
          ...(announcement && { announcement }),
          ...(label && { label }),
        },
      };
    }
    return undefined;
  }

  function currentTarget(): Promise<Target | undefined> {
    const now = clock();
    if (!target || now - target.at >= SOURCE_RECHECK_MS)
      target = { at: now, value: readTarget().catch(() => undefined) };
    return target.value;
  }

  function remember(e164: string, answer: Answer): void {
    cache.delete(e164);
    cache.set(e164, answer);
    // Oldest first in a Map: the first key is the one asked longest ago.
    while (cache.size > maxRemembered) cache.delete(cache.keys().next().value as string);
  }

  function fresh(e164: string): Answer | undefined {
    const answer = cache.get(e164);
    if (answer && clock() - answer.at < LIVE_CACHE_MS) return answer;
    if (answer) cache.delete(e164);
    return undefined;
  }

  const language = (): Language => languageOf(ctx.config);

  function hitOf(e164: string, answer: Answer, t: Target): ListHit | undefined {
    if (answer.votes <= 0) return undefined;
    const label = ratingLabel(answer.rating, language()) ?? t.list.label;
    const { id, name, threshold, action, cause, announcement } = t.list;
    return {
      listId: id,
      listName: name,
      entryId: 0,
      number: e164,
      prefix: false,
      score: answer.votes,
      threshold,
      ...(action && { action }),
      ...(cause !== undefined && { cause }),
      ...(announcement && { announcement }),
      ...(label && { label }),
      live: true,
    };
  }

  /** One request; resolves undefined on any failure (logged without the number: it is the caller's). */
  function ask(e164: string, t: Target): Promise<Answer | undefined> {
    const running = pending.get(e164);
    if (running) return running;
    const request = (async () => {
      try {
        const res = await doFetch(
          `${t.baseUrl}/check-prefix?sha1=${numberHash(e164).slice(0, PREFIX_HEX)}&format=json`,
          {
            headers: { authorization: `Bearer ${t.token}`, 'user-agent': userAgent(), accept: 'application/json' },
            signal: AbortSignal.timeout(LATE_ANSWER_MS),
          },
        );
        if (!res.ok) {
          await res.body?.cancel().catch(() => undefined);
          throw new Error(`PhoneBlock /check-prefix answered ${res.status}`);
        }
        const answer = { at: clock(), ...votesIn(await res.json(), e164) };
        remember(e164, answer);
        return answer;
      } catch (err) {
        count('failed');
        log.warn(
          { error: err instanceof Error && err.message.startsWith('PhoneBlock') ? err.message : networkError(err) },
          'live check failed; the local decision stands',
        );
        return undefined;
      } finally {
        pending.delete(e164);
      }
    })();
    pending.set(e164, request);
    return request;
  }

  return {
    async check(e164, budgetMs) {
      const started = performance.now();
      const t = await currentTarget();
      if (!t) {
        count('no-key');
        return undefined;
      }
      const known = fresh(e164);
      if (known) {
        count('cached');
        return hitOf(e164, known, t);
      }
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), Math.max(0, budgetMs - (performance.now() - started)));
        timer.unref();
      });
      const answer = await Promise.race([ask(e164, t), late]).finally(() => clearTimeout(timer));
      if (answer === 'late') {
        count('late');
        return undefined;
      }
      if (!answer) return undefined;
      count(answer.votes > 0 ? 'hit' : 'miss');
      return hitOf(e164, answer, t);
    },
    async remembered(e164) {
      const known = fresh(e164);
      if (!known) return undefined;
      const t = await currentTarget();
      return t && hitOf(e164, known, t);
    },
    counts: () => LIVE_OUTCOMES.map((outcome) => ({ outcome, value: counts.get(outcome) ?? 0 })),
    get size() {
      return cache.size;
    },
  };
}
