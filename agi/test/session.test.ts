import { Duplex } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  AgiDeadChannelError,
  AgiHangupError,
  AgiProtocolError,
  AgiSession,
  type AgiSessionOptions,
  AgiTimeoutError,
  AgiUnknownCommandError,
  AgiUsageError,
} from 'asterisk-agi';
import { describe, expect, it, vi } from 'vitest';
import { captureLogger, envBlock, once, type RawPeer, rawPeer, sleep } from './helpers.js';

/** A full garbage collection, for tests that a closed session is not kept alive (the flag works for new contexts). */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function started(
  options: AgiSessionOptions = {},
  env = envBlock(),
): Promise<{ peer: RawPeer; session: AgiSession }> {
  const peer = rawPeer();
  const start = AgiSession.start(peer.serverSide, options);
  peer.write(env);
  return { peer, session: await start };
}

describe('environment block', () => {
  it('arrives byte by byte', async () => {
    const peer = rawPeer();
    const start = AgiSession.start(peer.serverSide);
    for (const byte of Buffer.from(envBlock({ agi_calleridname: 'Jürgen Müller' }, ['0309876543']))) {
      peer.write(Buffer.of(byte));
      await new Promise((r) => setImmediate(r));
    }
    const session = await start;
    expect(session.env.calleridname).toBe('Jürgen Müller');
    expect(session.request).toMatchObject({ path: 'screen', args: ['0309876543'] });
    session.close();
  });

  it('arrives with more in the same chunk: env, HANGUP and nothing lost', async () => {
    const peer = rawPeer();
    const start = AgiSession.start(peer.serverSide);
    peer.write(`${envBlock()}HANGUP\n`);
    const session = await start;
    expect(session.dead).toBe(true);
    session.close();
  });

  it('rejects with AgiTimeoutError when incomplete at the deadline, and drops the connection', async () => {
    const { logger, messages } = captureLogger();
    const peer = rawPeer();
    const start = AgiSession.start(peer.serverSide, { envTimeoutMs: 50, logger });
    peer.write('agi_network: yes\n');
    await expect(start).rejects.toBeInstanceOf(AgiTimeoutError);
    await peer.ended;
    expect(messages('warn').join()).toMatch(/no complete environment within 50 ms/);
  });

  it('rejects with AgiProtocolError on a non-AGI peer', async () => {
    const peer = rawPeer();
    const start = AgiSession.start(peer.serverSide);
    peer.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await expect(start).rejects.toBeInstanceOf(AgiProtocolError);
    await peer.ended;
  });

  it('rejects on an oversize env line', async () => {
    const peer = rawPeer();
    const start = AgiSession.start(peer.serverSide, { maxLineBytes: 1024 });
    peer.write(`agi_network: yes\nagi_request: ${'x'.repeat(5000)}`);
    await expect(start).rejects.toThrow(/line longer than 1024 bytes/);
  });

  it('rejects with AgiHangupError when the peer closes mid-block', async () => {
    const peer = rawPeer();
    const start = AgiSession.start(peer.serverSide);
    peer.write('agi_network: yes\nagi_request: agi://h/screen\n');
    peer.asterisk.end();
    await expect(start).rejects.toBeInstanceOf(AgiHangupError);
  });
});

