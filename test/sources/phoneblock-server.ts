/**
 * A local server that behaves as PhoneBlock's documented API does (INTEGRATIONS.md; haumacher/phoneblock
 * phoneblock.json): bearer check with 401 + WWW-Authenticate, `GET /blocklist` full or `?since=<version>` with
 * `votes: 0` for removed numbers, `POST /rate`, `POST /report-call/{phone}` (20 counted per UTC day). Faults are
 * queued per blocklist request: 429 with Retry-After, 5xx, a cut connection, truncated JSON, a shrunken list, a
 * version going backwards, a slow answer. `GET /check-prefix?sha1=<4–40 hex>` answers every listed number whose SHA-1
 * starts so (k-anonymity: the client picks its number out), after `checkDelayMs` or with `checkStatus`. Listens on
 * 127.0.0.1:0; closed when the test ends.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export type Fault =
  | { status: number; retryAfter?: string }
  | { cut: true }
  | { truncated: true }
  | { shrinkTo: number }
  | { versionBack: true }
  | { delayMs: number }
  | { waitFor: Promise<unknown> }
  | { body: string };

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakePhoneblock {
  /** The API base, as CALLFILTER_PHONEBLOCK_URL takes it. */
  url: string;
  token: string;
  version: number;
  requests: SeenRequest[];
  blocklistRequests(): SeenRequest[];
  rated: { phone: string; rating: string; comment?: string }[];
  callReports: string[];
  /** Sets a number's votes (0 removes it), as a new version of the community list. */
  set(phone: string, votes: number, rating?: string): void;
  /** Queues faults for the next blocklist requests, one each. */
  fail(...faults: Fault[]): void;
  /** Answers every rate and report-call request with this status from now on (e.g. 503 while "down"). */
  reportStatus: number;
  checkRequests(): SeenRequest[];
  /** /check-prefix answers this late (a slow line), or with this status. */
  checkDelayMs: number;
  checkStatus: number;
}

export async function startFakePhoneblock(
  options: { token?: string; numbers?: number; firstPhone?: number } = {},
): Promise<FakePhoneblock> {
  const token = options.token ?? 'pb-test-key-0123456789';
  const numbers = new Map<string, { votes: number; rating: string; changed: number }>();
  const faults: Fault[] = [];
  let version = 1;
  const first = options.firstPhone ?? 4930_1000_0000;
  for (let i = 0; i < (options.numbers ?? 0); i++)
    numbers.set(`+${first + i}`, { votes: 4 + (i % 3) * 6, rating: i % 2 ? 'G_FRAUD' : 'E_ADVERTISING', changed: 1 });
  const fake: FakePhoneblock = {
    url: '',
    token,
    get version() {
      return version;
    },
    set version(v) {
      version = v;
    },
    requests: [],
    blocklistRequests: () => fake.requests.filter((r) => r.path.endsWith('/blocklist')),
    rated: [],
    callReports: [],
    set(phone, votes, rating = 'E_ADVERTISING') {
      version++;
      numbers.set(phone, { votes, rating, changed: version });
    },
    fail: (...f) => void faults.push(...f),
    reportStatus: 200,
    checkRequests: () => fake.requests.filter((r) => r.path.endsWith('/check-prefix')),
    checkDelayMs: 0,
    checkStatus: 200,
  };

  function checkPrefix(prefix: string): unknown {
    const under = [...numbers.entries()].filter(
      ([phone, n]) =>
        n.votes > 0 && createHash('sha1').update(phone).digest('hex').toUpperCase().startsWith(prefix.toUpperCase()),
    );
    return {
      numbers: under.map(([phone, n]) => ({
        phone,
        votes: n.votes,
        rating: n.rating,
        whiteListed: false,
        blackListed: false,
        archived: false,
      })),
      range10: [],
      range100: [],
    };
  }

  function blocklist(query: URLSearchParams): unknown {
    const since = query.get('since');
    const items = [...numbers.entries()]
      .filter(([, n]) => (since === null || since === '0' ? n.votes > 0 : n.changed > Number(since)))
      .map(([phone, n]) => ({
        phone,
        votes: n.votes,
        rating: n.votes === 0 ? 'A_LEGITIMATE' : n.rating,
        lastActivity: 1_754_000_000_000,
      }));
    return { numbers: items, version };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, seen: SeenRequest): Promise<void> {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res
        .writeHead(401, { 'www-authenticate': 'Basic realm="PhoneBlock"', 'content-type': 'text/plain' })
        .end('Authentication required');
      return;
    }
    if (req.method === 'GET' && seen.path === '/phoneblock/api/blocklist') {
      const fault = faults.shift();
      if (fault && 'delayMs' in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault && 'waitFor' in fault) await fault.waitFor;
      if (fault && 'status' in fault) {
        res
          .writeHead(fault.status, {
            'content-type': 'text/plain',
            ...(fault.retryAfter !== undefined && { 'retry-after': fault.retryAfter }),
          })
          .end('Slow down');
        return;
      }
      if (fault && 'body' in fault) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(fault.body);
        return;
      }
      let doc = blocklist(seen.query) as { numbers: unknown[]; version: number };
      if (fault && 'shrinkTo' in fault) doc = { ...doc, numbers: doc.numbers.slice(0, fault.shrinkTo) };
      if (fault && 'versionBack' in fault) doc = { ...doc, version: 1 };
      const body = JSON.stringify(doc);
      if (fault && 'cut' in fault) {
        // Headers promise the whole body; the connection ends halfway.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
        res.write(body.slice(0, body.length / 2), () => res.destroy());
        return;
      }
      const sent = fault && 'truncated' in fault ? body.slice(0, Math.floor(body.length / 2)) : body;
      res.writeHead(200, { 'content-type': 'application/json' }).end(sent);
      return;
    }
    if (req.method === 'GET' && seen.path === '/phoneblock/api/check-prefix') {
      if (fake.checkDelayMs > 0) await new Promise((r) => setTimeout(r, fake.checkDelayMs));
      const prefix = seen.query.get('sha1') ?? '';
      if (fake.checkStatus !== 200) return void res.writeHead(fake.checkStatus).end();
      if (!/^[0-9a-fA-F]{4,40}$/.test(prefix))
        return void res.writeHead(400, { 'content-type': 'text/plain' }).end('sha1 must be 4 to 40 hex characters');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(checkPrefix(prefix)));
      return;
    }
    if (req.method === 'POST' && seen.path === '/phoneblock/api/rate') {
      if (fake.reportStatus !== 200) return void res.writeHead(fake.reportStatus).end();
      fake.rated.push(JSON.parse(seen.body) as FakePhoneblock['rated'][number]);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('Rating recorded.');
      return;
    }
    const report = /^\/phoneblock\/api\/report-call\/(.+)$/.exec(seen.path);
    if (req.method === 'POST' && report) {
      if (fake.reportStatus !== 200) return void res.writeHead(fake.reportStatus).end();
      fake.callReports.push(decodeURIComponent(report[1] as string));
      res.writeHead(204).end();
      return;
    }
    res.writeHead(404).end();
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const seen: SeenRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      fake.requests.push(seen);
      handle(req, res, seen).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/phoneblock/api`;
  return fake;
}
