/**
 * The MQTT channel: publishes each call for Home Assistant and anything else on the broker, announces the entities
 * by discovery, and (when enabled) turns HA's two buttons into block/allow of the last caller.
 *
 * A broker that is down never blocks or fails a caller of `publishCall()`: it returns at once and never throws.
 * While the connection is down, or while MAX_IN_FLIGHT messages wait for the broker's acknowledgement (a half-open
 * connection that only the keepalive will notice), messages wait in a bounded queue: retained state (last call,
 * counter) keeps only its latest value per topic, and call messages beyond MAX_QUEUED push out the oldest, which are
 * counted in `stats().dropped`. MQTT.js reconnects by itself every `reconnectPeriodMs`; on each connect the client
 * says `online` (retained; the broker publishes the last will `offline` when the connection dies), re-announces the
 * entities, and sends what waited.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../../logger.js';
import { callLink } from '../link.js';
import type { CallEvent, NotifyLanguage } from '../types.js';
import { DayCounter } from './day-counter.js';
import { discoveryMessages } from './discovery.js';
import { callPayload } from './payloads.js';
import { type MqttSettings, type MqttTopics, mqttSettings, mqttTopics } from './settings.js';

/** Calls kept while the broker is away: about a busy day's worth; older ones are dropped and counted. */
export const MAX_QUEUED = 200;
/** Unacknowledged publishes before new ones queue instead (bounds MQTT.js's own unbounded outgoing store). */
export const MAX_IN_FLIGHT = 50;
/** Between reconnect attempts: quick enough after a broker restart, quiet enough for a broker that is gone. */
const RECONNECT_PERIOD_MS = 5000;
const CONNECT_TIMEOUT_MS = 10_000;
/** A dead connection is noticed after about 1.5 × this (MQTT 3.1.1 §3.1.2.10). */
const KEEPALIVE_S = 30;
/** HA asks devices to wait a random moment after its birth message, so they do not all answer at once. */
const BIRTH_JITTER_MS = 2000;
/** How long close() waits for the broker to take the `offline` status. */
const CLOSE_TIMEOUT_MS = 2000;

export type MqttCommand = 'block' | 'allow';

export interface MqttNotifierOptions extends Partial<MqttSettings> {
  url: string;
  language: NotifyLanguage;
  /** CALLFILTER_TIMEZONE: when "today" begins. */
  timeZone: string;
  swVersion: string;
  /** CALLFILTER_PUBLIC_URL: each call then carries a `url` to its row on the page. */
  publicUrl?: string;
  /** Calls kept away so far today (from the call log at start), so a restart does not reset the counter. */
  keptAwayToday?: number;
  /** The latest call (from the call log at start), so the buttons work before the next call comes. */
  lastCall?: CallEvent;
  /** A button was pressed in HA: do what the page's block/allow does for this call's caller. */
  onCommand?: (command: MqttCommand, call: CallEvent) => Promise<void> | void;
  logger?: Logger;
  reconnectPeriodMs?: number;
  birthJitterMs?: number;
  now?: () => number;
}

export interface MqttStats {
  connected: boolean;
  queued: number;
  inFlight: number;
  /** Messages the broker acknowledged. */
  published: number;
  /** Call messages given up while the broker was away (the queue was full). */
  dropped: number;
}

interface Outgoing {
  topic: string;
  payload: string;
  retain: boolean;
}

export class MqttNotifier {
  readonly settings: MqttSettings;
  readonly topics: MqttTopics;
  private readonly client: MqttClient;
  private readonly counter: DayCounter;
  private readonly now: () => number;
  private readonly queue: Outgoing[] = [];
  private lastCall: CallEvent | undefined;
  private inFlight = 0;
  private published = 0;
  private dropped = 0;
  private closed = false;
  private wasDown = false;
  private midnight: NodeJS.Timeout | undefined;
  private birth: NodeJS.Timeout | undefined;

