import http, { type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { FritzboxCertificateError, FritzboxError } from './errors.js';

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Absolute URL; https connects with TLS and checks the pin instead of a CA. */
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
  /** How the certificate of an https box is checked; ignored for http. */
  pin?: CertificatePin;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * The box's certificate is self-signed, so no CA can vouch for it: its SHA-256 fingerprint is pinned instead. Given
 * (`expected`), another certificate is refused before a byte of the request is sent; not given, the first one seen is
 * trusted and remembered (`seen`) for the caller to store — trust on first use.
 */
export class CertificatePin {
  private learned: string | undefined;

  constructor(expected?: string) {
    if (expected !== undefined) this.learned = normaliseFingerprint(expected);
  }

  /** The pinned fingerprint (given, or learned on first use) as upper-case hex pairs with colons, or undefined. */
  get seen(): string | undefined {
    return this.learned;
  }

  /** Throws FritzboxCertificateError when `actual` is not the pinned one; pins it when none is. */
  check(actual: string): void {
    const a = normaliseFingerprint(actual);
    if (this.learned === undefined) this.learned = a;
    else if (this.learned !== a) throw new FritzboxCertificateError(this.learned, a);
  }
}

const HEX_PAIRS = /^[0-9A-F]{64}$/;

/** `ab:cd:…`, `ABCD…` or `AB CD …` → `AB:CD:…`; throws for anything that is not 32 bytes of hex. */
export function normaliseFingerprint(text: string): string {
  const hex = text.replace(/[\s:]/g, '').toUpperCase();
  if (!HEX_PAIRS.test(hex))
    throw new FritzboxError(`"${text}" is not a SHA-256 fingerprint (64 hex digits, colons allowed)`);
  return hex.match(/../g)!.join(':');
}

/**
 * One HTTP request over a fresh connection, body collected up to maxBytes. For https the TLS handshake completes and
 * the pin is checked before the request is written (our own connection handed to http.request), so a refused
 * certificate never sees the request. The whole exchange must finish within timeoutMs. Rejects with FritzboxError
 * (timeout, too big, network) or FritzboxCertificateError.
 */
export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const { url } = req;
  const secure = url.protocol === 'https:';
  const port = Number(url.port) || (secure ? 443 : 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise<HttpResponse>((resolve, reject) => {
    const fail = (err: unknown): void =>
      reject(
        err instanceof FritzboxError
          ? err
          : new FritzboxError(`request to ${url.origin} failed: ${(err as Error).message}`, { cause: err }),
      );
    let connecting: Duplex | undefined;
    const createConnection = (_opts: unknown, done: (err: Error | null, socket?: Duplex) => void): undefined => {
      if (!secure) {
        done(null, net.connect({ host, port }));
        return undefined;
      }
      const socket = tls.connect({
        host,
        port,
        servername: net.isIP(host) ? undefined : host,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      });
      connecting = socket;
      const onError = (err: Error): void => done(err);
      socket.once('error', onError);
      socket.once('secureConnect', () => {
        socket.off('error', onError);
        try {
          const fingerprint = socket.getPeerCertificate().fingerprint256;
          if (!fingerprint) throw new FritzboxError(`${url.origin} presented no certificate`);
          req.pin?.check(fingerprint);
        } catch (err) {
          socket.destroy();
          done(err as Error);
          return;
        }
        done(null, socket);
      });
      return undefined;
    };
    const request = http.request(
      {
        method: req.method,
        host,
        port,
        path: `${url.pathname}${url.search}`,
        headers: {
          ...req.headers,
          ...(req.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(req.body)) } : {}),
        },
        createConnection: createConnection as unknown as http.RequestOptions['createConnection'],
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let overflow = false;
        res.on('data', (chunk: Buffer) => {
          if (overflow) return;
          size += chunk.length;
          if (size > req.maxBytes) {
            // Rejected here and now: the rest of the body may already be in, and 'end' must not resolve with a part.
            overflow = true;
            fail(new FritzboxError(`the answer from ${url.origin} is larger than ${req.maxBytes} bytes`));
            request.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          if (!overflow) resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on('error', fail);
      },
    );
    // One deadline for everything, the TLS handshake included (a request's own timeout starts with its socket).
    const deadline = setTimeout(() => {
      connecting?.destroy();
      request.destroy(new FritzboxError(`no complete answer from ${url.origin} within ${req.timeoutMs} ms`));
    }, req.timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('error', fail);
    request.end(req.body);
  });
}
