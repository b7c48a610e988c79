import { describe, expect, it } from 'vitest';
import { registerSourceMetrics } from '../../src/sources/status.js';
import { startApi } from '../helpers/api.js';
import { csvList, startListServer } from '../sources/list-server.js';

const DAY = 86_400_000;

describe('/api/v1/sources', () => {
  it('adds a list by URL, shows it with its status, syncs it, and never returns its credentials', async () => {
    const ls = await startListServer();
    ls.publish('/spam.csv', csvList(120));
    ls.requireAuth = 'Bearer publisher-secret';
    const api = await startApi({ env: { CALLFILTER_HOME_AREA_CODE: '30' } });
    const created = await api.json<Record<string, unknown>>('POST', '/api/v1/sources', {
      kind: 'url',
      name: 'spam-de',
      url: `${ls.base}/spam.csv`,
      format: 'csv',
      schedule: { interval: '6h' },
      credentials: { bearer: 'publisher-secret' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 1,
      name: 'spam-de',
      kind: 'url',
      list: 'spam-de',
      settings: { url: `${ls.base}/spam.csv`, format: 'csv' },
      hasCredentials: true,
      schedule: { interval: '6h', intervalMs: 6 * 3_600_000, jitterMs: 1_800_000 },
      enabled: true,
      failures: 0,
      stale: false,
    });
    expect(JSON.stringify(created.body)).not.toContain('publisher-secret');

    const synced = await api.json('POST', '/api/v1/sources/spam-de/sync');
    expect(synced).toEqual({
      status: 200,
      body: {
        id: 1,
        source: 'spam-de',
        outcome: 'synced',
        rows: 120,
        message: '120 numbers (csv)',
        cursor: expect.any(String),
        nextRunAt: expect.any(Number),
      },
    });
    const one = await api.json<Record<string, unknown>>('GET', '/api/v1/sources/1');
    expect(one.body).toMatchObject({
      rows: 120,
      cursor: expect.stringMatching(/^"/),
      lastSuccessAt: expect.any(Number),
      lastAttemptAt: expect.any(Number),
      nextRunAt: expect.any(Number),
    });
    expect(JSON.stringify((await api.json('GET', '/api/v1/sources')).body)).not.toContain('publisher-secret');
    expect((await api.json('POST', '/api/v1/sources/1/sync?accept=true')).body).toMatchObject({ outcome: 'synced' });
  });

  it('refuses what makes no source, naming the field', async () => {
    const api = await startApi();
    const post = (body: unknown) => api.json<{ message: string }>('POST', '/api/v1/sources', body);
    expect((await post({ kind: 'url', name: 'x' })).body.message).toBe('body/url: a list by URL needs its URL');
    expect((await post({ kind: 'url', name: 'x', url: 'ftp://lists.example/x.csv' })).body.message).toBe(
      'body/url: only http and https URLs can be fetched (got ftp:)',
    );
    expect((await post({ kind: 'url', name: 'x', url: 'https://anna:pw@lists.example/x.csv' })).body.message).toMatch(
      /^body\/url: put the user name and password into credentials/,
    );
    expect(
      (await post({ kind: 'url', name: 'x', url: 'https://lists.example/x.csv', schedule: { interval: '5m' } })).body
        .message,
    ).toBe('body/schedule/interval: at least 15m');
    expect((await post({ kind: 'phoneblock', name: 'pb' })).body.message).toMatch(
      /^body\/credentials\/token: a PhoneBlock subscription needs an API key/,
    );
    expect(
      (await post({ kind: 'phoneblock', name: 'pb', credentials: { token: 'k' }, schedule: { interval: '6h' } })).body
        .message,
    ).toBe('body/schedule/interval: at least 1d (PhoneBlock allows one incremental sync a day)');
    expect((await post({ kind: 'url', name: 'x', url: 'https://l.example/x', colour: 'red' })).body.message).toBe(
      'body must NOT have additional property "colour"',
    );
    expect((await post({ kind: 'carddav', name: 'x' })).status).toBe(400);
    expect((await api.json('GET', '/api/v1/lists')).body).toEqual({ items: [] });

    expect((await post({ kind: 'url', name: 'x', url: 'https://l.example/x' })).status).toBe(201);
    expect(await post({ kind: 'url', name: 'x', url: 'https://l.example/y' })).toEqual({
      status: 409,
      body: {
        error: 'conflict',
        code: 'source.exists',
        params: { name: 'x', id: 1 },
        message: 'a source named "x" already exists (id 1)',
      },
    });
    expect((await post({ kind: 'url', name: 'y', url: 'https://l.example/y', list: 'x' })).status).toBe(409);
  });

  it('ends a source with DELETE; its list stays', async () => {
    const api = await startApi();
    const { body } = await api.json<{ id: number; listId: number }>('POST', '/api/v1/sources', {
      kind: 'url',
      name: 'gone',
      url: 'https://l.example/x.csv',
    });
    expect((await api.inject({ method: 'DELETE', url: `/api/v1/sources/${body.id}` })).statusCode).toBe(204);
    expect((await api.json('GET', '/api/v1/sources/gone')).status).toBe(404);
    expect((await api.json('GET', `/api/v1/lists/${body.listId}`)).status).toBe(200);
    expect((await api.inject({ method: 'DELETE', url: `/api/v1/sources/${body.id}` })).statusCode).toBe(404);
  });

  it('names stale sources in /healthz (still 200) and shows each source in /metrics', async () => {
    const ls = await startListServer();
    ls.publish('/ok.csv', csvList(3));
    const clock = { now: Date.now() };
    const api = await startApi({ overrides: { clock: () => clock.now } });
    registerSourceMetrics(api.metrics.registry, api.ctx.store);
    await api.json('POST', '/api/v1/sources', { kind: 'url', name: 'fresh', url: `${ls.base}/ok.csv` });
    await api.json('POST', '/api/v1/sources', { kind: 'url', name: 'broken', url: `${ls.base}/missing.csv` });
    expect((await api.json('POST', '/api/v1/sources/fresh/sync')).body).toMatchObject({ outcome: 'synced' });
    expect((await api.json('POST', '/api/v1/sources/broken/sync')).body).toMatchObject({
      outcome: 'failed',
      message: expect.stringContaining('HTTP 404'),
    });
    expect((await api.json('GET', '/healthz')).body).toEqual({
      status: 'ok',
      db: 'ok',
      agi: 'listening',
      sources: 'ok',
    });

    clock.now += 3 * DAY + 60_000;
    const health = await api.json('GET', '/healthz');
    expect(health).toEqual({
      status: 200,
      body: {
        status: 'ok',
        db: 'ok',
        agi: 'listening',
        sources: 'stale: broken (never synced), fresh (last success 3 days ago)',
      },
    });
    expect((await api.json<{ stale: boolean }>('GET', '/api/v1/sources/fresh')).body.stale).toBe(true);

    const metrics = (await api.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^callfilter_source_last_success_timestamp_seconds\{source="fresh"\} \d+/m);
    expect(metrics).not.toContain('callfilter_source_last_success_timestamp_seconds{source="broken"}');
    expect(metrics).toContain('callfilter_source_sync_failures_total{source="broken"} 1');
    expect(metrics).toContain('callfilter_source_sync_failures_total{source="fresh"} 0');
  });
});
