/**
 * What keeps one peer from starving the others, over real TCP on loopback: the per-address connection cap, the
 * idle limit on an environment that stopped arriving, and the authorize hook.
 */
import net from 'node:net';
import { type AgiSession, AgiTimeoutError } from 'asterisk-agi';
import { duplexPair, fakeCall } from 'asterisk-agi/testing';
import { describe, expect, it, vi } from 'vitest';
import { captureLogger, envBlock, listeningServer, testServer } from './helpers.js';

/** A handler that answers once, then stays busy until released (or until the test ends). */
function holding(): { handler: (s: AgiSession) => Promise<void>; release: () => void } {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    handler: async (s) => {
      await s.setVariable('SERVED', s.env.callerid);
      await gate;
    },
    release: () => release(),
  };
}

/** A raw TCP peer from `localAddress`; resolves once connected, with a promise of the server closing it. */
function rawConnect(port: number, localAddress = '127.0.0.1'): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

describe('per-address connection cap', () => {
  it('drops connections over the cap from one address at once, while another address is still served', async () => {
    const hold = holding();
    const { server, address } = await listeningServer({ maxPerAddress: 2, maxConnections: 10 });
    server.route('screen', hold.handler);
    const rejected: unknown[] = [];
    server.on('rejected', (r) => rejected.push(r));
    const from = (localAddress: string, callerid: string) =>
      fakeCall({ port: address.port, localAddress }, { script: 'screen', env: { callerid } });

    const held = [from('127.0.0.1', 'a1'), from('127.0.0.1', 'a2')];
    await vi.waitFor(() => expect(server.liveSessions).toBe(2), { timeout: 5_000 });
    const over = await from('127.0.0.1', 'a3');
    expect(over).toMatchObject({ closedByServer: true, commands: [] });
    expect(rejected).toEqual([{ reason: 'max-per-address', remoteAddress: '127.0.0.1' }]);

    const other = from('127.0.0.2', 'b1');
    await vi.waitFor(() => expect(server.liveSessions).toBe(3), { timeout: 5_000 });
    hold.release();
    expect((await other).variables).toEqual({ SERVED: 'b1' });
    expect((await Promise.all(held)).map((r) => r.variables.SERVED)).toEqual(['a1', 'a2']);
    // The slots are given back when the connections close: the first address is served again.
    await vi.waitFor(() => expect(server.liveSessions).toBe(0), { timeout: 5_000 });
    expect((await from('127.0.0.1', 'a4')).variables).toEqual({ SERVED: 'a4' });
    expect(rejected).toHaveLength(1);
  });

  it('has no per-address cap unless one is given', async () => {
    const hold = holding();
    const { server, address } = await listeningServer({ maxConnections: 10 });
    server.route('screen', hold.handler);
    const calls = Array.from({ length: 5 }, () => fakeCall({ port: address.port }, { script: 'screen' }));
    await vi.waitFor(() => expect(server.liveSessions).toBe(5), { timeout: 5_000 });
    hold.release();
    expect((await Promise.all(calls)).every((r) => r.variables.SERVED !== undefined)).toBe(true);
  });
});

