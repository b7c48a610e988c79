/**
 * The `callfilter` command line: the first human interface. It opens the same database as the running service
 * (SQLite in WAL mode allows both at once) and uses the same normaliser and policy.
 */
import { loadConfig } from '../config/config.js';
import { ConfigError } from '../config/env.js';
import { createContext, type AppContext } from '../context.js';
import { createLogger } from '../logger.js';
import { isStoreError } from '../store/index.js';
import { UsageError } from './args.js';
import { allowCommand, blockCommand, listCommand, unblockCommand } from './entries.js';
import { callsCommand, explainCommand } from './calls.js';

export type Out = (line: string) => void;
type Command = (ctx: AppContext, argv: string[], out: Out) => Promise<void> | void;

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  block: { run: blockCommand, usage: 'block <number> [--prefix] [--action hangup|announce|voicemail] [--cause N] [--label …] [--note …] [--expires 30d|2026-12-31]' },
  allow: { run: allowCommand, usage: 'allow <number> [--prefix] [--name …] [--vip] [--note …]' },
  unblock: { run: unblockCommand, usage: 'unblock <number> [--prefix]' },
  list: { run: listCommand, usage: 'list [--kind allow|block] [--search …] [--limit N]' },
  explain: { run: explainCommand, usage: 'explain <number> [--did …] [--at 2026-12-24T23:00] [--presentation N]' },
  calls: { run: callsCommand, usage: 'calls [--blocked] [--since 24h|2026-11-01] [--number …] [--limit N]' },
  backup: { run: async (ctx, argv, out) => (await import('./backup.js')).backupCommand(ctx, argv, out), usage: 'backup <file> [--force]' },
};

export function usage(): string {
  return ['usage: callfilter <command> [options]', '', '  start                 run the service (FastAGI server)', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

/** Runs one command; returns the exit code. Separate from the process so tests can call it. */
export async function run(argv: string[], out: Out = (l) => process.stdout.write(`${l}\n`), err: Out = (l) => process.stderr.write(`${l}\n`), env = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    err(`callfilter: unknown command ${JSON.stringify(name)}\n${usage()}`);
    return 2;
  }
  let ctx: AppContext | undefined;
  try {
    const config = loadConfig({ env });
    ctx = createContext(config, { logger: createLogger('warn', process.stderr as never) });
    await command.run(ctx, rest, out);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`callfilter ${name}: ${e.message}\nusage: callfilter ${command.usage}`);
      return 2;
    }
    if (e instanceof ConfigError || isStoreError(e)) {
      err(`callfilter ${name}: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  } finally {
    ctx?.close();
  }
}
