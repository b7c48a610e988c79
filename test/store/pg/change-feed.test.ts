/** The LISTEN/NOTIFY change feed against a real PostgreSQL: delivery, a killed session, a restarted server. */
import { describe, expect, it, onTestFinished } from 'vitest';
import { ChangeFeed, type ChangeFeedOptions } from '../../../src/store/pg/change-feed.js';
import { type PgCluster, startPostgres, usePostgres } from '../../helpers/postgres.js';

const CHANNEL = 'callfilter_changes';
/** Fast reconnects, so a test does not wait out the production backoff. */
const BACKOFF = { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 };

interface Recorded {
  feed: ChangeFeed;
  payloads: string[];
  reloads: string[];
  logs: { level: string; msg: string }[];
  /** Resolves once `check()` holds, re-checked on every event (rejects after 15 s with what was seen). */
  until(check: () => boolean): Promise<void>;
}

function startFeed(url: string, options: Partial<ChangeFeedOptions> = {}): Recorded {
  const payloads: string[] = [];
  const reloads: string[] = [];
  const logs: { level: string; msg: string }[] = [];
  const waiters = new Set<() => void>();
  const changed = (): void => {
    for (const w of [...waiters]) w();
  };
  const at = (level: string) => (_obj: unknown, msg?: string) => {
    logs.push({ level, msg: msg ?? '' });
    changed();
  };
  const feed = new ChangeFeed({
    connectionString: url,
    channel: CHANNEL,
    backoff: BACKOFF,
    onNotify: (p) => {
      payloads.push(p);
      changed();
    },
    onReload: (reason) => {
      reloads.push(reason);
      changed();
    },
    logger: { info: at('info'), warn: at('warn'), error: at('error') } as ChangeFeedOptions['logger'],
    ...options,
  });
  onTestFinished(() => feed.close());
  feed.start();
  return {
    feed,
    payloads,
    reloads,
    logs,
    until: (check) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(test);
          reject(
            new Error(
              `timed out; payloads ${JSON.stringify(payloads)}, reloads ${JSON.stringify(reloads)}, logs ${JSON.stringify(logs)}`,
            ),
          );
        }, 15_000);
        const test = (): void => {
          if (!check()) return;
          clearTimeout(timer);
          waiters.delete(test);
          resolve();
        };
        waiters.add(test);
        test();
      }),
  };
}

const notify = (cluster: PgCluster, payload: string): Promise<string> =>
  cluster.psql(`SELECT pg_notify('${CHANNEL}', '${payload}')`);

describe('ChangeFeed', () => {
  const pg = usePostgres();

  it('signals a first load once LISTEN is in place, then delivers notifications in order', async () => {
    const r = startFeed(pg.url);
    await r.until(() => r.reloads.length === 1);
    expect(r.reloads).toEqual(['connected']);
    expect(r.feed.state).toBe('listening');
    await notify(pg.cluster, 'entries:1');
    await notify(pg.cluster, 'entries:2');
    await pg.cluster.psql(`NOTIFY other_channel, 'not ours'`);
    await r.until(() => r.payloads.length === 2);
    expect(r.payloads).toEqual(['entries:1', 'entries:2']);
  });

  it('reconnects after its session is terminated, signals a reload, and delivers later notifications', async () => {
    const r = startFeed(pg.url, { applicationName: 'feed-under-test' });
    await r.until(() => r.reloads.length === 1);
    const killed = await pg.cluster.psql(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'feed-under-test'",
    );
    expect(killed.trim()).toBe('1');
    await r.until(() => r.reloads.length === 2);
    expect(r.reloads).toEqual(['connected', 'reconnected']);
    expect(r.logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/connection lost/), expect.stringMatching(/listening again/)]),
    );
    await notify(pg.cluster, 'after');
    await r.until(() => r.payloads.includes('after'));
  });

  it('closes idempotently and stays closed', async () => {
    const r = startFeed(pg.url, { applicationName: 'feed-closed' });
    await r.until(() => r.reloads.length === 1);
    await r.feed.close();
    await r.feed.close();
    expect(r.feed.state).toBe('closed');
    await notify(pg.cluster, 'too late');
    const sessions = await pg.cluster.psql(
      "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'feed-closed'",
    );
    expect(sessions.trim()).toBe('0');
    expect(r.payloads).toEqual([]);
  });
});

// Each test starts a cluster of its own: seconds on a busy machine, more than the default test timeout allows.
describe('ChangeFeed across a server restart', { timeout: 60_000 }, () => {
  it('waits out the outage with backoff, reloads when the server is back, and delivers again', async () => {
    const cluster = await startPostgres();
    const r = startFeed(cluster.url());
    await r.until(() => r.reloads.length === 1);
    await cluster.stop();
    await r.until(() => r.feed.state === 'waiting' || r.feed.state === 'connecting');
    // Several failed attempts while the server is down, none of them a reload.
    await r.until(() => r.logs.filter((l) => /connection lost/.test(l.msg)).length >= 3);
    expect(r.reloads).toEqual(['connected']);
    await cluster.start();
    await r.until(() => r.reloads.length === 2);
    expect(r.reloads).toEqual(['connected', 'reconnected']);
    await notify(cluster, 'back');
    await r.until(() => r.payloads.includes('back'));
  });

  it('keeps trying when the server is not up at start, and loads once it is', async () => {
    const cluster = await startPostgres();
    await cluster.stop();
    const r = startFeed(cluster.url());
    await r.until(() => r.logs.length >= 2);
    expect(r.reloads).toEqual([]);
    await cluster.start();
    await r.until(() => r.reloads.length === 1);
    expect(r.reloads).toEqual(['connected']);
  });

  it('notices a connection that stops answering through its health check', async () => {
    const cluster = await startPostgres();
    const r = startFeed(cluster.url(), { applicationName: 'feed-frozen', healthCheckMs: 100, healthTimeoutMs: 300 });
    await r.until(() => r.reloads.length === 1);
    // SIGSTOP the session's backend: the socket stays open, nothing answers (a host that vanished without a FIN).
    const pid = Number(
      (await cluster.psql("SELECT pid FROM pg_stat_activity WHERE application_name = 'feed-frozen'")).trim(),
    );
    process.kill(pid, 'SIGSTOP');
    onTestFinished(() => {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    });
    await r.until(() => r.reloads.length === 2);
    expect(r.logs.map((l) => l.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/connection lost/)]));
    process.kill(pid, 'SIGCONT');
  });
});
