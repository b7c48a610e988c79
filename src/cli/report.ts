/**
 * `callfilter report <number> --rating …`: rates a caller on PhoneBlock (opt-in, only with its API key). The rating
 * goes into the outbox like every report, and this process then tries to deliver what is due at once — under the
 * outbox's lease, so it never sends an item the service is sending. What cannot be sent now, the service sends later.
 */
import type { AppContext } from '../context.js';
import { LeaseBusyError, withLease } from '../jobs/lease.js';
import { createServiceJobs } from '../jobs/service-jobs.js';
import { normaliseNumber } from '../numbers/index.js';
import { ensureEnvSources } from '../sources/env-source.js';
import {
  MAX_COMMENT_CHARS,
  REPORT_RATING_NAMES,
  REPORT_RATINGS,
  type ReportRating,
} from '../sources/phoneblock/ratings.js';
import { enqueueRating, ReportingOffError } from '../sources/phoneblock/reports.js';
import { CommandError, parse, UsageError } from './args.js';
import type { CliIo, Out } from './main.js';

export async function reportCommand(ctx: AppContext, argv: string[], out: Out, io: CliIo): Promise<void> {
  const { values, positionals } = parse(argv, { rating: { type: 'string' }, comment: { type: 'string' } });
  if (positionals.length === 0) throw new UsageError('a number is required');
  const rating = values.rating as ReportRating | undefined;
  if (rating === undefined || !REPORT_RATING_NAMES.includes(rating))
    throw new UsageError(`--rating: one of ${REPORT_RATING_NAMES.join(', ')} is required`);
  if (values.comment !== undefined && values.comment.length > MAX_COMMENT_CHARS)
    throw new UsageError(`--comment: at most ${MAX_COMMENT_CHARS} characters`);
  const n = normaliseNumber(positionals.join(' '), ctx.config.numbering);
  if (!n.ok) throw new UsageError(n.error);

  const jobs = createServiceJobs(ctx);
  await ensureEnvSources(jobs.sources, ctx.config, ctx.logger);
  let id: number;
  try {
    id = await enqueueRating(ctx, jobs.runner.clock.now(), {
      phone: n.e164,
      rating,
      ...(values.comment !== undefined && { comment: values.comment }),
    });
  } catch (err) {
    if (err instanceof ReportingOffError) throw new CommandError(err.message);
    throw err;
  }
  try {
    await withLease('job:outbox', { store: ctx.store, clock: jobs.runner.clock, owner: jobs.runner.owner }, (signal) =>
      jobs.dispatcher.dispatchDue(signal),
    );
  } catch (err) {
    if (!(err instanceof LeaseBusyError)) throw err;
  }
  const item = await ctx.store.outbox.get(id);
  const what = `${io.number(n.e164)} as ${rating} (${REPORT_RATINGS[rating]})`;
  if (item?.status === 'done') out(`reported ${what} to PhoneBlock`);
  else if (item?.status === 'dead')
    throw new CommandError(`PhoneBlock refused the report of ${what}: ${item.lastError ?? 'no reason given'}`);
  else
    out(
      `queued the report of ${what}${item?.lastError ? ` (not sent yet: ${item.lastError})` : ''}; the service sends it`,
    );
}
