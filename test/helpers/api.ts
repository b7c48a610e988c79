import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect, onTestFinished } from 'vitest';
import { type AppOptions, buildApp } from '../../src/api/app.js';
import { type ServiceOptions, startService, type TestService } from './service.js';

/** The token test apps check (CALLFILTER_ADMIN_TOKEN would do the same). */
export const TOKEN = 'test-admin-token-0123456789';

/** What a stack trace line looks like in any body: a response must never carry one. */
export const STACK_LINE = /\n\s+at /;

export interface TestApi extends TestService {
  app: FastifyInstance;
  token: string;
  /** Every route Fastify registered (HEAD routes left out), collected by an onRoute hook. */
  routes: { method: string; url: string }[];
  /** app.inject with the admin token (unless `auth` is false or another header is given); checks for stack traces. */
  inject(options: InjectOptions & { auth?: boolean }): Promise<LightMyRequestResponse>;
  /** An authorised request with a JSON body (if any) and its parsed JSON answer. */
  json<T = Record<string, unknown>>(
    method: string,
    url: string,
    payload?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** Uploads a file as the raw body. */
  upload<T = Record<string, unknown>>(
    url: string,
    body: string | Buffer,
    contentType: string,
  ): Promise<{ status: number; body: T }>;
  /** Listens on 127.0.0.1 with a free port; closed when the test ends. */
  listen(): Promise<string>;
}

/**
 * The real service (temp SQLite file, FastAGI on a free port) plus the admin API app built on the same context —
 * what src/server.ts runs, without an HTTP port. Both are closed when the test ends.
 */
export async function startApi(
  options: ServiceOptions & { token?: string; authLimit?: AppOptions['authLimit'] } = {},
): Promise<TestApi> {
  const svc = await startService(options);
  const token = options.token ?? TOKEN;
  const app = buildApp(svc.ctx, {
    agiListening: svc.agiListening,
    metrics: svc.metrics,
    token,
    ...(options.authLimit && { authLimit: options.authLimit }),
  });
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });
  onTestFinished(() => app.close());
  await app.ready();
  const inject = async ({ auth = true, headers, ...rest }: InjectOptions & { auth?: boolean }) => {
    const res = await app.inject({
      ...rest,
      headers: { ...(auth && { authorization: `Bearer ${token}` }), ...headers },
    });
    expect(res.body, `${rest.method} ${rest.url} answered with a stack trace`).not.toMatch(STACK_LINE);
    return res;
  };
  const parse = <T>(res: LightMyRequestResponse) => ({
    status: res.statusCode,
    body: (res.body ? JSON.parse(res.body) : undefined) as T,
  });
  return {
    ...svc,
    app,
    token,
    routes,
    inject,
    async json<T>(method: string, url: string, payload?: unknown) {
      return parse<T>(
        await inject({
          method: method as InjectOptions['method'],
          url,
          ...(payload !== undefined && { payload: payload as InjectOptions['payload'] }),
        }),
      );
    },
    async upload<T>(url: string, body: string | Buffer, contentType: string) {
      return parse<T>(
        await inject({
          method: url.includes('/entries') ? 'PUT' : 'POST',
          url,
          payload: body,
          headers: { 'content-type': contentType },
        }),
      );
    },
    async listen() {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      return `http://127.0.0.1:${address.port}`;
    },
  };
}

/** A multipart/form-data body with one file part (what a browser's file upload sends). */
export function multipart(
  field: string,
  filename: string,
  content: string | Buffer,
  type = 'application/octet-stream',
) {
  const boundary = '----callfilter-test-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`;
  const payload = Buffer.concat([Buffer.from(head), Buffer.from(content), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
