/**
 * Reporting back to PhoneBlock through the outbox: a person's rating (API), each call the PhoneBlock list blocked
 * (opt-in, at most 20 a UTC day), delivery later when PhoneBlock cannot be reached.
 */
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/outbox/dispatcher.js';
import {
  enqueueRating,
  phoneblockHandlers,
  RATE_KIND,
  REPORT_CALL_KIND,
} from '../../src/sources/phoneblock/reports.js';
import { startApi } from '../helpers/api.js';
import { manualClock, settle } from '../helpers/manual-clock.js';
import { silent, subscription } from './helpers.js';
import { startFakePhoneblock } from './phoneblock-server.js';

describe('reporting a caller to PhoneBlock', () => {
  it('queues the rating from a call-log row and delivers it with the API key', async () => {
    const pb = await startFakePhoneblock();
    const api = await startApi({
      env: {
        CALLFILTER_PHONEBLOCK_TOKEN: pb.token,
        CALLFILTER_PHONEBLOCK_URL: pb.url,
        CALLFILTER_HOME_AREA_CODE: '30',
      },
    });
    expect((await api.json('GET', '/api/v1/sources')).body).toEqual({ items: [] });
    // The source the environment asks for (the service creates it at start; here through the API's own sources).
    await api.json('POST', '/api/v1/sources', {
      kind: 'phoneblock',
      name: 'phoneblock',
      url: pb.url,
      credentials: { token: pb.token },
    });
    const call = await api.call('030 4445556');
    const id = call.variables.CALLFILTER_CALL_ID;
    const res = await api.json('POST', `/api/v1/calls/${id}/report`, {
      rating: 'fraud',
      comment: 'said I won a cruise',
    });
    expect(res).toEqual({
      status: 202,
      body: { outboxId: expect.any(Number), phone: '+49304445556', rating: 'G_FRAUD' },
    });
    expect(pb.rated).toEqual([]);

    const clock = manualClock(Date.now());
    const dispatcher = createDispatcher({
      store: api.ctx.store,
      clock,
      owner: 'test',
      logger: silent,
      handlers: phoneblockHandlers({ ctx: api.ctx, clock, fetch, random: Math.random }),
    });
    expect(await dispatcher.dispatchDue()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(pb.rated).toEqual([{ phone: '+49304445556', rating: 'G_FRAUD', comment: 'said I won a cruise' }]);
    const sent = pb.requests.find((r) => r.path.endsWith('/rate'));
    expect(sent?.headers).toMatchObject({
      authorization: `Bearer ${pb.token}`,
      'user-agent': expect.stringMatching(/^callfilter\//),
    });
    expect((await api.ctx.store.outbox.log({ kind: RATE_KIND })).items[0]).toMatchObject({
      status: 'done',
      attempts: 1,
    });
  });

  it('is refused in words without an API key, and for a withheld caller', async () => {
    const api = await startApi({ env: { CALLFILTER_HOME_AREA_CODE: '30' } });
    const call = await api.call('030 4445556');
    const off = await api.json('POST', `/api/v1/calls/${call.variables.CALLFILTER_CALL_ID}/report`, {
      rating: 'advertising',
    });
    expect(off).toEqual({
      status: 409,
      body: {
        error: 'conflict',
        code: 'report.needs_key',
        params: {},
        message:
          'reporting to PhoneBlock needs its API key: set CALLFILTER_PHONEBLOCK_TOKEN (or add a PhoneBlock source)',
      },
    });
    const withheld = await api.call('anonymous');
    const res = await api.json('POST', `/api/v1/calls/${withheld.variables.CALLFILTER_CALL_ID}/report`, {
      rating: 'advertising',
    });
    expect(res.status).toBe(409);
    expect(
      (await api.json('POST', `/api/v1/calls/${call.variables.CALLFILTER_CALL_ID}/report`, { rating: 'annoying' }))
        .body,
    ).toMatchObject({
      error: 'bad_request',
      message: 'body/rating must be one of missed, ping, poll, advertising, gamble, fraud',
    });
  });

  it('is sent later when PhoneBlock cannot be reached', async () => {
    const sub = await subscription();
    const clock = manualClock(Date.now());
    const dispatcher = createDispatcher({
      store: sub.svc.ctx.store,
      clock,
      owner: 'test',
      logger: silent,
      handlers: phoneblockHandlers({ ctx: sub.svc.ctx, clock, fetch, random: () => 1 }),
    });
    await enqueueRating(sub.svc.ctx, clock.now(), { phone: '+4930999888', rating: 'ping' });
    sub.pb.reportStatus = 503;
    expect(await dispatcher.dispatchDue()).toEqual({ delivered: 0, retried: 1, dead: 0 });
    expect((await sub.svc.ctx.store.outbox.log()).items[0]).toMatchObject({
      status: 'pending',
      lastError: 'PhoneBlock /rate answered 503',
    });
    sub.pb.reportStatus = 200;
    await clock.advance(30_000);
    expect(await dispatcher.dispatchDue()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(sub.pb.rated).toEqual([{ phone: '+4930999888', rating: 'C_PING' }]);
  });
});

describe('reporting blocked calls (CALLFILTER_PHONEBLOCK_REPORT_BLOCKED)', () => {
  it('queues each call the PhoneBlock list blocked, once per number and day, at most 20 a day', async () => {
    const sub = await subscription({ numbers: 30, env: { CALLFILTER_PHONEBLOCK_REPORT_BLOCKED: 'true' } });
    await sub.sync();
    await sub.svc.ctx.store.entries.create({ number: '+4930777777', kind: 'block' });
    const decided = async (caller: string) => {
      const call = await sub.svc.call(caller, { env: { uniqueid: `${caller}-${Math.random()}` } });
      const outcome = sub.svc.outcomes.at(-1)!;
      sub.jobs.reporter.onCallDecided(outcome);
      await settle(20);
      return call;
    };
    expect((await decided('030 10000001')).variables.CALLFILTER_REASON).toBe('spam-list');
    await decided('030 10000001');
    await decided('030 777777');
    await decided('0170 1234567');
    expect((await sub.svc.ctx.store.outbox.log({ kind: REPORT_CALL_KIND })).items.map((i) => i.payload)).toEqual([
      { source: 1, phone: '+493010000001' },
    ]);

    for (let i = 2; i < 30; i++) await decided(`030 ${10000000 + i}`);
    expect(await sub.svc.ctx.store.outbox.countSince(REPORT_CALL_KIND, 0)).toBe(20);

    const clock = manualClock(Date.now());
    const dispatcher = createDispatcher({
      store: sub.svc.ctx.store,
      clock,
      owner: 'test',
      logger: silent,
      handlers: phoneblockHandlers({ ctx: sub.svc.ctx, clock, fetch, random: Math.random }),
    });
    expect(await dispatcher.dispatchDue()).toEqual({ delivered: 20, retried: 0, dead: 0 });
    expect(sub.pb.callReports[0]).toBe('+493010000001');
  });

  it('queues the blocked calls a cluster node logs only later (from its spool) as it queues decided ones', async () => {
    const sub = await subscription({ numbers: 5, env: { CALLFILTER_PHONEBLOCK_REPORT_BLOCKED: 'true' } });
    await sub.sync();
    await sub.svc.call('030 10000001');
    await sub.svc.call('0170 1234567');
    sub.jobs.reporter.onCallsLogged(sub.svc.outcomes.map((o) => o.callId as number));
    await settle(20);
    expect((await sub.svc.ctx.store.outbox.log({ kind: REPORT_CALL_KIND })).items.map((i) => i.payload)).toEqual([
      { source: 1, phone: '+493010000001' },
    ]);
  });

  it('queues nothing unless turned on', async () => {
    const sub = await subscription({ numbers: 5 });
    await sub.sync();
    await sub.svc.call('030 10000001');
    sub.jobs.reporter.onCallDecided(sub.svc.outcomes.at(-1)!);
    await settle(20);
    expect(await sub.svc.ctx.store.outbox.countSince(REPORT_CALL_KIND, 0)).toBe(0);
  });
});
