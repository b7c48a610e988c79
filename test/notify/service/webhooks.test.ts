/**
 * Webhooks wired into the service: real calls screened over FastAGI, queued in the outbox after their decision, and
 * delivered by the outbox job to local receivers that check the signature with the documented snippet. A receiver
 * that fails at first is tried once per backoff step (not once per waiting call) and sees each event once; the
 * others are never sent an event again; a restart delivers what was left; the delivery log names no secret.
 * Time is a manual clock: a day of backoff runs in milliseconds.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/api/app.js';
import { MIN_RUN_GAP_MS } from '../../../src/jobs/runner.js';
import { registerNotifyMetrics } from '../../../src/notify/metrics.js';
import { BACKLOG_KIND, type BacklogPayload, WEBHOOK_KIND } from '../../../src/notify/outbox/webhooks.js';
import { NOTIFY_BATCH_MS } from '../../../src/notify/service.js';
import type { OutboxItem } from '../../../src/store/index.js';
import { type ManualClock, manualClock } from '../../helpers/manual-clock.js';
import { advanceUntil, type NotifyService, startNotifyService } from '../../helpers/notify-service.js';
import { tempDir } from '../../helpers/service.js';
import { documentedVerify, type Verify } from '../../helpers/verify-snippet.js';
import { type ReceivedRequest, startReceiver } from '../../helpers/webhook-receiver.js';

const SECRET = 'whsec_0123456789abcdef';
const TOKEN = 'webhook-test-token-0123456789';

/**
 * A receiver that takes only correctly signed requests (the ids it took in `accepted`), failing the first `failures`
 * with 503 — or every request until `heal()`.
 */
async function receiver(verify: Verify, failures: number | 'until healed' = 0) {
  const accepted: string[] = [];
  let refused = 0;
  let healed = false;
  const r = await startReceiver((req: ReceivedRequest) => {
    if (!verify(req.headers['x-callfilter-signature'] as string | undefined, req.body, SECRET)) return { status: 401 };
    if (failures === 'until healed' ? !healed : refused < failures) {
      refused++;
      return { status: 503, body: 'maintenance' };
    }
    accepted.push((JSON.parse(req.body) as { id: string }).id);
    return { status: 204 };
  });
  return { ...r, accepted, heal: () => void (healed = true) };
}

async function webhookItems(svc: NotifyService): Promise<OutboxItem[]> {
  return (await svc.ctx.store.outbox.log({ kind: WEBHOOK_KIND })).items;
}

/**
 * Nothing is due or in a dispatcher's hands: the outbox job's run is over (it ends within the same turn as its last
 * item's verdict). Moving the clock during a run would make the job's next run come later than the test expects.
 */
async function settled(svc: NotifyService, clock: ManualClock, receiver?: string): Promise<boolean> {
  const items = (await webhookItems(svc)).filter(
    (i) => receiver === undefined || (i.payload as { name: string }).name.includes(receiver),
  );
  return items.every((i) => i.status !== 'pending' || i.nextAttemptAt > clock.now());
}

