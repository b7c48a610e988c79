/**
 * The process entry: config, context, the FastAGI server and the admin API side by side, and a graceful close on
 * SIGTERM/SIGINT. Everything else is importable without a port (STYLE.md rule 1).
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createAgiServer } from './agi-server.js';
import { buildApp } from './api/app.js';
import { loadAdminToken, tokenSource } from './api/auth.js';
import { createMetrics } from './api/metrics.js';
import { relayLoggedCalls } from './cluster/logged-calls.js';
import { SPOOL_FILE } from './cluster/spool.js';
import { type Config, loadConfig, redactedUrl } from './config/config.js';
import { ConfigError } from './config/env.js';
import { setupHint } from './config/settings.js';
import { createContext } from './context.js';
import { createServiceJobs } from './jobs/service-jobs.js';
import { createLogger, printAfterLog } from './logger.js';
import { registerNotifyMetrics } from './notify/metrics.js';
import { registerSourceMetrics } from './sources/status.js';
import { wideFileModes } from './store/file-modes.js';
import { createCallEvents } from './web/index.js';

/** `http://host:port`, with a wildcard address shown as loopback (what a browser on this box can open). */
function httpUrl(address: AddressInfo): string {
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/**
 * How long in-flight admin API requests may take to finish at shutdown (as the AGI server's CLOSE_GRACE_MS): a
 * request is milliseconds; a client that stopped sending mid-body must not keep the process from exiting.
 */
const HTTP_CLOSE_GRACE_MS = 2_000;

async function closeHttp(app: ReturnType<typeof buildApp>): Promise<void> {
  const timer = setTimeout(() => app.server.closeAllConnections(), HTTP_CLOSE_GRACE_MS);
  timer.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}

export async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    // A configuration error is for a person: one clear line, no stack.
    process.stderr.write(`callfilter: ${(err as Error).message}\n`);
    process.exit(78); // EX_CONFIG
  }
  if (config.databaseUrl && config.adminToken === undefined) {
    // Each node has a data folder of its own, and with it a token file of its own: the API and the page's sessions
    // would work on one node and not on the next.
    process.stderr.write(
      'callfilter: with CALLFILTER_DATABASE_URL, set CALLFILTER_ADMIN_TOKEN to one token on every node (e.g. `openssl rand -base64 32`)\n',
    );
    process.exit(78);
  }
  const logger = createLogger(config.logLevel);
  const httpLog = logger.child({ subsystem: 'http' });
  const adminToken = loadAdminToken(config, httpLog);
  // The long-running service checkpoints the WAL in a worker thread: no call's log write pays for a checkpoint.
  const ctx = await createContext(config, { logger, walCheckpointer: true, node: true });
  // New ones are created private (store/file-modes.ts); older or hand-made ones are left alone but named.
  for (const { path, mode } of wideFileModes([
    config.dataDir,
    config.dbFile,
    `${config.dbFile}-wal`,
    `${config.dbFile}-shm`,
  ])) {
    logger.warn(
      { path, mode },
      'others may read this data folder or file (it holds the call log and the contacts); make it private: chmod go= <path>',
    );
  }
  const metrics = createMetrics({
    faults: ctx.faults,
    processMetrics: true,
    ...(ctx.phoneblockLive && { live: ctx.phoneblockLive }),
  });
  // Source syncs, the outbox and the call log's retention: started once the service listens, closed first at shutdown.
  const jobs = createServiceJobs(ctx);
  registerSourceMetrics(metrics.registry, ctx.store);
  registerNotifyMetrics(metrics.registry, ctx.store, jobs.notify);
  // Each decided call goes to the metrics and to the web page's live view (which sends it after the AGI answer),
  // and, after the decision and off its path, to the PhoneBlock call reporter and the household's notifications.
  const events = createCallEvents();
  const agi = createAgiServer(ctx, {
    onScreened: (o) => {
      metrics.onScreened(o);
      events.publish(o);
      jobs.reporter.onCallDecided(o);
      jobs.notify.onCallDecided(o);
    },
  });
  relayLoggedCalls(ctx.store, { events, notify: jobs.notify, reporter: jobs.reporter });
  metrics.attach(agi);
  let agiListening = false;
  const app = buildApp(ctx, {
    agiListening: () => agiListening,
    metrics,
    token: tokenSource(adminToken, httpLog),
    events,
    jobs,
    ...(jobs.notify.voicemail && { voicemail: jobs.notify.voicemail }),
  });

  let address: AddressInfo;
  let http: AddressInfo;
  try {
    address = await agi.listen(config.agi.port, config.agi.host);
    agiListening = true;
    try {
      await app.listen({ port: config.http.port, host: config.http.host });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new Error(
          `admin API port ${config.http.host}:${config.http.port} is already in use; set CALLFILTER_HTTP_PORT`,
        );
      }
      throw err;
    }
    http = app.server.address() as AddressInfo;
  } catch (err) {
    await agi.close();
    await app.close();
    await ctx.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `FastAGI port ${config.agi.host}:${config.agi.port} is already in use (another callfilter, or FreePBX's own FastAGI server?); set CALLFILTER_AGI_PORT`,
      );
    }
    throw err;
  }
  await jobs
    .start()
    .catch((err: unknown) => logger.error({ err }, 'could not start the source syncs; screening goes on without them'));
  const url = httpUrl(http);
  logger.info(
    { agi: `agi://${address.address}:${address.port}/screen`, http: url, db: config.dbFile },
    'callfilter is screening calls',
  );
  // npm start never waits for input: what is missing is said here, and asked for by `callfilter setup` and the page.
  const hint = setupHint(ctx.settings(), url);
  if (hint !== undefined) logger.warn(hint);
  if (config.databaseUrl)
    logger.info(
      { databaseUrl: redactedUrl(config.databaseUrl), spool: join(config.dataDir, SPOOL_FILE) },
      "a node of a cluster: the data is in PostgreSQL, screening reads this node's copy of it (docs/scale-out.md)",
    );
  if (adminToken.source === 'generated' && !process.stdout.isTTY) {
    // Docker and journald keep stdout as a log, and logs are kept and shipped: say where the token is, never what.
    logger.info(
      { file: adminToken.file, http: url },
      'generated the admin token and stored it in its file; "callfilter token" prints it',
    );
  } else if (adminToken.source === 'generated') {
    // Once, at the start that created it, to the person at the terminal, and never through the logger.
    printAfterLog(
      `\ncallfilter admin API: ${url}/api/v1  (OpenAPI: ${url}/api/v1/openapi.json)\n` +
        `web page: ${url}/  (sign in with the admin token)\n` +
        `admin token (stored in ${adminToken.file}, shown only this once; "callfilter token" prints it again):\n\n    ${adminToken.token}\n\n` +
        `try: curl -H "Authorization: Bearer <token>" ${url}/api/v1/calls\n\n`,
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    agiListening = false;
    try {
      // Both stop accepting at once; calls and requests in flight get their grace period; the database closes last.
      await Promise.all([jobs.close(), closeHttp(app), agi.close()]);
    } finally {
      await ctx.close();
    }
    process.exit(0); // the logger writes its last lines at exit (logger.ts)
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    // A setting kept in the database is checked when the store opens, still before anything listens.
    process.stderr.write(`callfilter: ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  process.stderr.write(`callfilter: could not start: ${(err as Error).message}\n`);
  process.exit(1);
});
