import net from 'node:net';
import type { AgiSession } from 'asterisk-agi';
import { duplexPair } from 'asterisk-agi/testing';
import { describe, expect, it, vi } from 'vitest';
import { captureLogger, envBlock, listeningServer, randomBytes, rawPeer, seededRandom, testServer } from './helpers.js';

/** Feeds `chunks` into a server over an in-memory pair and waits until the server has let go of it. */
async function feed(server: ReturnType<typeof testServer>, chunks: Buffer[]): Promise<void> {
  const [serverSide, asterisk] = duplexPair();
  asterisk.on('error', () => {});
  asterisk.resume();
  const closed = new Promise<void>((resolve) => serverSide.once('close', () => resolve()));
  server.handle(serverSide, 'fuzz');
  for (const chunk of chunks) if (!asterisk.destroyed && !asterisk.writableEnded) asterisk.write(chunk);
  asterisk.end();
  await closed;
}

function chunked(random: () => number, data: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; ) {
    const n = 1 + Math.floor(random() * 64);
    chunks.push(data.subarray(i, i + n));
    i += n;
  }
  return chunks;
}

describe('garbage', () => {
  it('survives seeded random bytes instead of an environment', async () => {
    const { logger } = captureLogger();
    const server = testServer({ logger, session: { envTimeoutMs: 200, maxLineBytes: 512 } });
    const handler = vi.fn();
    server.route('screen', handler);
    for (let seed = 1; seed <= 100; seed++) {
      const random = seededRandom(seed);
      await feed(server, chunked(random, randomBytes(random, Math.floor(random() * 4096))));
    }
    expect(server.liveSessions).toBe(0);
    expect(handler).not.toHaveBeenCalled();
  });

  it('survives seeded random bytes as replies after a valid environment', async () => {
    const server = testServer({ session: { maxLineBytes: 512, replyTimeoutMs: 200 } });
    const outcomes: string[] = [];
    server.route('screen', async (s: AgiSession) => {
      try {
        await s.setVariable('A', '1');
        await s.getVariable('B');
        outcomes.push('ok');
      } catch (err) {
        outcomes.push((err as Error).name);
      }
    });
    for (let seed = 1; seed <= 100; seed++) {
      const random = seededRandom(1000 + seed);
      const garbage = randomBytes(random, Math.floor(random() * 2048));
      await feed(server, chunked(random, Buffer.concat([Buffer.from(envBlock()), garbage])));
    }
    expect(outcomes).toHaveLength(100);
    expect(server.liveSessions).toBe(0);
  });

  it('survives random bytes over TCP', async () => {
    const { server, address } = await listeningServer({ session: { envTimeoutMs: 200 } });
    server.route('screen', () => {});
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const random = seededRandom(5000 + i);
        const socket = net.connect({ port: address.port, host: '127.0.0.1' });
        socket.on('error', () => {});
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.write(randomBytes(random, 100 + Math.floor(random() * 3000)));
        await closed;
      }),
    );
    await vi.waitFor(() => expect(server.liveSessions).toBe(0), { timeout: 5_000 });
  });

  it('survives a mix of valid lines and garbage between replies', async () => {
    const peer = rawPeer();
    const server = testServer();
    const errors: string[] = [];
    server.route('screen', async (s) => {
      await s.setVariable('A', '1').catch((err: Error) => errors.push(err.name));
    });
    server.handle(peer.serverSide);
    peer.write(envBlock());
    await peer.nextLine();
    peer.write(Buffer.from([0x00, 0xff, 0x0a]));
    await peer.ended;
    expect(errors).toEqual(['AgiProtocolError']);
  });
});
