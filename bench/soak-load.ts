/**
 * The soak's traffic, all at fixed rates (open loop: a slow service does not slow the load down):
 * - calls through the fake Asterisk, a realistic mix of callers (unknown, repeat, contact, blocked, spam, withheld,
 *   foreign), each a fresh FastAGI connection as Asterisk makes them;
 * - abuse beside them: garbage connections, half-sent environments held until the deadline, peers that are not
 *   on the allow list;
 * - admin API traffic: reads (/healthz, /metrics, the call log, stats, explain), a wrong token, and an entry
 *   created and deleted — writes while calls are logged.
 */
import http from 'node:http';
import net from 'node:net';
import { fakeCall, seededRandom } from 'asterisk-agi/testing';

export interface SoakNumbers {
  contacts: string[];
  blocked: string[];
  spam: string[];
}

export interface LoadTarget {
  agiPort: number;
  httpUrl: string;
  token: string;
  /** Calls started per second. */
  rate: number;
  numbers: SoakNumbers;
  seed: number;
}

/** What happened since the last take(). */
export interface LoadSample {
  started: number;
  decided: number;
  failOpens: number;
  /** Calls that ended without CALLFILTER_ACTION (refused, cut, timed out): Asterisk would connect them too. */
  undecided: number;
  /** Calls not started because too many were still in flight (the service is not keeping up). */
  skipped: number;
  latenciesMs: number[];
  abusive: number;
  api: number;
  /** API answers that were not what the request deserves (a 5xx, a 200 for a wrong token…). */
  apiUnexpected: number;
  /** Wrong-token guesses answered 429 (the failed sign-in limit at work). */
  apiLimited: number;
}

const MAX_IN_FLIGHT = 200;
const CALL_TIMEOUT_MS = 10_000;

function emptySample(): LoadSample {
  return {
    started: 0,
    decided: 0,
    failOpens: 0,
    undecided: 0,
    skipped: 0,
    latenciesMs: [],
    abusive: 0,
    api: 0,
    apiUnexpected: 0,
    apiLimited: 0,
  };
}

/** Runs `fn` `perSecond` times a second, on schedule (catching up after a late timer), until stop(). */
function every(perSecond: number, fn: () => void): () => void {
  const period = 1000 / perSecond;
  const t0 = performance.now();
  let n = 0;
  let timer: NodeJS.Timeout;
  const tick = () => {
    const due = Math.floor((performance.now() - t0) / period) + 1;
    for (; n < due; n++) fn();
    timer = setTimeout(tick, Math.max(0, t0 + n * period - performance.now()));
  };
  timer = setTimeout(tick, period);
  return () => clearTimeout(timer);
}