describe('commands', () => {
  it('sends one command at a time and matches replies in order', async () => {
    const { peer, session } = await started();
    const a = session.setVariable('A', 'one two');
    const b = session.getVariable('B');
    expect(await peer.nextLine()).toBe('SET VARIABLE "A" "one two"');
    await sleep(10);
    expect(peer.received).toHaveLength(1); // B waits for A's reply
    peer.write('200 result=1\n');
    expect(await peer.nextLine()).toBe('GET VARIABLE "B"');
    peer.write('200 result=1 (value (with) parens)\n');
    await expect(a).resolves.toMatchObject({ code: 200, result: 1 });
    await expect(b).resolves.toBe('value (with) parens');
    session.close();
  });

  it('getVariable gives undefined for result=0 and "" for an empty value', async () => {
    const { peer, session } = await started();
    const unset = session.getVariable('X');
    await peer.nextLine();
    peer.write('200 result=0\n');
    expect(await unset).toBeUndefined();
    const empty = session.getVariable('Y');
    await peer.nextLine();
    peer.write('200 result=1 ()\n');
    expect(await empty).toBe('');
    session.close();
  });

  it('formats the helpers the way res_agi.c expects', async () => {
    const { peer, session } = await started();
    const calls: [() => Promise<unknown>, string][] = [
      [() => session.exec('Dial', 'PJSIP/100', '30'), 'EXEC "Dial" "PJSIP/100,30"'],
      [() => session.exec('Hangup'), 'EXEC "Hangup"'],
      [() => session.verbose('hi there'), 'VERBOSE "hi there" "1"'],
      [() => session.answer(), 'ANSWER'],
      [() => session.hangup(), 'HANGUP'],
      [() => session.hangup('PJSIP/x-1'), 'HANGUP "PJSIP/x-1"'],
      [() => session.streamFile('beep'), 'STREAM FILE "beep" ""'],
      [() => session.noop(), 'NOOP'],
      [() => session.getFullVariable('${CALLERID(num)}'), 'GET FULL VARIABLE "${CALLERID(num)}"'],
    ];
    for (const [call, line] of calls) {
      const p = call();
      expect(await peer.nextLine()).toBe(line);
      peer.write('200 result=1 (x)\n');
      await p;
    }
    session.close();
  });

  it('rejects 510, 511 and 520 for that command only', async () => {
    const { peer, session } = await started();
    const unknown = session.send('FOO');
    await peer.nextLine();
    peer.write('510 Invalid or unknown command\n');
    await expect(unknown).rejects.toBeInstanceOf(AgiUnknownCommandError);

    const usage = session.send('GET VARIABLE');
    await peer.nextLine();
    peer.write('520-Invalid command syntax.  Proper usage follows:\n');
    peer.write(' Usage: GET VARIABLE <variablename>\n example return code: 200 result=1 (testvariable)\n');
    peer.write('520 End of proper usage.\n');
    const err = await usage.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgiUsageError);
    expect((err as AgiUsageError).usage).toContain('200 result=1 (testvariable)');

    const dead = session.streamFile('x');
    await peer.nextLine();
    peer.write('511 Command Not Permitted on a dead channel or intercepted channel\n');
    await expect(dead).rejects.toBeInstanceOf(AgiDeadChannelError);
    expect(session.dead).toBe(true);

    const still = session.setVariable('A', 'b');
    await peer.nextLine();
    peer.write('200 result=1\n');
    await expect(still).resolves.toMatchObject({ result: 1 });
    expect(session.closed).toBe(false);
    session.close();
  });

  it.each([['a\nb'], ['a\rb'], ['a\0b']])('refuses %j before writing anything', async (value) => {
    const { peer, session } = await started();
    await expect(session.setVariable('A', value)).rejects.toBeInstanceOf(TypeError);
    const next = session.setVariable('B', 'ok');
    expect(await peer.nextLine()).toBe('SET VARIABLE "B" "ok"');
    peer.write('200 result=1\n');
    await next;
    expect(peer.received).toEqual(['SET VARIABLE "B" "ok"']);
    session.close();
  });

  it('refuses a line over 2 KiB before writing anything', async () => {
    const { peer, session } = await started();
    await expect(session.setVariable('A', 'x'.repeat(2100))).rejects.toBeInstanceOf(RangeError);
    await sleep(10);
    expect(peer.received).toEqual([]);
    session.close();
  });
});

