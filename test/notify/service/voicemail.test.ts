/**
 * The voicemail beside the call, against a spool laid out as Asterisk 22 writes it (both formats of the shipped
 * `wav49|wav`, a message moved to Old and renumbered): the API serves the message a real screened call left, with
 * byte ranges; the page's call rows say whether there is one and how long it is; and the MQTT and webhook messages
 * of the call get their follow-up once the message appears — once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/api/app.js';
import { MIN_RUN_GAP_MS } from '../../../src/jobs/runner.js';
import { FOLLOW_UP_EVERY_MS, VOICEMAIL_KIND } from '../../../src/notify/outbox/voicemail.js';
import { NOTIFY_BATCH_MS } from '../../../src/notify/service.js';
import type { CallRecord } from '../../../src/store/index.js';
import { manualClock } from '../../helpers/manual-clock.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { type Received, watch } from '../../helpers/mqtt-watcher.js';
import { advanceUntil, type NotifyService, startNotifyService } from '../../helpers/notify-service.js';
import { makeSpool, type Spool } from '../../helpers/voicemail-spool.js';
import { startReceiver } from '../../helpers/webhook-receiver.js';

const TOKEN = 'voicemail-test-token-0123456789';
const json = (m: Received): Record<string, unknown> => JSON.parse(m.text) as Record<string, unknown>;

async function callRow(svc: NotifyService, caller: string): Promise<CallRecord> {
  const result = await svc.call(caller);
  return (await svc.ctx.store.calls.get(Number(result.variables.CALLFILTER_CALL_ID))) as CallRecord;
}

/** The message Asterisk records for `call`: 20 s after it came in (ringing, the greeting), on its channel. */
function leave(spool: Spool, call: CallRecord, n: number, seconds: number, formats?: ('wav49' | 'wav')[]): void {
  spool.add({
    mailbox: '100',
    n,
    callerchan: call.channel as string,
    callerid: `"" <${call.callerRaw}>`,
    origtime: Math.floor(call.at / 1000) + 20,
    seconds,
    ...(formats && { formats }),
  });
}

function app(svc: NotifyService): FastifyInstance {
  const a = buildApp(svc.ctx, {
    agiListening: svc.agiListening,
    metrics: svc.metrics,
    token: TOKEN,
    ...(svc.jobs.notify.voicemail && { voicemail: svc.jobs.notify.voicemail }),
  });
  return a;
}