  constructor(private readonly o: MqttNotifierOptions) {
    this.settings = mqttSettings(o);
    this.topics = mqttTopics(this.settings.prefix, this.settings.discoveryPrefix);
    this.now = o.now ?? Date.now;
    this.counter = new DayCounter(o.timeZone, this.now(), o.keptAwayToday ?? 0);
    this.lastCall = o.lastCall;
    const options: IClientOptions = {
      clientId: `callfilter_${Math.random().toString(16).slice(2, 10)}`,
      clean: true,
      keepalive: KEEPALIVE_S,
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectPeriod: o.reconnectPeriodMs ?? RECONNECT_PERIOD_MS,
      // Subscriptions are made in the connect handler; QoS 0 is never queued by MQTT.js (this class queues).
      resubscribe: false,
      queueQoSZero: false,
      will: { topic: this.topics.status, payload: Buffer.from('offline'), qos: 1, retain: true },
      ...(this.settings.username ? { username: this.settings.username } : {}),
      ...(this.settings.password ? { password: this.settings.password } : {}),
    };
    this.client = connect(this.settings.url, options);
    this.client.on('connect', () => this.onConnect());
    this.client.on('message', (topic, payload, packet) =>
      this.onMessage(topic, payload.toString('utf8'), packet.retain),
    );
    this.client.on('error', (err) => this.onDown(err));
    this.client.on('offline', () => this.onDown());
    this.scheduleMidnight();
  }

  /** Hands one call (or its voicemail follow-up) to the broker or the queue. Never throws, never waits. */
  publishCall(call: CallEvent): void {
    if (this.closed) return;
    try {
      const lang = call.language ?? this.o.language;
      const link = this.o.publicUrl ? callLink(this.o.publicUrl, call.callId) : undefined;
      const payload = JSON.stringify(callPayload(call, lang, link));
      if (call.kind === 'voicemail') {
        this.send({ topic: this.topics.voicemail, payload, retain: false });
        if (this.lastCall?.callId !== call.callId) return;
        this.lastCall = { ...this.lastCall, voicemailSeconds: call.voicemailSeconds };
        this.send({ topic: this.topics.lastCall, payload: this.lastCallPayload(), retain: true });
        return;
      }
      this.send({ topic: this.topics.call, payload, retain: false });
      if (!this.lastCall || call.at >= this.lastCall.at) {
        this.lastCall = call;
        this.send({ topic: this.topics.lastCall, payload, retain: true });
      }
      if (this.counter.add(call.action, call.at, this.now())) this.sendCounter();
    } catch (err) {
      this.o.logger?.warn({ err, callId: call.callId }, 'MQTT: could not publish the call');
    }
  }

  /** The outbox's interface: resolves once the call is handed over (published or queued). */
  async deliver(call: CallEvent): Promise<void> {
    this.publishCall(call);
  }

  stats(): MqttStats {
    return {
      connected: this.client.connected,
      queued: this.queue.length,
      inFlight: this.inFlight,
      published: this.published,
      dropped: this.dropped,
    };
  }