describe('HANGUP', () => {
  it('before any command: dead, one event, commands still answered', async () => {
    const { peer, session } = await started();
    const hangup = vi.fn();
    session.on('hangup', hangup);
    peer.write('HANGUP\n');
    await once(session, 'hangup');
    expect(session.dead).toBe(true);
    const p = session.setVariable('A', 'b');
    await peer.nextLine();
    peer.write('200 result=1\n');
    await expect(p).resolves.toMatchObject({ result: 1 });
    expect(hangup).toHaveBeenCalledTimes(1);
    session.close();
  });

  it('during a command (before its reply) is not taken as the reply', async () => {
    const { peer, session } = await started();
    const hangup = vi.fn();
    session.on('hangup', hangup);
    const p = session.getVariable('A');
    await peer.nextLine();
    peer.write('HANGUP\n');
    await sleep(5);
    peer.write('200 result=1 (v)\n');
    await expect(p).resolves.toBe('v');
    expect(hangup).toHaveBeenCalledTimes(1);
    session.close();
  });

  it('in the same chunk as the reply, before or after it, and twice', async () => {
    const { peer, session } = await started();
    const hangup = vi.fn();
    session.on('hangup', hangup);
    const a = session.setVariable('A', '1');
    await peer.nextLine();
    peer.write('HANGUP\n200 result=1\nHANGUP\n');
    await expect(a).resolves.toMatchObject({ result: 1 });
    const b = session.setVariable('B', '2');
    await peer.nextLine();
    peer.write('200 result=1\nHANGUP\n');
    await expect(b).resolves.toMatchObject({ result: 1 });
    await sleep(5);
    expect(hangup).toHaveBeenCalledTimes(1);
    session.close();
  });

  it('after we closed is ignored quietly', async () => {
    const { logger, messages } = captureLogger();
    const { peer, session } = await started({ logger });
    session.close();
    await peer.ended;
    peer.write('HANGUP\n');
    peer.write('HANGUP\n');
    peer.asterisk.end();
    await peer.closed;
    expect(messages('warn')).toEqual([]);
    expect(messages('error')).toEqual([]);
  });
});

