import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { startApi } from '../helpers/api.js';
import { tempDir } from '../helpers/service.js';
import { onPostgres } from '../helpers/service-store.js';
import { sqliteOf } from '../store/helpers.js';

describe('/healthz', () => {
  it('is 200 when the database answers and the FastAGI server listens', async () => {
    const api = await startApi();
    expect(await api.json('GET', '/healthz')).toEqual({
      status: 200,
      body: { status: 'ok', db: 'ok', agi: 'listening' },
    });
  });

  it('is 503 naming the FastAGI server when it stopped', async () => {
    const api = await startApi();
    await api.agi.close();
    await api.close();
    const res = await api.inject({ method: 'GET', url: '/healthz', auth: false });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      status: 'error',
      db: expect.stringContaining('error: the database is closed'),
      agi: 'not listening',
    });
  });

  // Reaches into the SQLite file itself: SQLite only (a node on PostgreSQL: test/cluster).
  it.skipIf(onPostgres)('is 503 naming the database when it is gone', async () => {
    const api = await startApi();
    sqliteOf(api.ctx.store).db.close();
    expect((await api.json('GET', '/healthz')).body).toEqual({
      status: 'error',
      db: expect.stringMatching(/^error: /),
      agi: 'listening',
    });
  });
});

describe('/healthz checks what a call needs: a call-log row that can be written', () => {
  /**
   * A real database file that SQLite cannot write. Tests run as root, and root ignores file modes, so the store opens
   * the file read-only: every write then fails with SQLITE_READONLY, as on a read-only file, folder or mount.
   */
  async function readOnlyService() {
    const dataDir = tempDir();
    openStore(join(dataDir, 'callfilter.db')).db.close(); // created and migrated
    return startApi({ dataDir, overrides: { store: openStore(join(dataDir, 'callfilter.db'), { readonly: true }) } });
  }

  it('is 503 with the reason for a read-only database, and an API write answers 503 with it too, not 500', async () => {
    const api = await readOnlyService();
    const health = await api.inject({ method: 'GET', url: '/healthz', auth: false });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toEqual({
      status: 'error',
      db: expect.stringMatching(/^error: a call cannot be logged \(every call fails open\): the database is read-only/),
      agi: 'listening',
    });

    expect((await api.call('+4930123456')).variables).toMatchObject({
      CALLFILTER_ACTION: 'connect',
      CALLFILTER_REASON: 'fail-open',
    });
    const write = await api.json('POST', '/api/v1/entries', { number: '+4930123456', kind: 'block' });
    expect(write).toEqual({
      status: 503,
      body: {
        error: 'unavailable',
        code: 'store.readonly',
        params: {},
        message: 'the database cannot be written (the file, its folder or the disk is read-only); nothing was changed',
      },
    });
  });

  // Reaches into the SQLite file itself: SQLite only (a node on PostgreSQL: test/cluster).
  it.skipIf(onPostgres)(
    'turns 503 as soon as a call could not be logged, and 200 again once a write succeeds',
    async () => {
      const api = await startApi();
      await api.call('+4930123456');
      expect((await api.json('GET', '/healthz')).status).toBe(200);
      sqliteOf(api.ctx.store).db.pragma('query_only = ON'); // writes fail with SQLITE_READONLY, reads go on
      expect((await api.call('+4930123457')).variables.CALLFILTER_REASON).toBe('fail-open');
      expect((await api.json('GET', '/healthz')).body).toMatchObject({
        status: 'error',
        db: expect.stringContaining('the database is read-only'),
      });
      sqliteOf(api.ctx.store).db.pragma('query_only = OFF');
      await vi.waitFor(
        async () =>
          expect((await api.json('GET', '/healthz')).body).toEqual({ status: 'ok', db: 'ok', agi: 'listening' }),
        { timeout: 5_000 },
      );
    },
  );

  // Reaches into the SQLite file itself: SQLite only (a node on PostgreSQL: test/cluster).
  it.skipIf(onPostgres)('proves an idle database writable with a probe that leaves nothing behind', async () => {
    const api = await startApi();
    const version = sqliteOf(api.ctx.store).db.pragma('user_version');
    expect((await api.json('GET', '/healthz')).status).toBe(200);
    expect(sqliteOf(api.ctx.store).db.lastCallPathWrite).toEqual({ at: expect.any(Number) });
    expect(sqliteOf(api.ctx.store).db.pragma('user_version')).toBe(version);
    expect(await api.ctx.store.calls.count()).toBe(0);
    expect(await api.ctx.store.entries.count()).toBe(0);
  });
});