export function startLoad(target: LoadTarget) {
  const random = seededRandom(target.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  let sample = emptySample();
  let inFlight = 0;
  const pending = new Set<Promise<unknown>>();
  const recentUnknown: string[] = [];
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  };

  function caller(): { callerid: string; callingpres: string } {
    const r = random();
    const num = (n: string) => ({ callerid: n, callingpres: '0' });
    if (r < 0.55) {
      const n = `+4930${String(1_000_000 + Math.floor(random() * 8_999_999))}`;
      recentUnknown.push(n);
      if (recentUnknown.length > 50) recentUnknown.shift();
      return num(n);
    }
    if (r < 0.65 && recentUnknown.length > 0) return num(pick(recentUnknown));
    if (r < 0.75) return num(pick(target.numbers.contacts));
    if (r < 0.85) return num(pick(target.numbers.blocked));
    if (r < 0.93) return num(pick(target.numbers.spam));
    if (r < 0.97)
      return random() < 0.5
        ? { callerid: 'anonymous', callingpres: '0' }
        : { callerid: '+4930555000', callingpres: '32' };
    return num(`+44207${String(Math.floor(random() * 9_999_999)).padStart(7, '0')}`);
  }

  function call(): void {
    if (inFlight >= MAX_IN_FLIGHT) {
      sample.skipped++;
      return;
    }
    inFlight++;
    sample.started++;
    const t0 = performance.now();
    void track(
      fakeCall(
        { port: target.agiPort },
        { script: 'screen', args: ['+4930999000'], env: caller(), timeoutMs: CALL_TIMEOUT_MS },
      ).then((r) => {
        inFlight--;
        const action = r.variables.CALLFILTER_ACTION;
        if (action === undefined) sample.undecided++;
        else {
          sample.decided++;
          sample.latenciesMs.push(performance.now() - t0);
          if (r.variables.CALLFILTER_REASON === 'fail-open') sample.failOpens++;
        }
      }),
    );
  }

  /** A connection that writes `data` and waits until the server closes it. */
  function abusive(data: string | Buffer, localAddress?: string): void {
    sample.abusive++;
    void track(
      new Promise<void>((resolve) => {
        const s = net.connect({ port: target.agiPort, host: '127.0.0.1', ...(localAddress && { localAddress }) });
        s.on('error', () => {});
        s.once('connect', () => s.write(data));
        s.once('close', () => resolve());
        s.setTimeout(30_000, () => s.destroy());
      }),
    );
  }

  const halfEnv =
    'agi_network: yes\nagi_network_script: screen\nagi_request: agi://127.0.0.1/screen\nagi_callerid: +4930';
  const garbage = () => {
    const b = Buffer.alloc(1 + Math.floor(random() * 300));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(random() * 256);
    return Buffer.concat([b, Buffer.from('\n')]);
  };

  interface ApiRequest {
    method?: string;
    body?: unknown;
    /** Status codes that are right for this request; anything else is counted as unexpected. */
    expect: number[];
    /** The bearer token to send (default: the right one). */
    token?: string;
  }

  async function api(path: string, req: ApiRequest): Promise<unknown> {
    sample.api++;
    const headers: Record<string, string> = { authorization: `Bearer ${req.token ?? target.token}` };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await fetch(`${target.httpUrl}${path}`, {
        method: req.method ?? 'GET',
        headers,
        ...(req.body !== undefined && { body: JSON.stringify(req.body) }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
      if (!req.expect.includes(res.status)) sample.apiUnexpected++;
      return body;
    } catch {
      sample.apiUnexpected++;
      return undefined;
    }
  }

  /**
   * A wrong token from another address (127.0.0.2): an attacker guessing. After AUTH_FAILURES_MAX failures the
   * address gets 429s; the admin on 127.0.0.1 must not notice (fetch cannot bind a local address, http can).
   */
  function guess(): Promise<void> {
    sample.api++;
    return new Promise((resolve) => {
      const url = new URL('/api/v1/entries', target.httpUrl);
      const req = http.get(
        url,
        {
          localAddress: '127.0.0.2',
          headers: { authorization: `Bearer guess-${Math.floor(random() * 1e9)}-abcdefghijklmnop` },
          timeout: 10_000,
        },
        (res) => {
          if (res.statusCode === 429) sample.apiLimited++;
          else if (res.statusCode !== 401) sample.apiUnexpected++;
          res.resume();
          res.once('end', () => resolve());
        },
      );
      req.once('error', () => {
        sample.apiUnexpected++;
        resolve();
      });
      req.once('timeout', () => req.destroy());
    });
  }

  let round = 0;
  const apiRound = async () => {
    switch (round++ % 6) {
      case 0:
        return api('/healthz', { expect: [200] });
      case 1:
        return api('/api/v1/calls?limit=50', { expect: [200] });
      case 2:
        return api('/api/v1/stats', { expect: [200] });
      case 3:
        return api(`/api/v1/explain?number=${encodeURIComponent(pick(target.numbers.spam))}`, { expect: [200] });
      case 4:
        return guess();
      default: {
        const number = `+4940${String(1_000_000 + Math.floor(random() * 8_999_999))}`;
        const made = (await api('/api/v1/entries', {
          method: 'POST',
          body: { number, kind: 'block' },
          expect: [201, 409],
        })) as { id?: number } | undefined;
        if (made?.id !== undefined) await api(`/api/v1/entries/${made.id}`, { method: 'DELETE', expect: [204, 200] });
        return undefined;
      }
    }
  };

  const stops = [
    every(target.rate, call),
    every(2, () => abusive(garbage())),
    every(0.2, () => abusive(halfEnv)),
    every(1, () => abusive('agi_network: yes\n', '127.0.0.2')),
    every(1, () => void track(apiRound())),
  ];

  return {
    take(): LoadSample {
      const s = sample;
      sample = emptySample();
      return s;
    },
    /** Stops starting anything and waits for what is in flight (held abusive connections end at the env deadline). */
    async stop(): Promise<void> {
      for (const stop of stops) stop();
      await Promise.allSettled([...pending]);
    },
    /** Reads the service's /metrics (with the token). */
    metrics: () => api('/metrics', { expect: [200] }) as Promise<string | undefined>,
  };
}
