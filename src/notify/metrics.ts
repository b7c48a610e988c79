/**
 * Prometheus metrics of the notifications, read when scraped: whether MQTT is connected and how many call messages it
 * had to drop while the broker was away, and what waits in the outbox (webhooks, digests, reports) — a webhook
 * receiver that is down shows as a `webhook.backlog` item that stays.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Store } from '../store/index.js';
import type { Notifications } from './service.js';

export function registerNotifyMetrics(registry: Registry, store: Store, notify: Pick<Notifications, 'mqtt'>): void {
  new Gauge({
    name: 'callfilter_mqtt_connected',
    help: '1 while connected to the MQTT broker, 0 while not; absent without CALLFILTER_MQTT_URL.',
    registers: [registry],
    collect() {
      this.reset();
      const mqtt = notify.mqtt();
      if (mqtt) this.set(mqtt.stats().connected ? 1 : 0);
    },
  });
  new Counter({
    name: 'callfilter_mqtt_messages_dropped_total',
    help: 'Call messages given up while the MQTT broker was away (the queue was full).',
    registers: [registry],
    collect() {
      this.reset();
      const mqtt = notify.mqtt();
      if (mqtt) this.inc(mqtt.stats().dropped);
    },
  });
  new Gauge({
    name: 'callfilter_outbox_pending',
    help: 'Outbox items still to be delivered, per kind (webhook, webhook.backlog, mail.digest, notify.voicemail, phoneblock.*).',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [kind, n] of Object.entries(await store.outbox.pendingByKind().catch(() => ({}))))
        this.set({ kind }, n);
    },
  });
}
