/**
 * The process entry: config, context, listen, and a graceful close on SIGTERM/SIGINT. Everything else is
 * importable without a port (STYLE.md rule 1).
 */
import { loadConfig } from './config/config.js';
import { createContext } from './context.js';
import { createAgiServer } from './agi-server.js';
import { createLogger } from './logger.js';

export async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    // A configuration error is for a person: one clear line, no stack.
    process.stderr.write(`callfilter: ${(err as Error).message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger(config.logLevel);
  const ctx = createContext(config, { logger });
  const agi = createAgiServer(ctx);
  let address;
  try {
    address = await agi.listen(config.agi.port, config.agi.host);
  } catch (err) {
    ctx.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`FastAGI port ${config.agi.host}:${config.agi.port} is already in use (another callfilter, or FreePBX's own FastAGI server?); set CALLFILTER_AGI_PORT`);
    }
    throw err;
  }
  logger.info({ agi: `agi://${address.address}:${address.port}/screen`, db: config.dbFile }, 'callfilter is screening calls');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await agi.close();
    } finally {
      ctx.close();
      logger.flush();
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`callfilter: could not start: ${(err as Error).message}\n`);
  process.exit(1);
});
