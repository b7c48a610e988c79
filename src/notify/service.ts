/**
 * The household's notifications, wired into the service (issue 21): after each decided call — never on its path:
 * the hook only notes the call's id — MQTT (a live connection that queues and drops by itself, publisher.ts) and
 * the webhooks through the outbox (durable, retried for a day), for the calls of NOTIFY_BATCH_MS together; the
 * digest and the voicemail follow-up as jobs of the job runner.
 *
 * Built by createServiceJobs in every process that dispatches the outbox (the service, and the command line's
 * `report`), so any of them can deliver a queued item; only the service calls `start()`, which connects to the
 * broker and adds the jobs: a command-line run must never say `offline` on the service's status topic.
 */
import { existsSync } from 'node:fs';
import { allowCaller, blockCaller } from '../api/routes/call-actions.js';
import { languageOf } from '../config/language.js';
import type { AppContext } from '../context.js';
import type { JobClock, Timer } from '../jobs/clock.js';
import type { JobRunner } from '../jobs/runner.js';
import type { OutboxHandler } from '../outbox/types.js';
import type { Screened } from '../screen/screen-call.js';
import { productVersion, userAgent } from '../version.js';
import { VoicemailSpool } from '../voicemail/index.js';
import { callEvent } from './call-event.js';
import { createMailSender, type MailSender } from './mail/sender.js';
import { createMqttNotifier, KEPT_AWAY_ACTIONS, type MqttCommand, type MqttNotifier } from './mqtt/index.js';
import { digestJob } from './outbox/digest-job.js';
import { DIGEST_KIND, digestHandler } from './outbox/mail.js';
import { followUpJob, followUpRecorded, VOICEMAIL_KIND } from './outbox/voicemail.js';
import { createWebhookOutbox, type WebhookOutbox } from './outbox/webhooks.js';
import type { CallEvent } from './types.js';
import { createWebhookSenders } from './webhook/index.js';

/**
 * How long decided calls gather before they are told about together: under load a burst shares one commit of the
 * outbox; a household's call waits this long for its notification, which nobody notices.
 */
export const NOTIFY_BATCH_MS = 50;

export interface Notifications {
  /** For the service's onScreened hook: notes the call and returns; the work runs later and never fails the call. */
  onCallDecided(outcome: Screened): void;
  /** Calls of this node logged after they were answered (a cluster node's spooled rows): told as decided ones are. */
  onCallsLogged(callIds: readonly number[]): void;
  /** The outbox handlers of the channels (webhooks, the digest, the voicemail follow-up). */
  handlers: Record<string, OutboxHandler>;
  /** The voicemail spool index, shared with the page and the API; undefined without CALLFILTER_VOICEMAIL_DIR. */
  voicemail?: VoicemailSpool;
  /** The MQTT connection, once started. */
  mqtt(): MqttNotifier | undefined;
  /** The service only: connects to the broker and adds the digest and follow-up jobs to `runner`. */
  start(runner: JobRunner): Promise<void>;
  close(): Promise<void>;
}

export interface NotificationsOptions {
  clock: JobClock;
  /** Something was queued that is due now: the outbox job should look. */
  onQueued: () => void;
  /** MQTT reconnect period (tests shorten it). */
  mqttReconnectMs?: number;
  /** The jitter of a webhook receiver's backoff (tests fix it). */
  random?: () => number;
}

/** The calls kept away since local midnight and the latest call, so a restart continues where it was. */
async function mqttStart(ctx: AppContext, now: number): Promise<{ keptAwayToday: number; lastCall?: CallEvent }> {
  const today = (await ctx.store.calls.statsByDay(1, now, ctx.config.policy.timeZone))[0];
  const keptAwayToday = today ? KEPT_AWAY_ACTIONS.reduce((n, a) => n + today.byAction[a], 0) : 0;
  const last = (await ctx.store.calls.list({ limit: 1 })).items[0];
  return { keptAwayToday, ...(last && { lastCall: callEvent(last, ctx.config.numbering.homeCountry) }) };
}

