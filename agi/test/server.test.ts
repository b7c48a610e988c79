import net from 'node:net';
import { AgiHangupError, AgiServer, type AgiSession, AgiTimeoutError } from 'asterisk-agi';
import { duplexPair, fakeCall } from 'asterisk-agi/testing';
import { describe, expect, it, vi } from 'vitest';
import { captureLogger, envBlock, listeningServer, once, rawPeer, sleep, testServer } from './helpers.js';

/** A handler that stays busy until released (or until the test ends). */
function blocker(): { handler: (s: AgiSession) => Promise<void>; release: () => void; entered: Promise<void> } {
  let release: () => void = () => {};
  let entered: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const enteredP = new Promise<void>((resolve) => (entered = resolve));
  return {
    handler: async () => {
      entered();
      await gate;
    },
    release: () => release(),
    entered: enteredP,
  };
}

/** Connects over TCP and resolves when the server closes the socket. */
function connectIdle(port: number): Promise<{ socket: net.Socket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.on('error', () => {});
    const closed = new Promise<number>((r) => socket.once('close', () => r(performance.now() - t0)));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

describe('routing', () => {
  it('routes on the script path and closes as soon as the handler is done (in-memory)', async () => {
    const server = testServer();
    const seen: string[] = [];
    server.route('/screen', async (s) => {
      seen.push(s.request.path, s.request.query.get('x') ?? '');
      await s.setVariable('CALLFILTER_ACTION', 'connect');
    });
    const [serverSide, asterisk] = duplexPair();
    server.handle(serverSide, '127.0.0.1');
    const result = await fakeCall(asterisk, { script: 'screen?x=1' });
    expect(seen).toEqual(['screen', '1']);
    expect(result).toMatchObject({
      closedByServer: true,
      variables: { CALLFILTER_ACTION: 'connect' },
      timedOut: false,
    });
    await vi.waitFor(() => expect(server.liveSessions).toBe(0), { timeout: 5_000 });
  });

  it('works over TCP, with the env byte by byte', async () => {
    const { server, address } = await listeningServer();
    server.route('screen', async (s) => {
      await s.setVariable('CALLER', s.env.callerid);
      await s.setVariable('NAME', s.env.calleridname);
    });
    const result = await fakeCall(
      { port: address.port },
      { script: 'screen', byteByByte: true, env: { callerid: '+4930123456', calleridname: 'Jürgen Müller' } },
    );
    expect(result).toMatchObject({
      closedByServer: true,
      agiStatus: 'SUCCESS',
      variables: { CALLER: '+4930123456', NAME: 'Jürgen Müller' },
    });
  });

  it('closes an unknown script cleanly with a log line and an event', async () => {
    const { logger, messages } = captureLogger();
    const { server, address } = await listeningServer({ logger });
    server.route('screen', () => {});
    const unknown = vi.fn();
    server.on('unknownScript', unknown);
    const result = await fakeCall({ port: address.port }, { script: 'other/thing' });
    expect(result).toMatchObject({ closedByServer: true, commands: [] });
    expect(unknown).toHaveBeenCalledWith('other/thing', expect.anything());
    expect(messages('warn')).toContain('unknown AGI script; closing');
  });

  it('catches a throwing handler, logs it, emits sessionError and closes', async () => {
    const { logger, records } = captureLogger();
    const server = testServer({ logger });
    server.route('screen', () => {
      throw new Error('boom');
    });
    const errors: unknown[] = [];
    server.on('sessionError', (err) => errors.push(err));
    const [serverSide, asterisk] = duplexPair();
    server.handle(serverSide);
    const result = await fakeCall(asterisk, { script: 'screen' });
    expect(result.closedByServer).toBe(true);
    expect(errors).toEqual([new Error('boom')]);
    expect(records.find((r) => r.msg === 'AGI handler failed')?.level).toBe('error');
  });

  it('catches a rejecting handler after the caller went away (ECONNRESET swallowed)', async () => {
    const { logger, messages } = captureLogger();
    const { server, address } = await listeningServer({ logger });
    const failures: unknown[] = [];
    let entered: () => void = () => {};
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    server.route('screen', async (s) => {
      entered();
      await sleep(50); // the caller resets the connection meanwhile
      try {
        await s.setVariable('A', '1');
      } catch (err) {
        failures.push(err);
        throw err;
      }
    });
    const socket = net.connect({ port: address.port, host: '127.0.0.1' });
    socket.on('error', () => {});
    socket.write(envBlock());
    await inHandler;
    socket.resetAndDestroy();
    await vi.waitFor(() => expect(failures).toHaveLength(1), { timeout: 5_000 });
    expect(failures[0]).toBeInstanceOf(AgiHangupError);
    await vi.waitFor(() => expect(server.liveSessions).toBe(0), { timeout: 5_000 });
    expect(messages('error')).toEqual([]);
  });

  it('emits session with env and request before the handler runs', async () => {
    const server = testServer();
    server.route('screen', () => {});
    const sessions: AgiSession[] = [];
    server.on('session', (s: AgiSession) => sessions.push(s));
    const [serverSide, asterisk] = duplexPair();
    server.handle(serverSide);
    await fakeCall(asterisk, { script: 'screen', args: ['0309876543'] });
    expect(sessions[0]?.request.args).toEqual(['0309876543']);
  });
});

describe('limits', () => {
  it('closes a client that connects and sends nothing after the env deadline', async () => {
    const { logger, messages } = captureLogger();
    const { address } = await listeningServer({ logger, session: { envTimeoutMs: 100 } });
    const { closed } = await connectIdle(address.port);
    const ms = await closed;
    expect(ms).toBeGreaterThanOrEqual(90);
    expect(ms).toBeLessThan(2000);
    expect(messages('warn').join()).toMatch(/no complete environment within 100 ms/);
  });

  it('drops a connection that sends an oversize line', async () => {
    const { address } = await listeningServer({ session: { maxLineBytes: 4096 } });
    const { socket, closed } = await connectIdle(address.port);
    socket.write(`agi_network: yes\nagi_request: ${'x'.repeat(10_000)}`);
    await closed;
  });

  it('enforces the connection cap', async () => {
    const hold = blocker();
    const { server, address } = await listeningServer({ maxConnections: 2 });
    server.route('screen', hold.handler);
    const rejected: unknown[] = [];
    server.on('rejected', (r) => rejected.push(r));
    const first = fakeCall({ port: address.port }, { script: 'screen' });
    const second = fakeCall({ port: address.port }, { script: 'screen' });
    await vi.waitFor(() => expect(server.liveSessions).toBe(2), { timeout: 5_000 });
    const third = await fakeCall({ port: address.port }, { script: 'screen' });
    expect(third.commands).toEqual([]);
    expect(third.closedByServer).toBe(true);
    expect(rejected).toEqual([{ reason: 'max-connections', remoteAddress: '127.0.0.1' }]);
    hold.release();
    const done = await Promise.all([first, second]);
    expect(done.map((r) => r.closedByServer)).toEqual([true, true]);
  });

  it('applies the allow hook to the remote address', async () => {
    const seen: string[] = [];
    const { server, address } = await listeningServer({ allow: (addr) => (seen.push(addr), false) });
    const handler = vi.fn();
    server.route('screen', handler);
    const rejected = once(server, 'rejected');
    const result = await fakeCall({ port: address.port }, { script: 'screen' });
    expect(await rejected).toEqual({ reason: 'allow', remoteAddress: '127.0.0.1' });
    expect(seen).toEqual(['127.0.0.1']);
    expect(handler).not.toHaveBeenCalled();
    expect(result.commands).toEqual([]);
  });

  it('treats a throwing allow hook as a rejection', async () => {
    const { logger, messages } = captureLogger();
    const server = testServer({
      logger,
      allow: () => {
        throw new Error('bad list');
      },
    });
    const [serverSide, asterisk] = duplexPair();
    server.handle(serverSide, '10.0.0.1');
    const result = await fakeCall(asterisk, { script: 'screen' });
    expect(result.commands).toEqual([]);
    expect(messages('error').join()).toMatch(/allow hook threw/);
  });

  it('applies the per-reply timeout from the server options', async () => {
    const server = testServer({ session: { replyTimeoutMs: 50 } });
    const errors: unknown[] = [];
    server.route('screen', async (s) => {
      await s.getVariable('A').catch((err: unknown) => errors.push(err));
    });
    const peer = rawPeer();
    server.handle(peer.serverSide);
    peer.write(envBlock());
    expect(await peer.nextLine()).toBe('GET VARIABLE "A"');
    await peer.ended;
    await vi.waitFor(() => expect(errors[0]).toBeInstanceOf(AgiTimeoutError), { timeout: 5_000 });
  });
});

describe('close()', () => {
  it('lets live sessions finish within the grace period', async () => {
    const { server, address } = await listeningServer({ closeGraceMs: 5_000 });
    server.route('screen', async (s) => {
      await sleep(50);
      await s.setVariable('DONE', 'yes');
    });
    const call = fakeCall({ port: address.port }, { script: 'screen' });
    await vi.waitFor(() => expect(server.liveSessions).toBe(1), { timeout: 5_000 });
    const t0 = performance.now();
    await server.close();
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect((await call).variables).toEqual({ DONE: 'yes' });
    expect(server.liveSessions).toBe(0);
  });

  it('destroys sessions that outlive the grace period; idempotent; refuses new connections', async () => {
    const hold = blocker();
    const { logger, messages } = captureLogger();
    const { server, address } = await listeningServer({ closeGraceMs: 100, logger });
    server.route('screen', hold.handler);
    const calls = [
      fakeCall({ port: address.port }, { script: 'screen' }),
      fakeCall({ port: address.port }, { script: 'screen' }),
    ];
    await vi.waitFor(() => expect(server.liveSessions).toBe(2), { timeout: 5_000 });
    const t0 = performance.now();
    const closing = server.close();
    expect(server.close()).toBe(closing);
    // In-memory connections handed over while closing are refused.
    const [serverSide, asterisk] = duplexPair();
    server.handle(serverSide);
    expect((await fakeCall(asterisk, { script: 'screen' })).commands).toEqual([]);
    await closing;
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(2_000);
    expect(server.liveSessions).toBe(0);
    const results = await Promise.all(calls);
    expect(results.every((r) => !r.timedOut)).toBe(true);
    expect(messages('warn').join()).toMatch(/destroying sessions/);
    await server.close();
    hold.release();
  });

  it('close() without listen() resolves', async () => {
    const server = new AgiServer();
    await server.close();
    await server.close();
  });

  it('listen() rejects cleanly when the port is taken', async () => {
    const { address } = await listeningServer();
    const other = testServer();
    await expect(other.listen(address.port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