  /** Says `offline` (retained) and disconnects; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.midnight);
    clearTimeout(this.birth);
    if (this.client.connected) {
      const offline = this.client
        .publishAsync(this.topics.status, 'offline', { qos: 1, retain: true })
        .catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([offline, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)))]);
      clearTimeout(timer);
    }
    await this.client.endAsync(true);
  }

  private lastCallPayload(): string {
    const call = this.lastCall as CallEvent;
    const link = this.o.publicUrl ? callLink(this.o.publicUrl, call.callId) : undefined;
    return JSON.stringify(callPayload(call, call.language ?? this.o.language, link));
  }

  private sendCounter(): void {
    this.send({ topic: this.topics.keptAwayToday, payload: String(this.counter.value(this.now())), retain: true });
  }

  private send(message: Outgoing): void {
    if (this.client.connected && this.inFlight < MAX_IN_FLIGHT && this.queue.length === 0) {
      this.publish(message);
      return;
    }
    if (message.retain) {
      // Only the latest state of a retained topic matters; an older one waiting is replaced.
      const i = this.queue.findIndex((m) => m.retain && m.topic === message.topic);
      if (i >= 0) this.queue.splice(i, 1);
    }
    this.queue.push(message);
    while (this.queue.length > MAX_QUEUED) {
      const i = this.queue.findIndex((m) => !m.retain);
      this.queue.splice(Math.max(i, 0), 1);
      this.dropped++;
    }
  }

  private publish(m: Outgoing): void {
    this.inFlight++;
    this.client.publish(m.topic, m.payload, { qos: 1, retain: m.retain }, (err) => {
      this.inFlight--;
      if (err) this.o.logger?.debug({ err, topic: m.topic }, 'MQTT: publish not acknowledged');
      else this.published++;
      this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.client.connected && this.inFlight < MAX_IN_FLIGHT) {
      this.publish(this.queue.shift() as Outgoing);
    }
  }

  private onConnect(): void {
    if (this.wasDown) {
      this.o.logger?.info({ queued: this.queue.length, dropped: this.dropped }, 'MQTT: connected to the broker again');
      this.wasDown = false;
    }
    const t = this.topics;
    const subscriptions = [t.haStatus, ...(this.settings.commands ? [t.blockCommand, t.allowCommand] : [])];
    this.client.subscribe(subscriptions, { qos: 1 }, (err) => {
      if (err) this.o.logger?.warn({ err }, 'MQTT: could not subscribe');
    });
    this.client.publish(t.status, 'online', { qos: 1, retain: true });
    this.announce();
    this.flush();
  }

  /** Discovery configs and the current counter (retained, so HA finds them even after missing a birth). */
  private announce(): void {
    const configurationUrl = this.o.publicUrl;
    for (const m of discoveryMessages({
      discoveryPrefix: this.settings.discoveryPrefix,
      prefix: this.settings.prefix,
      topics: this.topics,
      language: this.o.language,
      commands: this.settings.commands,
      swVersion: this.o.swVersion,
      ...(configurationUrl ? { configurationUrl } : {}),
    })) {
      this.client.publish(m.topic, m.payload, { qos: 1, retain: true });
    }
    this.sendCounter();
  }

  private onDown(err?: Error): void {
    if (this.closed || this.wasDown) return;
    this.wasDown = true;
    this.o.logger?.warn(
      { err: err?.message, retryMs: this.o.reconnectPeriodMs ?? RECONNECT_PERIOD_MS, maxQueued: MAX_QUEUED },
      'MQTT: broker unreachable; calls wait in a bounded queue and go out after reconnecting',
    );
  }

  private onMessage(topic: string, text: string, retained: boolean): void {
    if (topic === this.topics.haStatus) {
      if (text !== 'online') return;
      clearTimeout(this.birth);
      const jitter = this.o.birthJitterMs ?? BIRTH_JITTER_MS;
      this.birth = setTimeout(() => this.client.connected && this.announce(), Math.floor(Math.random() * jitter));
      this.birth.unref();
      return;
    }
    // A retained press is an old one replayed by the broker, not a person pressing now.
    if (retained || text !== 'PRESS' || !this.settings.commands) return;
    const command: MqttCommand | undefined =
      topic === this.topics.blockCommand ? 'block' : topic === this.topics.allowCommand ? 'allow' : undefined;
    if (command) this.runCommand(command);
  }

  private runCommand(command: MqttCommand): void {
    const call = this.lastCall;
    if (!call?.caller) {
      this.o.logger?.info({ command }, 'MQTT: no last caller with a number to act on');
      return;
    }
    Promise.resolve()
      .then(() => this.o.onCommand?.(command, call))
      .then(
        () => this.o.logger?.info({ command, callId: call.callId }, 'MQTT: button pressed in Home Assistant'),
        (err: unknown) => this.o.logger?.warn({ err, command, callId: call.callId }, 'MQTT: the button action failed'),
      );
  }

  private scheduleMidnight(): void {
    this.midnight = setTimeout(() => {
      this.sendCounter();
      this.scheduleMidnight();
    }, this.counter.msUntilNextDay(this.now()) + 1000);
    this.midnight.unref();
  }
}

export function createMqttNotifier(options: MqttNotifierOptions): MqttNotifier {
  return new MqttNotifier(options);
}
