import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AgiServer } from 'asterisk-agi';
import { type FakeCallOptions, type FakeCallResult, fakeCall } from 'asterisk-agi/testing';
import { onTestFinished } from 'vitest';
import { type AgiServerOverrides, createAgiServer } from '../../src/agi-server.js';
import { createMetrics, type Metrics } from '../../src/api/metrics.js';
import { type Config, loadConfig } from '../../src/config/config.js';
import type { ConfigFile } from '../../src/config/file.js';
import { type AppContext, type ContextOverrides, createContext } from '../../src/context.js';
import { createLogger } from '../../src/logger.js';
import type { Screened } from '../../src/screen/screen-call.js';
import { onPostgres, storeEnv } from './service-store.js';

/** A temp data dir removed when the test ends. */
export function tempDir(prefix = 'callfilter-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Log lines a test can look at (pino JSON objects). */
export function captureLogs(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

export interface ServiceOptions {
  dataDir?: string;
  env?: Record<string, string>;
  file?: ConfigFile;
  overrides?: Omit<ContextOverrides, 'logger'>;
  /** Session limits and the close grace period of the FastAGI server (e.g. a short environment deadline). */
  agi?: Pick<AgiServerOverrides, 'session' | 'closeGraceMs'>;
}

export interface TestService {
  ctx: AppContext;
  config: Config;
  agi: AgiServer;
  port: number;
  dataDir: string;
  outcomes: Screened[];
  /** Fed by the AGI server like in production (src/server.ts). */
  metrics: Metrics;
  /** True while the FastAGI server listens (for /healthz). */
  agiListening(): boolean;
  logs: Record<string, unknown>[];
  /** One call through the fake Asterisk to agi://127.0.0.1:port/screen. */
  call(caller: string, options?: FakeCallOptions & { did?: string; presentation?: number }): Promise<FakeCallResult>;
  close(): Promise<void>;
}

/**
 * The real service — real SQLite file in a temp dir (or, with CALLFILTER_DATABASE_URL and `overrides.node`, a node
 * of a cluster on that PostgreSQL), real FastAGI server on 127.0.0.1:0 — stopped when the test ends (STYLE.md rule 12).
 */
export async function startService(options: ServiceOptions = {}): Promise<TestService> {
  const dataDir = options.dataDir ?? tempDir();
  const config = loadConfig({
    env: {
      CALLFILTER_DATA_DIR: dataDir,
      CALLFILTER_AGI_PORT: '0',
      CALLFILTER_LOG_LEVEL: 'info',
      ...(await storeEnv(dataDir)),
      ...options.env,
    },
    file: options.file ?? {},
  });
  const { lines, stream } = captureLogs();
  const ctx = await createContext(config, {
    ...(onPostgres && { node: true }),
    ...options.overrides,
    logger: createLogger('info', stream),
  });
  const outcomes: Screened[] = [];
  const metrics = createMetrics({ faults: ctx.faults, ...(ctx.phoneblockLive && { live: ctx.phoneblockLive }) });
  const agi = createAgiServer(ctx, {
    ...options.agi,
    onScreened: (o) => {
      outcomes.push(o);
      metrics.onScreened(o);
    },
  });
  metrics.attach(agi);
  const { port } = await agi.listen(0, '127.0.0.1');
  let listening = true;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    listening = false;
    try {
      await agi.close();
    } finally {
      await ctx.close();
    }
  };
  onTestFinished(close);
  return {
    ctx,
    config,
    agi,
    port,
    dataDir,
    outcomes,
    metrics,
    agiListening: () => listening,
    logs: lines,
    close,
    async call(caller, { did = '+4930999000', presentation = 0, env, ...rest } = {}) {
      // Tests write through the store and call at once: on a cluster node, a call then meets what was written.
      if (ctx.store.engine === 'postgres') await ctx.store.settled();
      return fakeCall(
        { port, host: '127.0.0.1' },
        {
          script: 'screen',
          args: [did],
          ...rest,
          env: { callerid: caller, callingpres: String(presentation), ...env },
        },
      );
    },
  };
}
