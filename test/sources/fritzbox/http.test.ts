import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FritzboxClient, FritzboxError } from '../../../src/sources/fritzbox/index.js';

describe('FritzboxClient deadlines', () => {
  it('gives up on a box that accepts the connection and never answers', async () => {
    const server = http.createServer(() => {}); // never responds
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    onTestFinished(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const box = new FritzboxClient({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      username: 'u',
      password: 'p',
      soapTimeoutMs: 50,
    });
    const err = await box.listPhonebooks().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FritzboxError);
    expect((err as Error).message).toMatch(/no complete answer from http:\/\/127\.0\.0\.1:\d+ within 50 ms/);
  });

  it('reports a box that is not there', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const err = await new FritzboxClient({ url: `http://127.0.0.1:${port}`, username: 'u', password: 'p' })
      .listPhonebooks()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FritzboxError);
    expect((err as Error).message).toContain('ECONNREFUSED');
  });
});
