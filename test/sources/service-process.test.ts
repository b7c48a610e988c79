/**
 * The compiled service (npm start) with CALLFILTER_PHONEBLOCK_TOKEN: it creates the subscription, syncs at start
 * through its job runner, blocks a listed caller, reports the blocked call through the outbox when asked to, and
 * shows the source in /api/v1/sources, /metrics and /healthz — without ever logging the key.
 */
import { fakeCall } from 'asterisk-agi/testing';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/service.js';
import { startServer } from '../reliability/processes.js';
import { startFakePhoneblock } from './phoneblock-server.js';

const ADMIN = 'sources-test-admin-token-0123456789';

describe('the service with a PhoneBlock subscription', () => {
  it('syncs at start, blocks a listed caller, reports the blocked call, and shows it all', async () => {
    const pb = await startFakePhoneblock({ numbers: 10 });
    const server = await startServer({
      CALLFILTER_DATA_DIR: tempDir(),
      CALLFILTER_ADMIN_TOKEN: ADMIN,
      CALLFILTER_HOME_AREA_CODE: '30',
      CALLFILTER_PHONEBLOCK_TOKEN: pb.token,
      CALLFILTER_PHONEBLOCK_URL: pb.url,
      CALLFILTER_PHONEBLOCK_REPORT_BLOCKED: 'true',
    });
    const get = async (path: string) =>
      (await fetch(`${server.httpUrl}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json() as Promise<
        Record<string, unknown>
      >;
    await expect
      .poll(async () => ((await get('/api/v1/sources/phoneblock')) as { rows?: number }).rows, { timeout: 15_000 })
      .toBe(10);
    const source = await get('/api/v1/sources/phoneblock');
    expect(source).toMatchObject({
      kind: 'phoneblock',
      list: 'PhoneBlock',
      hasCredentials: true,
      cursor: '1',
      stale: false,
      schedule: { interval: '1d' },
    });
    expect(JSON.stringify(source)).not.toContain(pb.token);

    const call = await fakeCall(
      { port: server.agiPort },
      { script: 'screen', args: ['+4930999000'], env: { callerid: '030 10000001' } },
    );
    expect(call.variables).toMatchObject({ CALLFILTER_ACTION: 'announce', CALLFILTER_REASON: 'spam-list' });
    await expect.poll(() => pb.callReports, { timeout: 15_000 }).toEqual(['+493010000001']);

    const metrics = await (
      await fetch(`${server.httpUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).text();
    expect(metrics).toMatch(/^callfilter_source_last_success_timestamp_seconds\{source="phoneblock"\} \d+(\.\d+)?$/m);
    expect(metrics).toContain('callfilter_source_sync_failures_total{source="phoneblock"} 0');
    expect(await (await fetch(`${server.httpUrl}/healthz`)).json()).toEqual({
      status: 'ok',
      db: 'ok',
      agi: 'listening',
      sources: 'ok',
    });

    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    expect(server.stdout()).not.toContain(pb.token);
    expect(server.stderr()).not.toContain(pb.token);
  }, 60_000);
});