describe('/metrics', () => {
  // Reaches into the SQLite file itself: SQLite only (a node on PostgreSQL: test/cluster).
  it.skipIf(onPostgres)(
    'counts calls by action and reason, their latency, live sessions, errors and fail-opens',
    async () => {
      const api = await startApi({ env: { CALLFILTER_HOME_AREA_CODE: '30' } });
      await api.ctx.store.entries.create({ number: '+493012345670', kind: 'block' });
      await api.call('030 12345670');
      await api.call('030 12345670');
      await api.call('anonymous');
      const res = await api.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = res.body;
      expect(text).toContain('callfilter_calls_total{action="hangup",reason="blocklist"} 2');
      expect(text).toContain('callfilter_calls_total{action="voicemail",reason="anonymous"} 1');
      expect(text).toContain('callfilter_decision_seconds_count 3');
      expect(text).toMatch(/^callfilter_agi_sessions \d+$/m);
      expect(text).toContain('callfilter_fail_opens_total{why="closed"} 0');
      expect(text).toContain('callfilter_errors_total{source="screen",kind="closed"} 0');
      // No numbers and no names in the metrics.
      expect(text).not.toContain('+4930');

      // A failing database: the call fails open, and both counters move.
      sqliteOf(api.ctx.store).db.close();
      await api.call('030 12345670');
      const after = (await api.inject({ method: 'GET', url: '/metrics' })).body;
      expect(after).toContain('callfilter_fail_opens_total{why="closed"} 1');
      expect(after).toContain('callfilter_errors_total{source="screen",kind="closed"} 1');
      expect(after).toContain('callfilter_calls_total{action="connect",reason="fail-open"} 1');
    },
  );

  it('shows the three error counters at 0 from the start, so an alert on their increase fires on the first one', async () => {
    const api = await startApi();
    const text = (await api.inject({ method: 'GET', url: '/metrics' })).body;
    const zero = (line: string) => expect(text.split('\n')).toContain(`${line} 0`);
    for (const why of ['deadline', 'busy', 'readonly', 'full', 'io', 'corrupt', 'closed', 'error'])
      zero(`callfilter_fail_opens_total{why="${why}"}`);
    for (const kind of ['deadline', 'busy', 'readonly', 'full', 'error'])
      zero(`callfilter_errors_total{source="screen",kind="${kind}"}`);
    for (const kind of ['AgiTimeoutError', 'AgiProtocolError', 'handler'])
      zero(`callfilter_errors_total{source="agi",kind="${kind}"}`);
    zero('callfilter_errors_total{source="http",kind="internal"}');
    for (const reason of ['allow', 'max-connections', 'closing'])
      zero(`callfilter_agi_rejected_total{reason="${reason}"}`);
    // Only zeros: nothing has gone wrong yet.
    expect(text).not.toMatch(/^callfilter_(fail_opens|errors|agi_rejected)_total\{.*\} [1-9]/m);
  });

  it('counts rejected FastAGI connections', async () => {
    const api = await startApi({ env: { CALLFILTER_AGI_ALLOW: '10.0.0.1' } });
    await api.call('+4930123456').catch(() => undefined);
    await expect
      .poll(async () => (await api.inject({ method: 'GET', url: '/metrics' })).body)
      .toContain('callfilter_agi_rejected_total{reason="allow"} 1');
  });

  it("keeps each app's metrics apart (one registry per app)", async () => {
    const a = await startApi();
    const b = await startApi();
    await a.call('anonymous');
    expect((await a.inject({ method: 'GET', url: '/metrics' })).body).toContain('callfilter_decision_seconds_count 1');
    expect((await b.inject({ method: 'GET', url: '/metrics' })).body).toContain('callfilter_decision_seconds_count 0');
  });
});
