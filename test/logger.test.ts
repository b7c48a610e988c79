/**
 * The stdout logger (src/logger.ts) writes in batches: a line must still show up soon while the process runs, and
 * none may be lost when it exits right after logging. Child processes with the compiled logger (npm test builds
 * first), stdout a real pipe.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const LOGGER = fileURLToPath(new URL('../dist/src/logger.js', import.meta.url));

/** Runs `body` in a child with `log` = createLogger('info'); resolves with its stdout lines (JSON) as they come. */
function child(body: string) {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)}; const log = createLogger('info'); ${body}`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
  const lines = () =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; n?: number });
  return { proc, exited, lines };
}

beforeAll(() => {
  if (!existsSync(LOGGER)) throw new Error('dist/ is missing: run npm run build first');
});

describe('the stdout logger', () => {
  it('writes a lone line within a fraction of a second while the process keeps running', async () => {
    const c = child(`log.info('one call'); setInterval(() => {}, 1000);`);
    try {
      const started = Date.now();
      while (c.lines().length === 0 && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 10));
      expect(c.lines()).toMatchObject([{ msg: 'one call', service: 'callfilter' }]);
      // Batched for at most 100 ms; a generous bound for a loaded machine, still far from "only at exit".
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      c.proc.kill();
      await c.exited;
    }
  });

  it('writes every line soon while writes overlap (bursts over the batch size, then a lone line), the process still running', async () => {
    // 30 rounds: a burst that is written at once (over 4 KiB), then one short line, then a pause of 0–120 ms — so a
    // timer tick lands while a write is in flight. Every line must appear without the process exiting.
    const c = child(`
      let n = 0;
      for (let round = 0; round < 30; round++) {
        for (let i = 0; i < 40; i++) log.info({ n: n++, pad: 'x'.repeat(100) }, 'burst');
        log.info({ n: n++ }, 'lone');
        await new Promise((r) => setTimeout(r, (round * 37) % 120));
      }
      setInterval(() => {}, 1000);`);
    try {
      const started = Date.now();
      while (c.lines().length < 30 * 41 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
      expect(c.lines().map((l) => l.n)).toEqual(Array.from({ length: 30 * 41 }, (_, n) => n));
    } finally {
      c.proc.kill();
      await c.exited;
    }
  });

  it('writes a line logged while the previous write is still queued (libuv thread pool busy)', async () => {
    // Four slow pbkdf2 jobs fill the thread pool that fs.write runs on: the first line's write waits behind them, and
    // the second line comes while it does. Both must still appear once the pool is free, not when more is logged.
    const c = child(`
      const { pbkdf2 } = await import('node:crypto');
      for (let i = 0; i < 4; i++) pbkdf2('x', 'y', 1_000_000, 64, 'sha512', () => {});
      log.info('first');
      setTimeout(() => log.info('second'), 300);
      setInterval(() => {}, 1000);`);
    try {
      const started = Date.now();
      while (c.lines().length < 2 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
      expect(c.lines().map((l) => l.msg)).toEqual(['first', 'second']);
    } finally {
      c.proc.kill();
      await c.exited;
    }
  });

  it('loses no line when the process exits right after logging (process.exit and a crash)', async () => {
    const exit = child(`for (let n = 0; n < 2000; n++) log.info({ n }, 'line'); process.exit(0);`);
    expect(await exit.exited).toBe(0);
    expect(exit.lines().map((l) => l.n)).toEqual(Array.from({ length: 2000 }, (_, n) => n));

    const crash = child(`for (let n = 0; n < 50; n++) log.info({ n }, 'line'); throw new Error('boom');`);
    expect(await crash.exited).toBe(1);
    expect(crash.lines()).toHaveLength(50);
  });
});

describe('redaction', () => {
  it('hides the token at the top level everywhere, a level down except in the call-path child', async () => {
    const { Writable } = await import('node:stream');
    const { callPathLogger, createLogger } = await import('../src/logger.js');
    const out: string[] = [];
    const root = createLogger(
      'info',
      new Writable({ write: (chunk: Buffer, _enc, cb) => (out.push(chunk.toString()), cb()) }),
    );
    const secret = { token: 'abc', headers: { authorization: 'Bearer abc' }, nested: { token: 'abc' } };
    callPathLogger(root, { subsystem: 'screen' }).info(secret, 'call');
    root.child({ subsystem: 'http' }).info(secret, 'request');
    const [call, request] = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(call).toMatchObject({
      subsystem: 'screen',
      token: '[redacted]',
      headers: { authorization: '[redacted]' },
      nested: { token: 'abc' },
    });
    expect(request).toMatchObject({
      subsystem: 'http',
      token: '[redacted]',
      headers: { authorization: '[redacted]' },
      nested: { token: '[redacted]' },
    });
  });
});
