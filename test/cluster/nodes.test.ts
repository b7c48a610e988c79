/**
 * Two callfilter nodes on one real PostgreSQL (issue 22), each with its FastAGI server and admin API, calls through
 * the fake Asterisk over real TCP: a block made through node B screens on node A within a second, a caller counts as
 * the same caller on both, a person signed in through A is signed in on B, and while PostgreSQL is stopped calls are
 * still decided and their rows reach the shared log once it is back. Each node's live view shows every node's calls.
 */
import { describe, expect, it } from 'vitest';
import { startApi, type TestApi, TOKEN } from '../helpers/api.js';
import { type PgCluster, startPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/service.js';
import { startWeb } from '../helpers/web.js';
import { ENTRY, startChild } from '../reliability/processes.js';

const HAMBURG = { CALLFILTER_HOME_COUNTRY: 'DE', CALLFILTER_HOME_AREA_CODE: '40' };

async function twoNodes(cluster: PgCluster): Promise<[TestApi, TestApi]> {
  const url = cluster.url(await cluster.createDatabase('cluster'));
  const node = () =>
    startApi({
      env: { ...HAMBURG, CALLFILTER_DATABASE_URL: url, CALLFILTER_ADMIN_TOKEN: TOKEN },
      overrides: { node: true },
    });
  const a = await node();
  return [a, await node()];
}

const sharedLog = async (node: TestApi) =>
  (await node.ctx.store.calls.list({ limit: 100 })).items.map((c) => ({
    caller: c.caller,
    action: c.action,
    reason: c.reason,
  }));

describe('two nodes sharing PostgreSQL', () => {
  it('screen a block made through the other node within a second, and log every call once in the shared log', async () => {
    const cluster = await startPostgres();
    const [a, b] = await twoNodes(cluster);
    expect((await a.call('040 5551234')).variables.CALLFILTER_ACTION).toBe('voicemail');

    const blocked = await b.json('POST', '/api/v1/entries', { number: '040 5551234', kind: 'block', label: 'Umfrage' });
    expect(blocked.status).toBe(201);
    const started = performance.now();
    let tookMs = Number.POSITIVE_INFINITY;
    for (let i = 2; performance.now() - started < 1_000; i++) {
      const call = await a.call('040 5551234', { env: { uniqueid: `try-${i}` } });
      if (call.variables.CALLFILTER_REASON === 'blocklist') {
        tookMs = performance.now() - started;
        break;
      }
    }
    expect(tookMs).toBeLessThan(1_000);
    const log = await sharedLog(b);
    expect(log.filter((c) => c.reason === 'blocklist').length).toBe(1);
    expect(log.length).toBe(a.outcomes.length); // every call A decided is in the shared log, once
  }, 120_000);

  it('count a caller who tried node A and then node B as the same caller', async () => {
    const cluster = await startPostgres();
    const [a, b] = await twoNodes(cluster);
    const first = await a.call('040 5559876');
    expect(first.variables.CALLFILTER_ACTION).toBe('voicemail');
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // B's copy of the recent calls is at most 1 s behind
    const second = await b.call('040 5559876', { env: { uniqueid: 'second' } });
    expect(second.variables).toMatchObject({ CALLFILTER_ACTION: 'connect', CALLFILTER_REASON: 'repeat-caller' });
  }, 120_000);

  it('keep a person signed in through node A signed in on node B, and signed out on both', async () => {
    const cluster = await startPostgres();
    const [a, b] = await twoNodes(cluster);
    const signIn = await a.app.inject({ method: 'POST', url: '/session', payload: { token: TOKEN } });
    expect(signIn.statusCode).toBe(200);
    const cookie = `callfilter_session=${signIn.cookies.find((c) => c.name === 'callfilter_session')?.value}`;
    const { csrfToken } = signIn.json<{ csrfToken: string }>();
    const onB = await b.inject({ method: 'GET', url: '/api/v1/entries', auth: false, headers: { cookie } });
    expect(onB.statusCode).toBe(200);
    const out = await b.app.inject({
      method: 'DELETE',
      url: '/session',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.statusCode).toBe(204);
    const onA = await a.inject({ method: 'GET', url: '/api/v1/entries', auth: false, headers: { cookie } });
    expect(onA.statusCode).toBe(401);
  }, 120_000);

  it('decide calls while PostgreSQL is stopped, and write their rows once it is back', async () => {
    const cluster = await startPostgres();
    const [a, b] = await twoNodes(cluster);
    await b.json('POST', '/api/v1/entries', { number: '040 5550001', kind: 'block' });
    await expect
      .poll(async () => (await a.call('040 5550001')).variables.CALLFILTER_REASON, { timeout: 2_000 })
      .toBe('blocklist');
    const before = (await a.ctx.store.calls.count()) as number;
    await cluster.stop();
    const during = [];
    for (let i = 0; i < 10; i++)
      during.push(await a.call(i % 2 ? '040 5550001' : `040 55599${i}`, { env: { uniqueid: `down-${i}` } }));
    expect(during.map((c) => c.variables.CALLFILTER_ACTION)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? 'hangup' : 'voicemail')),
    );
    const health = await a.inject({ method: 'GET', url: '/healthz', auth: false });
    expect(health.statusCode).toBe(200);
    expect(health.json<{ db: string }>().db).toMatch(
      /^degraded: PostgreSQL has not taken the call log since .*; 10 rows wait in the spool/,
    );

    await cluster.start();
    await expect
      .poll(async () => a.ctx.store.calls.count().catch(() => -1), { timeout: 15_000, interval: 100 })
      .toBe(before + 10);
    await expect
      .poll(async () => (await a.inject({ method: 'GET', url: '/healthz', auth: false })).json<{ db: string }>().db, {
        timeout: 5_000,
      })
      .toBe('ok');
  }, 120_000);

  it("show every node's calls in each node's live view, and a node's spooled calls once PostgreSQL is back", async () => {
    const cluster = await startPostgres();
    const url = cluster.url(await cluster.createDatabase('live'));
    const node = () => startWeb({ env: { ...HAMBURG, CALLFILTER_DATABASE_URL: url }, overrides: { node: true } });
    const a = await node();
    const b = await node();
    const seenOnA: number[] = [];
    a.events.subscribe((id) => seenOnA.push(id));
    const idOf = (call: { variables: Record<string, string> }) => Number(call.variables.CALLFILTER_CALL_ID);

    const onB = idOf(await b.call('040 5552222'));
    const onA = idOf(await a.call('040 5553333'));
    await expect.poll(() => seenOnA.includes(onB), { timeout: 3_000, interval: 50 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // a poll or two later: nothing is told twice
    expect(seenOnA.sort()).toEqual([onB, onA].sort());

    await cluster.stop();
    const spooled = [];
    for (let i = 0; i < 3; i++) spooled.push(await a.call(`040 555444${i}`, { env: { uniqueid: `down-${i}` } }));
    expect(spooled.map((c) => c.variables.CALLFILTER_CALL_ID)).toEqual([undefined, undefined, undefined]);
    await cluster.start();
    await expect.poll(() => seenOnA.length, { timeout: 15_000, interval: 100 }).toBe(5);
    const rows = await a.ctx.store.calls.list({ limit: 10 });
    const downIds = rows.items.filter((c) => c.uniqueId?.startsWith('down-')).map((c) => c.id);
    expect(seenOnA.slice(2).sort()).toEqual(downIds.sort());
  }, 120_000);

  it('a node without CALLFILTER_ADMIN_TOKEN refuses to start, before it connects anywhere', async () => {
    const proc = startChild([ENTRY], {
      CALLFILTER_DATA_DIR: tempDir(),
      CALLFILTER_AGI_PORT: '0',
      CALLFILTER_HTTP_PORT: '0',
      CALLFILTER_DATABASE_URL: 'postgres://callfilter@127.0.0.1:1/callfilter',
    });
    const { code } = await proc.exited;
    expect(code, proc.stderr()).toBe(78);
    expect(proc.stderr()).toMatch(
      /^callfilter: with CALLFILTER_DATABASE_URL, set CALLFILTER_ADMIN_TOKEN to one token on every node/,
    );
  }, 20_000);
});
