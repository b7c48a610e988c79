/**
 * The numbers you call, live: the service's AMI client (asterisk-agi/ami, reconnecting by itself) hands each answered
 * call from the phones (feed.ts) to `trustCalled`, which allows the number under the origin `called` until
 * CALLFILTER_CALLED_TRUST_DAYS after this call — a further call moves that on. Never a number that is itself on a
 * blocklist: a live block entry (exact or a prefix), or a spam list hit at or over its list's threshold — calling a
 * number back once must not undo a person's block or a list's verdict. The connection's state is the source's status.
 */
import { AmiClient } from 'asterisk-agi/ami';
import type { CalledSettings } from '../../config/contacts.js';
import type { AppContext } from '../../context.js';
import type { JobClock } from '../../jobs/clock.js';
import { allPrefixes } from '../../numbers/index.js';
import type { Source } from '../../store/index.js';
import { originOf } from '../contacts/apply.js';
import { attachCalledFeed, type CalledCall } from './feed.js';

const DAY = 24 * 60 * 60_000;

/** Why a called number is not trusted: on a blocklist, and which. */
export async function blockedBy(ctx: AppContext, number: string, now: number): Promise<string | undefined> {
  const prefixes = allPrefixes(number);
  const entry = (await ctx.store.entries.match(number, prefixes, { now })).find((e) => e.kind === 'block');
  if (entry) return `block entry #${entry.id}`;
  const hit = (await ctx.store.lists.match(number, prefixes)).find((h) => h.score >= h.threshold);
  return hit ? `spam list "${hit.listName}"` : undefined;
}

export type TrustOutcome = 'added' | 'refreshed' | 'blocked';

export async function trustCalled(
  ctx: AppContext,
  source: Source,
  call: CalledCall,
  trustDays: number,
  now: number,
): Promise<TrustOutcome> {
  const log = ctx.logger.child({ subsystem: 'sources', source: source.name });
  const why = await blockedBy(ctx, call.number, now);
  if (why !== undefined) {
    log.info({ number: call.number, blockedBy: why }, 'a called number stays untrusted: it is on a blocklist');
    return 'blocked';
  }
  const expiresAt = Math.max(call.answeredAt.getTime(), now) + trustDays * DAY;
  const outcome = await ctx.store.origins.touch(originOf(source), {
    number: call.number,
    kind: 'allow',
    externalId: '',
    expiresAt,
  });
  log.info({ number: call.number, expiresAt, outcome }, 'called number trusted');
  return outcome;
}

export interface CalledListener {
  readonly client: AmiClient;
  close(): Promise<void>;
}

/**
 * Starts the AMI client for the `called` source and keeps its status: `ready` is a success, a lost connection or a
 * refused login the last error (the entries in force stay; trust only lapses on schedule).
 */
export function listenForCalls(
  ctx: AppContext,
  source: Source,
  settings: CalledSettings,
  clock: JobClock,
): CalledListener {
  const log = ctx.logger.child({ subsystem: 'ami', source: source.name });
  const client = new AmiClient({
    host: settings.host,
    port: settings.port,
    username: settings.username,
    secret: settings.secret,
    events: 'cdr',
    logger: log,
  });
  const status = (ok: boolean, error?: string) => {
    void (async () => {
      const current = await ctx.store.sources.get(source.id);
      if (!current) return;
      const at = clock.now();
      const nextRunAt = current.nextRunAt ?? at;
      if (ok)
        await ctx.store.sources.recordResult(source.id, {
          outcome: 'success',
          at,
          nextRunAt,
          rows: await ctx.store.origins.count(originOf(source)),
        });
      else
        await ctx.store.sources.recordResult(source.id, {
          outcome: 'failure',
          at,
          nextRunAt,
          error: error ?? 'AMI connection lost',
        });
    })().catch((err: unknown) => log.warn({ err }, 'could not record the AMI status'));
  };
  client.on('ready', ({ version }: { version?: string }) => {
    log.info({ version }, 'listening to Asterisk for the numbers you call');
    status(true);
  });
  client.on('disconnected', ({ error, retryInMs }: { error: Error; retryInMs: number }) =>
    status(
      false,
      `AMI at ${settings.host}:${settings.port}: ${error.message}; trying again in ${Math.ceil(retryInMs / 1000)} s`,
    ),
  );
  client.on('authFailed', (err: Error) =>
    status(
      false,
      `AMI at ${settings.host}:${settings.port} refused the login of "${settings.username}" (${err.message}): check the user and secret in CALLFILTER_AMI_URL and manager.conf (read = cdr); restart callfilter after fixing it`,
    ),
  );
  const detach = attachCalledFeed(client, {
    config: {
      contexts: settings.contexts,
      numbering: ctx.config.numbering,
      ...(settings.outsideLinePrefix !== undefined && { outsideLinePrefix: settings.outsideLinePrefix }),
    },
    logger: log,
    onCall: (call) => {
      trustCalled(ctx, source, call, settings.trustDays, clock.now()).catch((err: unknown) =>
        log.error({ err, number: call.number }, 'could not trust a called number'),
      );
    },
  });
  client.start();
  return {
    client,
    async close() {
      detach();
      await client.close();
    },
  };
}
