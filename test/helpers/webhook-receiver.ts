/**
 * A webhook receiver over real HTTP on loopback for the webhook tests: records every request (headers and the raw
 * body) and answers from a script — a status, optional headers and body per request, the last one repeated — or
 * never answers at all (`hang`). Stopped when the test finishes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (a receiver that hangs). */
  hang?: boolean;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Answers for the next requests, in order; the last one stays. */
  answer(...answers: Answer[]): void;
}

export async function startReceiver(handle?: (req: ReceivedRequest) => Answer | undefined): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let script: Answer[] = [{ status: 200 }];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      const answer = handle?.(received) ?? (script.length > 1 ? (script.shift() as Answer) : (script[0] as Answer));
      if (answer.hang) {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer(...answers) {
      script = answers;
    },
  };
}