const get = (a: FastifyInstance, url: string, headers: Record<string, string> = {}) =>
  a.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}`, ...headers } });

describe('the voicemail beside the call', () => {
  it('serves the message a call left, wherever it moved, with byte ranges; 404 when there is none or none a browser plays', async () => {
    const spool = makeSpool();
    const svc = await startNotifyService({ env: { CALLFILTER_VOICEMAIL_DIR: spool.root } });
    const a = app(svc);
    const left = await callRow(svc, '030 600001');
    const silent = await callRow(svc, '030 600002');
    const old = await callRow(svc, '030 600003');
    leave(spool, left, 0, 3);
    leave(spool, old, 1, 2, ['wav49']);

    const res = await get(a, `/api/v1/calls/${left.id}/voicemail`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    expect(res.headers['accept-ranges']).toBe('bytes');
    const wav = readFileSync(path.join(spool.root, 'default/100/INBOX/msg0000.wav'));
    expect(res.rawPayload.equals(wav)).toBe(true);
    expect(Number(res.headers['content-length'])).toBe(wav.length);

    // The page's audio element seeks with ranges
    const part = await get(a, `/api/v1/calls/${left.id}/voicemail`, { range: 'bytes=100-199' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${wav.length}`);
    expect(part.rawPayload.equals(wav.subarray(100, 200))).toBe(true);
    const open = await get(a, `/api/v1/calls/${left.id}/voicemail`, { range: 'bytes=0-' });
    expect([open.statusCode, open.headers['content-range'], open.rawPayload.length]).toEqual([
      206,
      `bytes 0-${wav.length - 1}/${wav.length}`,
      wav.length,
    ]);
    const tail = await get(a, `/api/v1/calls/${left.id}/voicemail`, { range: 'bytes=-10' });
    expect(tail.rawPayload.equals(wav.subarray(wav.length - 10))).toBe(true);
    const beyond = await get(a, `/api/v1/calls/${left.id}/voicemail`, { range: `bytes=${wav.length}-` });
    expect([beyond.statusCode, beyond.headers['content-range']]).toEqual([416, `bytes */${wav.length}`]);

    // Listened to: moved to Old and renumbered. Found again by channel and time, not by its name.
    spool.move({ mailbox: '100', folder: 'INBOX', n: 0 }, { folder: 'Old', n: 7 });
    const moved = await get(a, `/api/v1/calls/${left.id}/voicemail`);
    expect(moved.statusCode).toBe(200);
    expect(moved.rawPayload.equals(wav)).toBe(true);

    expect((await get(a, `/api/v1/calls/${silent.id}/voicemail`)).json()).toMatchObject({
      error: 'not_found',
      message: `call ${silent.id} left no voicemail message`,
    });
    const gsm = await get(a, `/api/v1/calls/${old.id}/voicemail`);
    expect(gsm.statusCode).toBe(404);
    expect(gsm.json<{ message: string }>().message).toContain(
      'recorded only as WAV, which browsers cannot play: add wav to format= in voicemail.conf',
    );
    expect((await a.inject({ method: 'GET', url: `/api/v1/calls/${left.id}/voicemail` })).statusCode).toBe(401);
    expect((await get(a, '/api/v1/calls/999/voicemail')).statusCode).toBe(404);

    // The page's rows: a message and its length, playable or not
    await svc.jobs.notify.voicemail?.refresh();
    const rows = (await get(a, '/api/v1/web/calls')).json<{ items: { id: number; voicemail?: unknown }[] }>().items;
    const vm = new Map(rows.map((r) => [r.id, r.voicemail]));
    expect(vm.get(left.id)).toEqual({ seconds: 3, playable: true });
    expect(vm.get(old.id)).toEqual({ seconds: 2, playable: false });
    expect(vm.get(silent.id)).toBeUndefined();
    await a.close();
  });

  it('sends the follow-up on MQTT and to the webhooks when the message appears, once', async () => {
    const spool = makeSpool();
    const broker = await startMosquitto();
    const hooks = await startReceiver();
    const clock = manualClock(Date.now());
    const svc = await startNotifyService({
      env: {
        CALLFILTER_VOICEMAIL_DIR: spool.root,
        CALLFILTER_MQTT_URL: broker.url,
        CALLFILTER_WEBHOOK_URL: `${hooks.url}/hook`,
      },
      jobs: { clock },
    });
    const w = await watch(broker.url, ['callfilter/voicemail', 'callfilter/last_call']);
    const call = await callRow(svc, '030 700001');
    await advanceUntil(clock, NOTIFY_BATCH_MS, () => hooks.requests.length === 1);

    leave(spool, call, 0, 12);
    await svc.jobs.notify.voicemail?.refresh();
    await advanceUntil(clock, FOLLOW_UP_EVERY_MS, () => w.messages.some((m) => m.topic === 'callfilter/voicemail'));
    const follow = json(await w.next((m) => m.topic === 'callfilter/voicemail'));
    expect(follow).toMatchObject({
      call_id: call.id,
      event_type: 'voicemail',
      voicemail_seconds: 12,
      caller: '+4930700001',
    });
    // the retained last call gains the message's length too
    await w.next((m) => m.topic === 'callfilter/last_call' && json(m).voicemail_seconds === 12);
    // the webhook's item is due at once; the outbox job runs again no sooner than MIN_RUN_GAP_MS after its last run
    await advanceUntil(clock, MIN_RUN_GAP_MS, () => hooks.requests.length === 2);
    expect(JSON.parse(hooks.requests[1]!.body)).toMatchObject({
      event: 'call.voicemail',
      id: `call-${call.id}-voicemail`,
      voicemail_seconds: 12,
    });

    // later looks find the same message and tell nobody again
    await clock.advance(FOLLOW_UP_EVERY_MS * 3);
    expect(await svc.ctx.store.outbox.countSince(VOICEMAIL_KIND, 0)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hooks.requests).toHaveLength(2);
    expect(w.messages.filter((m) => m.topic === 'callfilter/voicemail')).toHaveLength(1);
  });
});
