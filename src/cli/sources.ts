/**
 * `callfilter sources` (the sources and their status), `sources add-url`, `sources remove`, and `callfilter sync`:
 * a sync in this process, under the same per-source lease as the service's job runner, so the two never sync the
 * same source at once.
 */
import { readFileSync } from 'node:fs';
import type { AppContext } from '../context.js';
import type { ImportFormat } from '../import/formats/index.js';
import { createServiceJobs } from '../jobs/service-jobs.js';
import { type SourceInput, SourceInputError } from '../sources/add.js';
import { ensureEnvSources } from '../sources/env-source.js';
import type { SyncReport } from '../sources/types.js';
import type { Source } from '../store/index.js';
import { CommandError, formatFlag, parse, thresholdFlag, UsageError } from './args.js';
import type { Out } from './main.js';
import { reportLine, sourceLines } from './source-status.js';

const FORMATS: readonly ImportFormat[] = ['csv', 'json', 'phoneblock'];

/** A secret from a file (its first line), so it stays out of the shell history and the process list. */
function secretFile(path: string | undefined, flag: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    const secret = readFileSync(path, 'utf8').split(/\r?\n/, 1)[0]?.trim();
    if (!secret) throw new UsageError(`${flag}: ${path} is empty`);
    return secret;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}

function jobsFor(ctx: AppContext) {
  return createServiceJobs(ctx);
}

export async function sourcesCommand(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'add-url') return addUrl(ctx, rest, out);
  if (sub === 'remove') return removeSource(ctx, rest, out);
  if (sub !== undefined)
    throw new UsageError(`unknown subcommand ${JSON.stringify(sub)} (add-url, remove, or none to list)`);
  const { sources } = jobsFor(ctx);
  await ensureEnvSources(sources, ctx.config, ctx.logger);
  const all = await sources.list();
  if (all.length === 0)
    out('no sources (set CALLFILTER_PHONEBLOCK_TOKEN, or: callfilter sources add-url <name> <url>)');
  const now = ctx.clock();
  for (const source of all)
    for (const line of sourceLines(
      source,
      source.listId === undefined ? undefined : await ctx.store.lists.get(source.listId),
      now,
    ))
      out(line);
}

async function addUrl(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const { values, positionals } = parse(argv, {
    list: { type: 'string' },
    format: { type: 'string' },
    every: { type: 'string' },
    threshold: { type: 'string' },
    'bearer-file': { type: 'string' },
    user: { type: 'string' },
    'password-file': { type: 'string' },
  });
  const [name, url, ...extra] = positionals;
  if (name === undefined || url === undefined) throw new UsageError('a name and a URL are required');
  if (extra.length > 0) throw new UsageError(`unexpected ${JSON.stringify(extra.join(' '))}`);
  const format = formatFlag(values.format, FORMATS);
  const threshold = thresholdFlag(values.threshold);
  const bearer = secretFile(values['bearer-file'], '--bearer-file');
  const password = secretFile(values['password-file'], '--password-file');
  const credentials = {
    ...(bearer && { bearer }),
    ...(values.user !== undefined && { username: values.user }),
    ...(password && { password }),
  };
  const input: SourceInput = {
    kind: 'url',
    name,
    url,
    ...(values.list !== undefined && { list: values.list }),
    ...(format && { format }),
    ...(threshold !== undefined && { threshold }),
    ...(values.every !== undefined && { schedule: { interval: values.every } }),
    ...(Object.keys(credentials).length > 0 && { credentials }),
  };
  const { sources } = jobsFor(ctx);
  let source: Source;
  try {
    source = await sources.add(input);
  } catch (err) {
    if (err instanceof SourceInputError) throw new UsageError(err.message);
    throw err;
  }
  out(
    `added source "${source.name}" (id ${source.id}); the service syncs it within minutes, or now: callfilter sync ${source.name}`,
  );
}

async function removeSource(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const { positionals } = parse(argv, {});
  if (positionals.length !== 1) throw new UsageError('the name (or id) of one source is required');
  const { sources } = jobsFor(ctx);
  const source = await sources.find(positionals[0] as string);
  if (!source) throw new CommandError(`no source ${JSON.stringify(positionals[0])}`);
  await sources.remove(source.id);
  const list = source.listId === undefined ? undefined : await ctx.store.lists.get(source.listId);
  out(
    `removed source "${source.name}"${list ? `; its list "${list.name}" stays (DELETE /api/v1/lists/${list.id} removes it)` : ''}`,
  );
}

export async function syncCommand(ctx: AppContext, argv: string[], out: Out): Promise<void> {
  const { values, positionals } = parse(argv, { accept: { type: 'boolean' } });
  if (positionals.length > 1) throw new UsageError('one source at a time, or none for all');
  const { sources } = jobsFor(ctx);
  await ensureEnvSources(sources, ctx.config, ctx.logger);
  let targets: Source[];
  if (positionals[0] !== undefined) {
    const source = await sources.find(positionals[0]);
    if (!source)
      throw new CommandError(`no source ${JSON.stringify(positionals[0])} ("callfilter sources" lists them)`);
    targets = [source];
  } else {
    targets = (await sources.list()).filter((s) => s.enabled);
    if (values.accept) throw new UsageError('--accept needs the name of the source whose answer to take');
  }
  if (targets.length === 0) {
    out('no sources to sync (set CALLFILTER_PHONEBLOCK_TOKEN, or: callfilter sources add-url <name> <url>)');
    return;
  }
  const reports: SyncReport[] = [];
  for (const source of targets) {
    const report = await sources.sync(source, {
      accept: values.accept === true,
      onProgress: (message) => out(`${source.name}: ${message}`),
    });
    reports.push(report);
    out(reportLine(report));
  }
  const bad = reports.filter((r) => r.outcome === 'failed' || r.outcome === 'held' || r.outcome === 'busy');
  if (bad.length > 0)
    throw new CommandError(
      `${bad.length} of ${reports.length} ${reports.length === 1 ? 'sync' : 'syncs'} did not succeed: ${bad.map((r) => r.source).join(', ')}`,
    );
}
