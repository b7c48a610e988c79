import net from 'node:net';
import { type AgiLogger, LogLimiter } from 'asterisk-agi';
import { describe, expect, it, vi } from 'vitest';
import { LazyChildLogger } from '../src/logger.js';
import { captureLogger, listeningServer } from './helpers.js';

describe('LogLimiter', () => {
  it('writes the first lines of a kind per window, counts the rest, and sums them up when the window ends', () => {
    const { logger, records } = captureLogger();
    const clock = { now: 0 };
    const limiter = new LogLimiter(logger, { burst: 3, windowMs: 1_000, clock: () => clock.now });
    const allowed = Array.from({ length: 10 }, () => limiter.allow('a'));
    expect(allowed).toEqual([true, true, true, false, false, false, false, false, false, false]);
    expect(limiter.allow('b')).toBe(true);
    expect(limiter.suppressed).toEqual({ a: 7, b: 0 });
    clock.now = 1_000;
    expect(limiter.allow('a')).toBe(true);
    expect(records.map((r) => r.msg)).toEqual(['7 more "a" lines were not written (at most 3 per 1 s)']);
    expect(records[0]?.obj).toMatchObject({ kind: 'a', suppressed: 7, sinceMs: 1_000 });
    limiter.flush(true);
  });

  it('flushes the summary on a timer when the flood stops', async () => {
    const { logger, messages } = captureLogger();
    const limiter = new LogLimiter(logger, { burst: 1, windowMs: 50 });
    limiter.allow('x');
    limiter.allow('x');
    await vi.waitFor(
      () => expect(messages('warn')).toEqual(['1 more "x" lines were not written (at most 1 per 0.05 s)']),
      { timeout: 2_000 },
    );
    limiter.flush(true);
  });

  it('limits the wrapped logger by kind and passes other levels through', () => {
    const { logger, messages } = captureLogger();
    const limiter = new LogLimiter(logger, { burst: 1 });
    const log = limiter.wrap(logger, (_obj, msg) => msg ?? '');
    log.warn({}, 'one');
    log.warn({}, 'one');
    log.warn({}, 'two');
    log.error({}, 'err');
    log.error({}, 'err');
    expect(messages()).toEqual(['one', 'two', 'err', 'err']);
    limiter.flush(true);
    expect(messages().at(-1)).toBe('1 more "one" lines were not written (at most 1 per 60 s)');
  });
});

describe('AgiServer under a flood of bad connections', () => {
  it('writes a bounded number of warn lines for rejected and aborted connections, then one summary each', async () => {
    const { logger, messages } = captureLogger();
    const { server, address } = await listeningServer({
      logger,
      allow: (a) => a === '127.0.0.1',
      logLimit: { burst: 5 },
    });
    server.route('screen', () => {});
    const connectAndWrite = (localAddress: string, data: string) =>
      new Promise<void>((resolve) => {
        const s = net.connect({ port: address.port, host: '127.0.0.1', localAddress });
        s.on('error', () => {});
        s.once('connect', () => s.write(data));
        s.once('close', () => resolve());
      });
    await Promise.all(Array.from({ length: 50 }, () => connectAndWrite('127.0.0.2', 'x')));
    await Promise.all(Array.from({ length: 50 }, () => connectAndWrite('127.0.0.1', 'garbage\n')));
    const warns = messages('warn');
    expect(warns.filter((m) => m === 'AGI connection rejected')).toHaveLength(5);
    expect(warns.filter((m) => m.startsWith('AGI session aborted'))).toHaveLength(5);
    await server.close();
    const summaries = messages('warn').filter((m) => m.includes('lines were not written'));
    expect(summaries.sort()).toEqual([
      '45 more "AGI connection rejected (allow)" lines were not written (at most 5 per 60 s)',
      '45 more "AGI session aborted (AgiProtocolError)" lines were not written (at most 5 per 60 s)',
    ]);
  });
});

describe('LazyChildLogger (the per-connection logger)', () => {
  function parent(level: 'info' | 'debug') {
    const lines: { level: string; bindings: object; msg: string | undefined }[] = [];
    let children = 0;
    const order = ['debug', 'info', 'warn', 'error'];
    const make = (bindings: object): AgiLogger => ({
      debug: (_o, msg) => lines.push({ level: 'debug', bindings, msg }),
      info: (_o, msg) => lines.push({ level: 'info', bindings, msg }),
      warn: (_o, msg) => lines.push({ level: 'warn', bindings, msg }),
      error: (_o, msg) => lines.push({ level: 'error', bindings, msg }),
      child: (more) => {
        children++;
        return make({ ...bindings, ...more });
      },
      isLevelEnabled: (l) => order.indexOf(l) >= order.indexOf(level),
    });
    return { root: make({}), lines, children: () => children };
  }

  it('makes the child on the first line written, once, and not for a level that is off', () => {
    const { root, lines, children } = parent('info');
    const log = new LazyChildLogger(root, { remoteAddress: '192.0.2.1' });
    log.debug({}, 'not written');
    expect(children()).toBe(0);
    log.warn({}, 'one');
    log.info({}, 'two');
    expect(children()).toBe(1);
    expect(lines).toEqual([
      { level: 'warn', bindings: { remoteAddress: '192.0.2.1' }, msg: 'one' },
      { level: 'info', bindings: { remoteAddress: '192.0.2.1' }, msg: 'two' },
    ]);
  });

  it('writes debug lines when debug is on, and works with a logger that has no child() or level check', () => {
    const { root, lines } = parent('debug');
    new LazyChildLogger(root, { remoteAddress: '::1' }).debug({}, 'seen');
    expect(lines).toEqual([{ level: 'debug', bindings: { remoteAddress: '::1' }, msg: 'seen' }]);
    const plain: string[] = [];
    const bare: AgiLogger = {
      debug: (_o, m) => plain.push(`d ${m}`),
      info: () => {},
      warn: (_o, m) => plain.push(`w ${m}`),
      error: () => {},
    };
    const log = new LazyChildLogger(bare, { remoteAddress: '::1' });
    log.debug({}, 'a');
    log.warn({}, 'b');
    expect(plain).toEqual(['d a', 'w b']);
  });
});