describe('webhooks from the service', () => {
  it('delivers every call to every URL, signed; a failing receiver is retried per backoff step and sees each event once', async () => {
    const verify = await documentedVerify();
    const flaky = await receiver(verify, 2);
    const steady = await receiver(verify);
    const clock = manualClock(Date.now());
    const svc = await startNotifyService({
      env: {
        CALLFILTER_WEBHOOK_URL: `${flaky.url}/hook/path-s3cret?token=tok-s3cret,${steady.url}/hook`,
        CALLFILTER_WEBHOOK_SECRET: SECRET,
        CALLFILTER_PUBLIC_URL: 'https://cf.example.org/',
      },
      jobs: { clock, random: () => 1 },
    });
    const ids: number[] = [];
    for (let i = 1; i <= 5; i++) ids.push(Number((await svc.call(`030 44444${i}`)).variables.CALLFILTER_CALL_ID));
    const events = ids.map((id) => `call-${id}-decided`);

    // The calls are told about together after NOTIFY_BATCH_MS. The first attempt: the steady receiver takes all five;
    // the flaky one is asked once, fails, and its other events wait for its next try instead of failing one by one.
    await advanceUntil(
      clock,
      NOTIFY_BATCH_MS,
      async () => steady.accepted.length === 5 && (await settled(svc, clock)),
      'steady took 5',
    );
    expect(steady.accepted.sort()).toEqual([...events].sort());
    expect(flaky.requests).toHaveLength(1);
    const waiting = (await webhookItems(svc)).filter((i) => i.status === 'pending');
    expect(waiting).toHaveLength(5);
    expect(new Set(waiting.map((i) => i.nextAttemptAt)).size).toBe(1);

    // Calls while the receiver is down: the steady one gets them at once; for the flaky one they get no item each —
    // one backlog item remembers the first, the call log keeps the rest.
    for (let i = 6; i <= 8; i++) ids.push(Number((await svc.call(`030 44444${i}`)).variables.CALLFILTER_CALL_ID));
    events.push(...ids.slice(5).map((id) => `call-${id}-decided`));
    // (the outbox job runs again no sooner than 10 s after its last run: MIN_RUN_GAP_MS)
    await advanceUntil(
      clock,
      MIN_RUN_GAP_MS,
      async () => steady.accepted.length === 8 && (await settled(svc, clock)),
      'steady took 8',
    );
    const flakyHost = new URL(flaky.url).host;
    const ofFlaky = (i: OutboxItem) => (i.payload as { name: string }).name.includes(flakyHost);
    expect((await webhookItems(svc)).filter(ofFlaky)).toHaveLength(5);
    const backlog = (await svc.ctx.store.outbox.log({ kind: BACKLOG_KIND })).items;
    expect(backlog.map((i) => [i.status, (i.payload as BacklogPayload).fromCallId])).toEqual([['pending', ids[5]]]);
    const registry = new Registry();
    registerNotifyMetrics(registry, svc.ctx.store, svc.jobs.notify);
    expect(await registry.getSingleMetricAsString('callfilter_outbox_pending')).toMatch(
      /^callfilter_outbox_pending\{kind="webhook"\} 5$/m,
    );

    // The outbox's backoff: 30 s, then 60 s (random() = 1: the full delay); each time one request.
    await advanceUntil(
      clock,
      30_000 - MIN_RUN_GAP_MS,
      async () => flaky.requests.length === 2 && (await settled(svc, clock)),
      'flaky asked twice',
    );
    expect(flaky.accepted).toEqual([]);
    // Back: the five waiting items go out, the backlog sends its oldest call and queues the other two, which go out
    // on the outbox job's next run.
    const fiveAndProbe = async () =>
      flaky.accepted.length === 6 &&
      (await svc.ctx.store.outbox.log({ kind: BACKLOG_KIND })).items[0]?.status === 'done';
    await advanceUntil(clock, 60_000, fiveAndProbe, "flaky took 5 and the backlog's first");
    await advanceUntil(
      clock,
      MIN_RUN_GAP_MS,
      async () => flaky.accepted.length === 8 && (await settled(svc, clock)),
      'flaky took 8',
    );
    expect(flaky.accepted.sort()).toEqual([...events].sort());
    expect(flaky.requests).toHaveLength(10);
    expect(steady.requests).toHaveLength(8);
    expect((await webhookItems(svc)).every((i) => i.status === 'done')).toBe(true);

    // What a receiver gets: the JSON, its headers, a link to the call
    const body = JSON.parse(steady.requests[0]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      event: 'call.decided',
      caller_kind: 'number',
      action: 'voicemail',
      reason: 'unknown',
      url: expect.stringMatching(/^https:\/\/cf\.example\.org\/#calls\/\d+$/),
    });
    expect(steady.requests[0]!.headers).toMatchObject({
      'x-callfilter-event': 'call.decided',
      'content-type': 'application/json',
    });

    // The delivery log: every item with its receiver and event, never the URL's path, query or the secret
    const app = buildApp(svc.ctx, { agiListening: svc.agiListening, metrics: svc.metrics, token: TOKEN });
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/deliveries?kind=webhook&limit=4',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    const log = res.json<{ items: Record<string, unknown>[]; nextCursor?: number }>();
    expect(log.items).toHaveLength(4);
    expect(log.nextCursor).toBeDefined();
    expect(log.items.find((i) => i.target === `json http://${flakyHost}/…`)).toMatchObject({
      kind: 'webhook',
      status: 'done',
      attempts: 1,
      event: expect.stringMatching(/^call-\d+-decided$/),
      callId: expect.any(Number),
    });
    expect(res.body).not.toMatch(/s3cret|whsec/);
    const rest = await app.inject({
      method: 'GET',
      url: `/api/v1/deliveries?cursor=${log.nextCursor}`,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    // steady 8, flaky 5 and the 2 of its backlog (its first went out as the backlog's probe), and the backlog itself
    const older = rest.json<{ items: Record<string, unknown>[] }>().items;
    expect(older).toHaveLength(12);
    expect(older.find((i) => i.kind === BACKLOG_KIND)).toMatchObject({
      status: 'done',
      target: `json http://${flakyHost}/…`,
      event: `calls from ${ids[5]}`,
    });
    expect((await app.inject({ method: 'GET', url: '/api/v1/deliveries' })).statusCode).toBe(401);
    await app.close();
  });

  it('tells only about the actions CALLFILTER_WEBHOOK_EVENTS names', async () => {
    const hooks = await startReceiver();
    const clock = manualClock(Date.now());
    const svc = await startNotifyService({
      env: { CALLFILTER_WEBHOOK_URL: `${hooks.url}/x`, CALLFILTER_WEBHOOK_EVENTS: 'hangup,announce' },
      jobs: { clock },
    });
    await svc.ctx.store.entries.create({ number: '+4930111111', kind: 'block', source: 'api' });
    await svc.call('030 222222');
    const blocked = await svc.call('030 111111');
    await advanceUntil(clock, NOTIFY_BATCH_MS, () => hooks.requests.length === 1);
    expect(JSON.parse(hooks.requests[0]!.body)).toMatchObject({
      call_id: Number(blocked.variables.CALLFILTER_CALL_ID),
      action: 'hangup',
    });
    expect(await webhookItems(svc)).toHaveLength(1);
  });

  it('delivers after a restart what was left undelivered — its items and its backlog — once', async () => {
    const verify = await documentedVerify();
    const hook = await receiver(verify, 'until healed');
    const dataDir = tempDir();
    const env = { CALLFILTER_WEBHOOK_URL: `${hook.url}/hook`, CALLFILTER_WEBHOOK_SECRET: SECRET };
    const firstClock = manualClock(Date.now());
    const first = await startNotifyService({ dataDir, env, jobs: { clock: firstClock, random: () => 1 } });
    const ids = [];
    for (let i = 1; i <= 3; i++) ids.push(Number((await first.call(`030 55555${i}`)).variables.CALLFILTER_CALL_ID));
    await advanceUntil(
      firstClock,
      NOTIFY_BATCH_MS,
      async () => hook.requests.length === 1 && (await settled(first, firstClock)),
    );
    expect((await webhookItems(first)).map((i) => i.status)).toEqual(['pending', 'pending', 'pending']);
    // two more while it is down: its backlog
    for (let i = 4; i <= 5; i++) ids.push(Number((await first.call(`030 55555${i}`)).variables.CALLFILTER_CALL_ID));
    await advanceUntil(
      firstClock,
      NOTIFY_BATCH_MS,
      async () => (await first.ctx.store.outbox.log({ kind: BACKLOG_KIND })).items.length === 1,
    );
    await first.close();

    // The receiver is back; a new process on the same data folder finds the items and the backlog and sends them
    // when they are due (30 s after the first process's failure).
    hook.heal();
    const clock = manualClock(Math.max(Date.now(), firstClock.now()));
    const second = await startNotifyService({ dataDir, env, jobs: { clock, random: () => 1 } });
    await advanceUntil(clock, 60_000, async () => hook.accepted.length === 5 && (await settled(second, clock)));
    expect(hook.accepted.sort()).toEqual(ids.map((id) => `call-${id}-decided`).sort());
    expect((await second.ctx.store.outbox.log({ kind: BACKLOG_KIND })).items.map((i) => i.status)).toEqual(['done']);
  });
});
