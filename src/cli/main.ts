/**
 * The `callfilter` command line: the first human interface. It opens the same database as the running service
 * (SQLite in WAL mode allows both at once) and uses the same normaliser and policy.
 */
import { loadConfig } from '../config/config.js';
import { ConfigError } from '../config/env.js';
import { type AppContext, createContext } from '../context.js';
import { ImportFormatError } from '../import/formats/index.js';
import { createLogger } from '../logger.js';
import { displayNumber } from '../numbers/index.js';
import { isStoreError } from '../store/index.js';
import { CommandError, UsageError } from './args.js';
import { callsCommand, explainCommand } from './calls.js';
import { allowCommand, blockCommand, listCommand } from './entries.js';
import type { ProgressStream } from './progress.js';
import { removeCommand, unblockCommand } from './remove.js';
import { reportCommand } from './report.js';
import { setupCommand } from './setup.js';
import { sourcesCommand, syncCommand } from './sources.js';
import { OutputClosed, stdoutOutput } from './stdout.js';
import { tokenCommand } from './token.js';
import { exportCommand, importCommand } from './transfer.js';

export type Out = (line: string) => void;

/** A number or prefix as the command line shows it (numbers.ts): as people at home write it, or E.164 with --e164. */
export type ShowNumber = (number: string, prefix?: boolean) => string;

/**
 * What a command has besides its line output: raw writes (exports), messages for stderr, the progress bar's stream,
 * and how to show numbers.
 */
export interface CliIo {
  write(chunk: string): void | Promise<void>;
  err: Out;
  progress?: ProgressStream;
  number: ShowNumber;
}

type Command = (ctx: AppContext, argv: string[], out: Out, io: CliIo) => Promise<void> | void;

/** Print numbers as stored (E.164) instead of as people at home write them: for scripts, and to copy one exactly. */
const E164_FLAG = '--e164';

/**
 * `storedSettings: false`: the command opens without the database's settings, as it is the one that replaces them.
 * `sqlite: true`: it opens the data folder's SQLite file even when CALLFILTER_DATABASE_URL points elsewhere.
 */
const COMMANDS: Record<string, { run: Command; usage: string; storedSettings?: false; sqlite?: true }> = {
  block: {
    run: blockCommand,
    usage:
      'block <number> [--prefix] [--short] [--action hangup|announce|voicemail] [--cause N] [--label …] [--note …] [--expires 30d|2026-12-31]',
  },
  allow: { run: allowCommand, usage: 'allow <number> [--prefix] [--short] [--name …] [--vip] [--note …]' },
  unblock: { run: unblockCommand, usage: 'unblock <number> [--prefix]' },
  remove: { run: removeCommand, usage: 'remove <number> [--prefix] [--kind allow|block]  |  remove --id N' },
  list: { run: listCommand, usage: 'list [--kind allow|block] [--search …] [--limit N]' },
  explain: {
    run: explainCommand,
    usage: 'explain <number> [--did …] [--at 2026-12-24T23:00] [--presentation N] [--internal] [--lang de|en]',
  },
  calls: { run: callsCommand, usage: 'calls [--blocked] [--since 24h|2026-11-01] [--number …] [--limit N]' },
  backup: {
    run: async (ctx, argv, out) => (await import('./backup.js')).backupCommand(ctx, argv, out),
    usage: 'backup <file> [--force]',
  },
  import: {
    run: importCommand,
    usage:
      'import <file> [--kind allow|block] [--list name [--threshold N]] [--format csv|vcard|fritzbox|phoneblock|json]',
  },
  export: { run: exportCommand, usage: 'export [--format csv|vcard] [--kind allow|block]' },
  token: { run: tokenCommand, usage: 'token [--rotate]' },
  sources: {
    run: sourcesCommand,
    usage:
      'sources [add-url <name> <url> [--list …] [--format csv|json|phoneblock] [--every 1d] [--threshold N] [--bearer-file F | --user U --password-file F] | remove <name>]',
  },
  sync: { run: syncCommand, usage: 'sync [name] [--accept]' },
  report: {
    run: reportCommand,
    usage: 'report <number> --rating missed|ping|poll|advertising|gamble|fraud [--comment …]',
  },
  migrate: {
    run: async (ctx, argv, out) => (await import('./migrate.js')).migrateCommand(ctx, argv, out),
    usage: 'migrate   (the schema to this version, and nothing else)',
  },
  'migrate-store': {
    sqlite: true,
    run: async (ctx, argv, out) => (await import('./migrate-store.js')).migrateStoreCommand(ctx, argv, out),
    usage: 'migrate-store --to postgres://user:password@host:5432/database',
  },
  setup: { run: setupCommand, usage: 'setup [--country DE] [--area-code 30]', storedSettings: false },
};

export function usage(): string {
  return [
    'usage: callfilter <command> [options]',
    '',
    '  start                 run the service (FastAGI server and admin API)',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
    '',
    `Numbers print as people at home write them (030 1234567); ${E164_FLAG} prints them as stored (+49301234567).`,
  ].join('\n');
}

/** Runs one command; returns the exit code. Separate from the process so tests can call it. */
export async function run(
  argv: string[],
  out?: Out,
  err: Out = (l) => process.stderr.write(`${l}\n`),
  env = process.env,
  io: Partial<Omit<CliIo, 'err'>> = {},
): Promise<number> {
  // What is not passed in goes to the process's stdout (tests pass both).
  const stdout = out === undefined || io.write === undefined ? stdoutOutput() : undefined;
  out ??= (l) => stdout?.line(l);
  // Before or after the command's name: any command that prints numbers takes it; the ones that print none ignore it.
  const e164 = argv.includes(E164_FLAG);
  const [name, ...rest] = argv.filter((a) => a !== E164_FLAG);
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    err(`callfilter: unknown command ${JSON.stringify(name)}\n${usage()}`);
    return 2;
  }
  let ctx: AppContext | undefined;
  try {
    const config = loadConfig({ env });
    ctx = await createContext(config, {
      logger: createLogger('warn', process.stderr as never),
      ...(command.storedSettings === false && { storedSettings: false }),
      ...(command.sqlite && { sqlite: true }),
    });
    const numbering = () => (ctx as AppContext).config.numbering;
    const number: ShowNumber = (n, prefix = false) =>
      `${e164 ? n : displayNumber(n, prefix, numbering())}${prefix ? '*' : ''}`;
    await command.run(ctx, rest, out, {
      write: io.write ?? ((chunk) => stdout?.write(chunk)),
      err,
      progress: io.progress ?? process.stderr,
      number,
    });
    await stdout?.flush();
    return 0;
  } catch (e) {
    if (e instanceof OutputClosed) return 0;
    if (e instanceof UsageError) {
      err(`callfilter ${name}: ${e.message}\nusage: callfilter ${command.usage}`);
      return 2;
    }
    if (e instanceof ConfigError) {
      err(`callfilter ${name}: ${e.message}`);
      return 78; // EX_CONFIG, as the service
    }
    if (isStoreError(e) || e instanceof CommandError || e instanceof ImportFormatError) {
      err(`callfilter ${name}: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  } finally {
    await ctx?.close();
  }
}
