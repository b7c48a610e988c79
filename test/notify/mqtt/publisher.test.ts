/**
 * The MQTT channel against a real broker (Debian's mosquitto on loopback): discovery as Home Assistant documents it,
 * calls on their topics, HA's birth message, the two buttons, and a broker killed and restarted while calls go on.
 */
import { describe, expect, it } from 'vitest';
import {
  createMqttNotifier,
  MAX_QUEUED,
  type MqttCommand,
  type MqttNotifierOptions,
} from '../../../src/notify/mqtt/index.js';
import type { CallEvent } from '../../../src/notify/types.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { type Received, watch } from '../../helpers/mqtt-watcher.js';

const call = (over: Partial<CallEvent> = {}): CallEvent => ({
  kind: 'decided',
  callId: 1,
  at: Date.now(),
  caller: '+4930123456',
  callerNational: '030 123456',
  callerKind: 'number',
  label: 'SPAM: call centre',
  called: '+4930999000',
  action: 'hangup',
  reason: 'spam-list',
  ...over,
});

function notifier(url: string, over: Partial<MqttNotifierOptions> = {}) {
  const n = createMqttNotifier({
    url,
    language: 'en',
    timeZone: 'Europe/Berlin',
    swVersion: '0.1.0',
    reconnectPeriodMs: 100,
    birthJitterMs: 0,
    ...over,
  });
  return n;
}

const json = (m: Received): Record<string, unknown> => JSON.parse(m.text) as Record<string, unknown>;

