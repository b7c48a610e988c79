/**
 * A local web server publishing list files, as a list's publisher would: ETag and Last-Modified, 304 for a
 * conditional GET that matches, optional Basic or bearer auth. Listens on 127.0.0.1:0; closed when the test ends.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export interface ListServer {
  base: string;
  requests: { path: string; headers: IncomingMessage['headers'] }[];
  /** Publishes `body` at `path` (a new ETag and Last-Modified whenever it changes). */
  publish(path: string, body: string | Buffer, type?: string): void;
  /** The Authorization header every request must carry from now on (undefined: none). */
  requireAuth: string | undefined;
}

export async function startListServer(): Promise<ListServer> {
  const files = new Map<string, { body: Buffer; type: string; etag: string; modified: string }>();
  let tick = Date.UTC(2026, 10, 1);
  const ls: ListServer = {
    base: '',
    requests: [],
    publish(path, body, type = 'text/csv') {
      const buf = Buffer.from(body);
      tick += 60_000;
      files.set(path, {
        body: buf,
        type,
        etag: `"${createHash('sha1').update(buf).digest('hex').slice(0, 16)}"`,
        modified: new Date(tick).toUTCString(),
      });
    },
    requireAuth: undefined,
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    ls.requests.push({ path, headers: req.headers });
    if (ls.requireAuth !== undefined && req.headers.authorization !== ls.requireAuth) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="lists"' }).end('who are you?');
      return;
    }
    const file = files.get(path);
    if (!file) return void res.writeHead(404).end('no such list');
    if (
      req.headers['if-none-match'] === file.etag ||
      (req.headers['if-none-match'] === undefined && req.headers['if-modified-since'] === file.modified)
    ) {
      return void res.writeHead(304, { etag: file.etag, 'last-modified': file.modified }).end();
    }
    res
      .writeHead(200, {
        'content-type': file.type,
        etag: file.etag,
        'last-modified': file.modified,
        'content-length': String(file.body.length),
      })
      .end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  ls.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return ls;
}

/** A CSV list of `count` numbers from +4940… with a header naming phone and score. */
export function csvList(count: number, from = 0): string {
  const lines = ['phone;score'];
  for (let i = from; i < from + count; i++) lines.push(`+49401000${String(i).padStart(5, '0')};${(i % 5) + 1}`);
  return `${lines.join('\n')}\n`;
}