describe('an environment that stops arriving', () => {
  it('is closed after the idle limit, long before the overall deadline', async () => {
    const { logger, messages } = captureLogger();
    const { server, address } = await listeningServer({ logger, session: { envTimeoutMs: 60_000, envIdleMs: 200 } });
    const errors: unknown[] = [];
    server.on('sessionError', (err) => errors.push(err));
    const block = envBlock();
    const half = await rawConnect(address.port);
    half.socket.write(block.slice(0, block.length / 2));
    const silent = await rawConnect(address.port);
    await Promise.all([half.closed, silent.closed]);
    expect(errors).toHaveLength(2);
    for (const err of errors) expect(err).toBeInstanceOf(AgiTimeoutError);
    expect(messages('warn').join()).toMatch(/environment stalled: no byte for 200 ms/);
  });

  it('is still read when its bytes keep coming within the idle limit', async () => {
    const { server, address } = await listeningServer({ session: { envIdleMs: 200 } });
    server.route('screen', (s) => s.setVariable('OK', 'yes').then(() => undefined));
    const { socket, closed } = await rawConnect(address.port);
    const replies: string[] = [];
    socket.on('data', (chunk: Buffer) => {
      replies.push(chunk.toString());
      socket.write('200 result=1\n');
    });
    const lines = envBlock().split(/(?<=\n)/);
    for (const line of lines) {
      socket.write(line);
      await new Promise((r) => setTimeout(r, 20));
    }
    await closed;
    expect(replies.join('')).toBe('SET VARIABLE "OK" "yes"\n');
  });

  it('is not taken for stalled when the loop was busy while its bytes arrived', async () => {
    const { server, address } = await listeningServer({ session: { envIdleMs: 100 } });
    server.route('screen', (s) => s.setVariable('OK', 'yes').then(() => undefined));
    const { socket, closed } = await rawConnect(address.port);
    let replies = '';
    socket.on('data', (chunk: Buffer) => {
      replies += chunk.toString();
      socket.write('200 result=1\n');
    });
    await vi.waitFor(() => expect(server.liveSessions).toBe(1), { timeout: 5_000 });
    socket.write(envBlock());
    // The server's loop is stuck past the idle limit (a long GC pause, say) with the block waiting in the kernel.
    const until = performance.now() + 300;
    while (performance.now() < until);
    await closed;
    expect(replies).toBe('SET VARIABLE "OK" "yes"\n');
  });
});

describe('authorize hook', () => {
  function keyed(logger = captureLogger().logger) {
    const server = testServer({ logger, authorize: (request) => request.query.get('key') === 'right-key' });
    const handler = vi.fn(async (s: AgiSession) => {
      await s.setVariable('SERVED', 'yes');
    });
    server.route('screen', handler);
    const rejected: unknown[] = [];
    server.on('rejected', (r) => rejected.push(r));
    const call = (script: string) => {
      const [serverSide, asterisk] = duplexPair();
      server.handle(serverSide, '127.0.0.1');
      return fakeCall(asterisk, { script });
    };
    return { handler, rejected, call };
  }

  it('serves a request the hook accepts', async () => {
    const { call, rejected } = keyed();
    expect((await call('screen?key=right-key')).variables).toEqual({ SERVED: 'yes' });
    expect(rejected).toEqual([]);
  });

  it('closes a request the hook refuses without sending a command, and counts it as rejected', async () => {
    const { records, logger } = captureLogger();
    const { call, handler, rejected } = keyed(logger);
    for (const script of ['screen?key=wrong-key', 'screen', 'screen?key=', 'screen?key=right-key-and-more']) {
      expect(await call(script), script).toMatchObject({ closedByServer: true, commands: [], variables: {} });
    }
    expect(handler).not.toHaveBeenCalled();
    expect(rejected).toEqual(Array.from({ length: 4 }, () => ({ reason: 'unauthorized', remoteAddress: '127.0.0.1' })));
    expect(JSON.stringify(records)).not.toContain('wrong-key');
  });

  it('treats a throwing hook as a refusal', async () => {
    const { logger, messages } = captureLogger();
    const server = testServer({
      logger,
      authorize: () => {
        throw new Error('bad hook');
      },
    });
    const handler = vi.fn();
    server.route('screen', handler);
    const [serverSide, asterisk] = duplexPair();
    server.handle(serverSide, '127.0.0.1');
    expect((await fakeCall(asterisk, { script: 'screen' })).commands).toEqual([]);
    expect(handler).not.toHaveBeenCalled();
    expect(messages('error').join()).toMatch(/authorize hook threw/);
  });

  it('logs an unknown script without its query, which may hold a key', async () => {
    const { records, logger } = captureLogger();
    const server = testServer({ logger });
    const [serverSide, asterisk] = duplexPair();
    server.handle(serverSide, '127.0.0.1');
    await fakeCall(asterisk, { script: 'other?key=s3cret-value' });
    expect(records.map((r) => r.msg)).toContain('unknown AGI script; closing');
    expect(JSON.stringify(records)).not.toContain('s3cret-value');
  });
});