describe('MQTT channel with a real broker', () => {
  it('announces the device to Home Assistant: event, last caller, kept-away counter, availability', async () => {
    const broker = await startMosquitto();
    const n = notifier(broker.url);
    try {
      await watch(broker.url, ['callfilter/status']).then((w) => w.next((m) => m.text === 'online'));
      const w = await watch(broker.url, ['homeassistant/#', 'callfilter/#']);
      const event = json(await w.next((m) => m.topic === 'homeassistant/event/callfilter/call/config'));
      expect(event).toMatchObject({
        name: 'Call',
        unique_id: 'callfilter_call',
        default_entity_id: 'event.callfilter_call',
        state_topic: 'callfilter/call',
        event_types: ['connect', 'voicemail', 'hangup', 'announce'],
        availability_topic: 'callfilter/status',
        device: {
          identifiers: ['callfilter'],
          name: 'callfilter',
          manufacturer: 'callfilter',
          model: 'Call filter for Asterisk',
          sw_version: '0.1.0',
        },
        origin: { name: 'callfilter', sw_version: '0.1.0' },
      });
      const last = json(await w.next((m) => m.topic === 'homeassistant/sensor/callfilter/last_caller/config'));
      expect(last).toMatchObject({
        state_topic: 'callfilter/last_call',
        json_attributes_topic: 'callfilter/last_call',
        value_template: '{{ value_json.display }}',
        availability_topic: 'callfilter/status',
      });
      const counter = json(await w.next((m) => m.topic === 'homeassistant/sensor/callfilter/kept_away_today/config'));
      expect(counter).toMatchObject({ state_topic: 'callfilter/kept_away_today', state_class: 'total_increasing' });
      expect((await w.next((m) => m.topic === 'callfilter/kept_away_today')).text).toBe('0');
      // retained, so Home Assistant finds them whenever it subscribes
      expect(w.messages.filter((m) => m.topic.endsWith('/config')).every((m) => m.retain)).toBe(true);
      // commands are off by default: no button configs
      expect(w.messages.some((m) => m.topic.startsWith('homeassistant/button/'))).toBe(false);
    } finally {
      await n.close();
    }
  });

  it('publishes a call, keeps the last call retained, counts what was kept away, and says offline on close', async () => {
    const broker = await startMosquitto({ user: 'callfilter', password: 's3cret' });
    const auth = { username: 'callfilter', password: 's3cret' };
    const n = notifier(broker.url, { ...auth, publicUrl: 'https://cf.example.org/' });
    const w = await watch(broker.url, ['callfilter/#'], auth);
    await w.next((m) => m.topic === 'callfilter/status' && m.text === 'online');

    n.publishCall(call({ callId: 7 }));
    const message = json(await w.next((m) => m.topic === 'callfilter/call'));
    expect(message).toMatchObject({
      event_type: 'hangup',
      call_id: 7,
      caller: '+4930123456',
      caller_national: '030 123456',
      caller_kind: 'number',
      label: 'SPAM: call centre',
      called: '+4930999000',
      action: 'hangup',
      reason: 'spam-list',
      action_text: 'Hung up',
      reason_text: 'on an imported spam list',
      display: 'SPAM: call centre (030 123456)',
      url: 'https://cf.example.org/#calls/7',
    });
    expect(typeof message.time).toBe('string');
    expect(await w.next((m) => m.topic === 'callfilter/kept_away_today' && m.text === '1')).toBeTruthy();

    n.publishCall(call({ callId: 8, action: 'voicemail', reason: 'unknown', label: undefined }));
    await w.next((m) => m.topic === 'callfilter/call' && json(m).call_id === 8);
    n.publishCall({
      ...call({ callId: 8, action: 'voicemail', reason: 'unknown', label: undefined }),
      kind: 'voicemail',
      voicemailSeconds: 42,
    });
    expect(json(await w.next((m) => m.topic === 'callfilter/voicemail'))).toMatchObject({
      call_id: 8,
      voicemail_seconds: 42,
    });

    // a client that comes later finds the last call and the counter retained
    const late = await watch(broker.url, ['callfilter/last_call', 'callfilter/kept_away_today'], auth);
    const retained = json(await late.next((m) => m.topic === 'callfilter/last_call' && m.retain));
    expect(retained).toMatchObject({ call_id: 8, display: '030 123456', voicemail_seconds: 42 });
    expect((await late.next((m) => m.topic === 'callfilter/kept_away_today' && m.retain)).text).toBe('1');
    expect(n.stats()).toMatchObject({ connected: true, queued: 0, dropped: 0 });

    await n.close();
    await w.next((m) => m.topic === 'callfilter/status' && m.text === 'offline');
  });

  it('announces again when Home Assistant comes online (its birth message)', async () => {
    const broker = await startMosquitto();
    const n = notifier(broker.url);
    try {
      const w = await watch(broker.url, ['homeassistant/event/#', 'callfilter/status']);
      await w.next((m) => m.topic === 'callfilter/status' && m.text === 'online');
      await w.next((m) => m.topic === 'homeassistant/event/callfilter/call/config');
      const before = w.messages.filter((m) => m.topic.endsWith('/config')).length;
      await w.publish('homeassistant/status', 'online');
      await w.next(
        (m) =>
          m.topic.endsWith('/config') &&
          !m.retain &&
          w.messages.filter((x) => x.topic.endsWith('/config')).length > before,
      );
    } finally {
      await n.close();
    }
  });

  it('with commands on: two buttons whose presses block or allow the last caller', async () => {
    const broker = await startMosquitto();
    const pressed: [MqttCommand, CallEvent][] = [];
    const w = await watch(broker.url, ['homeassistant/button/#', 'callfilter/status']);
    // An old press left retained on the broker is replayed on subscribing: not a person pressing now.
    await w.publish('callfilter/command/block_last_caller', 'PRESS', { retain: true });
    const seeded = call({ callId: 2, caller: '+4930555', callerNational: '030 555' });
    const n = notifier(broker.url, {
      commands: true,
      language: 'de',
      lastCall: seeded,
      onCommand: (c, e) => void pressed.push([c, e]),
    });
    try {
      const block = json(await w.next((m) => m.topic === 'homeassistant/button/callfilter/block_last_caller/config'));
      expect(block).toMatchObject({
        name: 'Letzten Anrufer sperren',
        command_topic: 'callfilter/command/block_last_caller',
        payload_press: 'PRESS',
        unique_id: 'callfilter_block_last_caller',
      });
      const allow = json(await w.next((m) => m.topic === 'homeassistant/button/callfilter/allow_last_caller/config'));
      expect(allow).toMatchObject({ command_topic: 'callfilter/command/allow_last_caller' });

      await w.next((m) => m.topic === 'callfilter/status' && m.text === 'online');
      await w.publish('callfilter/command/block_last_caller', '', { retain: true });
      // the last call known at start (from the call log) is what a press acts on until the next call
      await w.publish('callfilter/command/allow_last_caller', 'PRESS');
      await waitUntil(() => pressed.length >= 1);
      n.publishCall(call({ callId: 3, caller: '+4917012345678', callerNational: '0170 12345678' }));
      await w.publish('callfilter/command/block_last_caller', 'PRESS');
      await w.publish('callfilter/command/allow_last_caller', 'something else');
      await waitUntil(() => pressed.length >= 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(pressed.map(([c, e]) => [c, e.caller])).toEqual([
        ['allow', '+4930555'],
        ['block', '+4917012345678'],
      ]);
      // a withheld caller has no number to block
      n.publishCall(call({ callId: 4, caller: undefined, callerNational: undefined, callerKind: 'withheld' }));
      await w.publish('callfilter/command/block_last_caller', 'PRESS');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(pressed).toHaveLength(2);
      expect(n.stats().connected).toBe(true);
    } finally {
      await n.close();
    }
  });

  it('with commands off, presses do nothing and buttons announced earlier are removed', async () => {
    const broker = await startMosquitto();
    const pressed: MqttCommand[] = [];
    const first = notifier(broker.url, { commands: true });
    const w = await watch(broker.url, ['homeassistant/button/#']);
    await w.next((m) => m.topic.endsWith('block_last_caller/config') && m.text !== '');
    await first.close();
    const n = notifier(broker.url, { onCommand: (c) => void pressed.push(c) });
    try {
      await w.next((m) => m.topic.endsWith('block_last_caller/config') && m.text === '');
      await w.next((m) => m.topic.endsWith('allow_last_caller/config') && m.text === '');
      n.publishCall(call());
      await w.publish('callfilter/command/block_last_caller', 'PRESS');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(pressed).toEqual([]);
    } finally {
      await n.close();
    }
  });

  it('keeps taking calls while the broker is killed, and delivers them after it restarts', async () => {
    const broker = await startMosquitto({ persistent: true });
    const n = notifier(broker.url);
    try {
      // A persistent session (clean: false, QoS 1): the broker keeps messages for it across its own restart.
      const w = await watch(broker.url, ['callfilter/call'], { clientId: 'watcher', clean: false });
      n.publishCall(call({ callId: 1 }));
      await w.next((m) => json(m).call_id === 1);
      await new Promise((resolve) => setTimeout(resolve, 1200)); // the broker saves its sessions (autosave)
      await broker.kill();
      await waitUntil(() => !n.stats().connected);

      for (let id = 2; id <= 6; id++) {
        expect(() => n.publishCall(call({ callId: id }))).not.toThrow();
      }
      // returned at once: the calls wait in the queue, nothing was sent
      expect(n.stats()).toMatchObject({ connected: false, dropped: 0 });
      expect(n.stats().queued).toBeGreaterThanOrEqual(5);
      await n.deliver(call({ callId: 7 }));

      await broker.start();
      for (let id = 2; id <= 7; id++) await w.next((m) => json(m).call_id === id, 15_000);
      await waitUntil(() => n.stats().queued === 0 && n.stats().connected);
      const ids = w.messages.map((m) => json(m).call_id);
      expect(new Set(ids).size).toBe(7);
    } finally {
      await n.close();
    }
  });

  it('never blocks a caller when the broker never answers: a bounded queue, the overflow counted as dropped', async () => {
    const broker = await startMosquitto();
    await broker.kill(); // the port is free again: connection refused on every attempt
    const n = notifier(broker.url);
    try {
      const extra = 25;
      for (let id = 1; id <= MAX_QUEUED + extra; id++) n.publishCall(call({ callId: id }));
      const stats = n.stats();
      expect(stats.connected).toBe(false);
      expect(stats.queued).toBeLessThanOrEqual(MAX_QUEUED);
      // every call message beyond the queue's room is counted; the retained state kept only its latest value
      expect(stats.dropped).toBe(MAX_QUEUED + extra - (MAX_QUEUED - 2));
    } finally {
      await n.close();
    }
  });
});

async function waitUntil(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