export function createNotifications(ctx: AppContext, o: NotificationsOptions): Notifications {
  const { notify } = ctx.config;
  const log = ctx.logger.child({ subsystem: 'notify' });
  const timeZone = ctx.config.policy.timeZone;
  const language = () => languageOf(ctx.config);
  const homeCountry = () => ctx.config.numbering.homeCountry;
  const webhooks: WebhookOutbox | undefined = notify.webhook
    ? createWebhookOutbox({
        senders: createWebhookSenders({
          ...notify.webhook,
          language: language(),
          timeZone,
          userAgent: userAgent(),
          ...(notify.publicUrl !== undefined && { publicUrl: notify.publicUrl }),
        }),
        store: ctx.store,
        clock: o.clock,
        logger: log,
        homeCountry,
        ...(o.random && { random: o.random }),
      })
    : undefined;
  const mail: MailSender | undefined = notify.mail ? createMailSender(notify.mail) : undefined;
  const voicemail = notify.voicemailDir !== undefined ? new VoicemailSpool(notify.voicemailDir) : undefined;
  let mqtt: MqttNotifier | undefined;
  let live = false;

  async function command(command: MqttCommand, event: CallEvent): Promise<void> {
    const call = await ctx.store.calls.get(event.callId);
    if (!call) throw new Error(`call ${event.callId} is no longer in the call log`);
    const result = command === 'block' ? await blockCaller(ctx, call) : await allowCaller(ctx, call);
    log.info(
      { command, callId: call.id, entry: result.entry.id, removed: result.removed.length },
      'Home Assistant button: the caller of the last call was changed',
    );
  }

  /** Calls (or voicemail follow-ups) to every channel: MQTT at once, the webhooks into the outbox in one commit. */
  async function tell(events: readonly CallEvent[]): Promise<void> {
    for (const event of events) mqtt?.publishCall(event);
    if (webhooks && (await webhooks.enqueue(events))) o.onQueued();
  }

  // The decided calls since the last flush: the hook only notes the call's id; a flush reads the rows and tells the
  // channels about all of them at once, so a burst of calls costs one commit instead of one each.
  let pending: number[] = [];
  let flushTimer: Timer | undefined;
  let flushing: Promise<void> = Promise.resolve();
  const note = (callIds: readonly number[]) => {
    if (!live || callIds.length === 0 || (!mqtt && !webhooks)) return;
    pending.push(...callIds);
    flushTimer ??= o.clock.setTimer(() => void flush(), NOTIFY_BATCH_MS);
  };
  const flush = (): Promise<void> => {
    flushTimer?.cancel();
    flushTimer = undefined;
    const ids = pending;
    pending = [];
    if (ids.length === 0) return flushing;
    flushing = flushing.then(async () => {
      try {
        const country = homeCountry();
        const events = (await ctx.store.calls.getMany(ids)).map((call) => callEvent(call, country));
        await tell(events);
      } catch (err) {
        log.warn({ err, calls: ids.length }, 'could not tell the household about calls; the calls were not affected');
      }
    });
    return flushing;
  };

  return {
    onCallDecided(outcome) {
      if (outcome.callId !== undefined) note([outcome.callId]);
    },
    onCallsLogged: note,
    handlers: {
      ...webhooks?.handlers,
      [DIGEST_KIND]: digestHandler(mail, () => o.clock.now()),
      [VOICEMAIL_KIND]: followUpRecorded,
    },
    ...(voicemail && { voicemail }),
    mqtt: () => mqtt,
    async start(runner) {
      if (live) return;
      live = true;
      if (notify.mqtt) {
        const since = await mqttStart(ctx, o.clock.now());
        mqtt = createMqttNotifier({
          ...notify.mqtt,
          language: language(),
          timeZone,
          swVersion: productVersion(),
          ...(notify.publicUrl !== undefined && { publicUrl: notify.publicUrl }),
          ...since,
          onCommand: command,
          logger: log,
          ...(o.mqttReconnectMs !== undefined && { reconnectPeriodMs: o.mqttReconnectMs }),
        });
      }
      if (mail && notify.digest !== 'off') {
        runner.add(
          digestJob({
            store: ctx.store,
            schedule: notify.digest,
            timeZone,
            language,
            homeCountry,
            ...(notify.publicUrl !== undefined && { publicUrl: notify.publicUrl }),
            mailName: mail.name,
            logger: log,
            onQueued: o.onQueued,
          }),
        );
      }
      if (voicemail) {
        if (!existsSync(voicemail.root))
          log.warn(
            { dir: voicemail.root },
            'CALLFILTER_VOICEMAIL_DIR does not exist (yet): no voicemail is found until Asterisk creates it',
          );
        if (mqtt || webhooks)
          runner.add(
            followUpJob({
              store: ctx.store,
              spool: voicemail,
              homeCountry,
              logger: log,
              tell: (event) => tell([event]),
            }),
          );
      }
      log.info(
        {
          mqtt: mqtt ? `${mqtt.settings.url} (${mqtt.settings.prefix}/…)` : 'off',
          webhooks: notify.webhook
            ? `${notify.webhook.urls.split(',').filter((u) => u.trim()).length} URL(s), events ${notify.webhook.events}`
            : 'off',
          digest: notify.digest === 'off' ? 'off' : `${notify.digest} to ${mail?.name}`,
          voicemail: voicemail?.root ?? 'off',
          language: language(),
        },
        'notifications',
      );
    },
    async close() {
      live = false;
      await flush();
      mail?.close();
      await mqtt?.close();
    },
  };
}
