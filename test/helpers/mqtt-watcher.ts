/**
 * An MQTT client that records what arrives on the topics it subscribes to, for the tests of the MQTT channel.
 * Ends itself when the test finishes.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { onTestFinished } from 'vitest';

export interface Received {
  topic: string;
  text: string;
  retain: boolean;
}

export interface Watcher {
  client: MqttClient;
  messages: Received[];
  /** Resolves with the first message (counting those already received) that matches. */
  next(match: (m: Received) => boolean, timeoutMs?: number): Promise<Received>;
  publish(topic: string, text: string, options?: { retain?: boolean }): Promise<void>;
}

export async function watch(url: string, topics: string[], options: IClientOptions = {}): Promise<Watcher> {
  const client = connect(url, { reconnectPeriod: 100, ...options });
  onTestFinished(() => client.endAsync(true));
  const messages: Received[] = [];
  const waiters = new Set<() => void>();
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, text: payload.toString('utf8'), retain: packet.retain });
    for (const w of waiters) w();
  });
  client.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(topics, { qos: 1 });
  return {
    client,
    messages,
    next(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching MQTT message within ${timeoutMs} ms; got ${messages.map((m) => m.topic).join(', ')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async publish(topic, text, opts = {}) {
      await client.publishAsync(topic, text, { qos: 1, retain: opts.retain ?? false });
    },
  };
}