describe('ending', () => {
  it('close() is idempotent, ends the stream, rejects pending and queued commands', async () => {
    const { peer, session } = await started();
    const a = session.setVariable('A', '1');
    const b = session.setVariable('B', '2');
    await peer.nextLine();
    const closed = once(session, 'close');
    session.close();
    session.close();
    expect(session.closed).toBe(true);
    await expect(a).rejects.toBeInstanceOf(AgiHangupError);
    await expect(b).rejects.toBeInstanceOf(AgiHangupError);
    await expect(session.setVariable('C', '3')).rejects.toBeInstanceOf(AgiHangupError);
    await peer.ended;
    peer.asterisk.end(); // Asterisk closes its side once it saw ours
    await closed;
  });

  it('once closed, the session can be collected though its stream lives on, and a late error on the stream is harmless', async () => {
    // A closed socket lives on until V8's next full collection: whatever it still points to lives on with it.
    const peer = rawPeer();
    // Nothing of the test may hold the session: not even a settled promise of it.
    const collected = await (async () => {
      const start = AgiSession.start(peer.serverSide);
      peer.write(envBlock());
      const session = await start;
      const closed = once(session, 'close');
      session.close();
      await peer.ended;
      peer.asterisk.end();
      await closed;
      return new WeakRef(session);
    })();
    await sleep(10);
    gc();
    expect(collected.deref()).toBeUndefined();
    expect(peer.serverSide.destroyed || peer.serverSide.writableEnded).toBe(true);
    expect(() => peer.serverSide.emit('error', new Error('late'))).not.toThrow();
  });

  it('un-awaited commands at close do not become unhandled rejections', async () => {
    const { peer, session } = await started();
    void session.setVariable('A', '1');
    void session.setVariable('B', '2');
    await peer.nextLine();
    session.close();
    await peer.ended;
    await sleep(10);
  });

  it('destroys the stream when the peer does not close after our FIN', async () => {
    const { peer, session } = await started({ closeLingerMs: 30 });
    const closed = once(session, 'close');
    session.close();
    await closed;
    expect(peer.serverSide.destroyed).toBe(true);
    // Like a socket whose peer is gone: Asterisk's next write fails.
    peer.write('HANGUP\n');
    await peer.closed;
  });

  it('the peer closing rejects the pending command with AgiHangupError', async () => {
    const { peer, session } = await started();
    const p = session.setVariable('A', '1');
    await peer.nextLine();
    peer.asterisk.end();
    await expect(p).rejects.toBeInstanceOf(AgiHangupError);
    expect(session.closed).toBe(true);
  });

  it('a stream error (EPIPE) is logged at debug, not thrown', async () => {
    const { logger, records } = captureLogger();
    const { peer, session } = await started({ logger });
    const p = session.setVariable('A', '1');
    await peer.nextLine();
    peer.serverSide.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await expect(p).rejects.toBeInstanceOf(AgiHangupError);
    expect(records.find((r) => r.msg === 'AGI connection reset')?.level).toBe('debug');
  });

  it('a reply timeout rejects with AgiTimeoutError and ends the session', async () => {
    const { peer, session } = await started({ replyTimeoutMs: 30 });
    const p = session.getVariable('A');
    await peer.nextLine();
    await expect(p).rejects.toBeInstanceOf(AgiTimeoutError);
    expect(session.closed).toBe(true);
    await peer.ended;
  });

  it('times each command from its own send, and an idle session with no command in flight does not time out', async () => {
    const { peer, session } = await started({ replyTimeoutMs: 60 });
    const first = session.getVariable('A');
    await peer.nextLine();
    peer.write('200 result=1 (x)\n');
    await expect(first).resolves.toBe('x');
    // Longer than the reply timeout with nothing in flight: the session stays open.
    await new Promise((r) => setTimeout(r, 100));
    expect(session.closed).toBe(false);
    const sentAt = Date.now();
    const second = session.getVariable('B');
    await peer.nextLine();
    await expect(second).rejects.toThrow('no reply to GET VARIABLE within 60 ms');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(55);
    expect(session.closed).toBe(true);
    await peer.ended;
  });

  it('the lifetime cap ends the session', async () => {
    const { peer, session } = await started({ maxSessionMs: 40 });
    const p = session.getVariable('A');
    await expect(p).rejects.toBeInstanceOf(AgiTimeoutError);
    expect(session.closed).toBe(true);
    await peer.ended;
  });

  it('a garbage reply rejects with AgiProtocolError and drops the connection', async () => {
    const { peer, session } = await started();
    const p = session.getVariable('A');
    await peer.nextLine();
    peer.write('hello there\n');
    await expect(p).rejects.toBeInstanceOf(AgiProtocolError);
    await peer.ended;
  });

  it('an oversize reply line rejects with AgiProtocolError', async () => {
    const { peer, session } = await started({ maxLineBytes: 100 });
    const p = session.getVariable('A');
    await peer.nextLine();
    peer.write(`200 result=1 (${'x'.repeat(200)})\n`);
    await expect(p).rejects.toThrow(/line longer than 100 bytes/);
  });

  it('a reply nobody asked for is a protocol violation', async () => {
    const { logger, messages } = captureLogger();
    const { peer, session } = await started({ logger });
    peer.write('200 result=1\n');
    await once(session, 'close').catch(() => undefined);
    await peer.ended;
    expect(session.closed).toBe(true);
    expect(messages('warn').join()).toMatch(/reply without a command/);
  });

  it('a throwing hangup listener is logged, not thrown', async () => {
    const { logger, messages } = captureLogger();
    const { peer, session } = await started({ logger });
    session.on('hangup', () => {
      throw new Error('listener bug');
    });
    peer.write('HANGUP\n');
    await sleep(10);
    expect(messages('error').join()).toMatch(/'hangup' listener threw/);
    session.close();
  });

  it('waits for drain before writing the next command (backpressure)', async () => {
    const written: string[] = [];
    const held: (() => void)[] = [];
    const stream = new Duplex({
      writableHighWaterMark: 1,
      read() {},
      write(chunk: Buffer, _enc, cb) {
        written.push(chunk.toString());
        held.push(() => cb());
      },
    });
    const start = AgiSession.start(stream);
    stream.push(envBlock());
    const session = await start;
    const a = session.setVariable('A', '1');
    const b = session.setVariable('B', '2');
    expect(written).toEqual(['SET VARIABLE "A" "1"\n']);
    stream.push('200 result=1\n'); // answered, but our write is still not flushed
    await a;
    await sleep(5);
    expect(written).toHaveLength(1);
    held.shift()?.(); // flushed: 'drain'
    await vi.waitFor(() => expect(written).toHaveLength(2), { timeout: 5_000 });
    held.shift()?.();
    stream.push('200 result=1\n');
    await b;
    session.close();
    stream.destroy();
  });
});
