/** The MQTT channel's pure parts: settings, discovery configs, the call payload and the daily counter. */
import { describe, expect, it } from 'vitest';
import {
  callPayload,
  DayCounter,
  discoveryMessages,
  mqttSettings,
  mqttTopics,
  nodeId,
} from '../../../src/notify/mqtt/index.js';
import type { CallEvent } from '../../../src/notify/types.js';

const call: CallEvent = {
  kind: 'decided',
  callId: 9,
  at: Date.UTC(2026, 11, 24, 17, 3),
  callerKind: 'withheld',
  called: '+4930999000',
  action: 'voicemail',
  reason: 'anonymous',
};

describe('MQTT settings', () => {
  it('fills the defaults', () => {
    expect(mqttSettings({ url: 'mqtt://broker.lan' })).toEqual({
      url: 'mqtt://broker.lan',
      prefix: 'callfilter',
      discoveryPrefix: 'homeassistant',
      commands: false,
    });
  });

  it.each([
    [{ url: 'http://broker' }, 'must start with mqtt:// or mqtts://'],
    [{ url: 'broker:1883' }, 'must start with mqtt:// or mqtts://'],
    [{ url: 'not a url' }, 'is not a URL'],
    [{ url: 'mqtt://u:p@broker' }, 'use CALLFILTER_MQTT_USER and CALLFILTER_MQTT_PASSWORD'],
    [{ url: 'mqtt://broker', password: 'x' }, 'CALLFILTER_MQTT_PASSWORD is set without CALLFILTER_MQTT_USER'],
    [{ url: 'mqtt://broker', prefix: 'home/#' }, 'CALLFILTER_MQTT_PREFIX "home/#" must not contain +, # or NUL'],
    [{ url: 'mqtt://broker', prefix: '/callfilter' }, 'must not start or end with /'],
    [{ url: 'mqtt://broker', prefix: 'a//b' }, 'must not contain an empty level'],
    [{ url: 'mqtt://broker', discoveryPrefix: ' ' }, 'CALLFILTER_MQTT_DISCOVERY_PREFIX must not be empty'],
  ])('refuses %j with a clear error', (input, message) => {
    expect(() => mqttSettings(input)).toThrow(message);
  });
});

describe('discovery configs', () => {
  const topics = mqttTopics('home/callfilter', 'ha');

  it('derive a node id from the prefix, so two instances are two devices', () => {
    expect(nodeId('home/callfilter')).toBe('home_callfilter');
    expect(nodeId('callfilter')).toBe('callfilter');
    expect(nodeId('///')).toBe('callfilter');
  });

  it('go under the discovery prefix with names in the household language and a configuration link', () => {
    const messages = discoveryMessages({
      discoveryPrefix: 'ha',
      prefix: 'home/callfilter',
      topics,
      language: 'de',
      commands: true,
      swVersion: '1.2.3',
      configurationUrl: 'https://cf.example.org/',
    });
    expect(messages.map((m) => m.topic)).toEqual([
      'ha/event/home_callfilter/call/config',
      'ha/sensor/home_callfilter/last_caller/config',
      'ha/sensor/home_callfilter/kept_away_today/config',
      'ha/button/home_callfilter/block_last_caller/config',
      'ha/button/home_callfilter/allow_last_caller/config',
    ]);
    const configs = messages.map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    expect(configs.map((c) => c.name)).toEqual([
      'Anruf',
      'Letzter Anrufer',
      'Heute abgewehrt',
      'Letzten Anrufer sperren',
      'Letzten Anrufer freigeben',
    ]);
    expect(configs.map((c) => c.default_entity_id)).toEqual([
      'event.home_callfilter_call',
      'sensor.home_callfilter_last_caller',
      'sensor.home_callfilter_kept_away_today',
      'button.home_callfilter_block_last_caller',
      'button.home_callfilter_allow_last_caller',
    ]);
    for (const c of configs) {
      expect(c.availability_topic).toBe('home/callfilter/status');
      expect(c.device).toEqual({
        identifiers: ['home_callfilter'],
        name: 'callfilter',
        manufacturer: 'callfilter',
        model: 'Call filter for Asterisk',
        sw_version: '1.2.3',
        configuration_url: 'https://cf.example.org/',
      });
    }
    expect(configs[0]).toMatchObject({ state_topic: 'home/callfilter/call' });
    expect(configs[3]).toMatchObject({ command_topic: 'home/callfilter/command/block_last_caller' });
  });

  it('remove the buttons (empty payload) when commands are off', () => {
    const messages = discoveryMessages({
      discoveryPrefix: 'ha',
      prefix: 'home/callfilter',
      topics,
      language: 'en',
      commands: false,
      swVersion: '1',
    });
    expect(messages.filter((m) => m.payload === '').map((m) => m.topic)).toEqual([
      'ha/button/home_callfilter/block_last_caller/config',
      'ha/button/home_callfilter/allow_last_caller/config',
    ]);
  });
});

describe('the call payload', () => {
  it('carries event_type for the HA event entity and says who called without a number', () => {
    expect(callPayload(call, 'de')).toEqual({
      event_type: 'voicemail',
      call_id: 9,
      time: '2026-12-24T17:03:00.000Z',
      caller: null,
      caller_national: null,
      caller_kind: 'withheld',
      label: null,
      called: '+4930999000',
      action: 'voicemail',
      reason: 'anonymous',
      action_text: 'Mailbox',
      reason_text: 'Rufnummer unterdrückt',
      display: 'Unterdrückte Nummer',
    });
  });

  it('keeps the display within what Home Assistant stores as a state', () => {
    const long = callPayload(
      { ...call, callerKind: 'number', caller: '+4930123', callerNational: '030 123', label: 'x'.repeat(400) },
      'en',
    );
    expect(long.display).toHaveLength(255);
  });
});

describe('the kept-away counter', () => {
  const berlin = (y: number, m: number, d: number, h: number, min = 0) =>
    new Date(
      `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}:00+01:00`,
    ).getTime();

  it('counts hang-ups and announcements of today only, and starts at 0 on the next local day', () => {
    const now = berlin(2026, 12, 24, 23, 50);
    const c = new DayCounter('Europe/Berlin', now, 3);
    expect(c.add('hangup', now, now)).toBe(true);
    expect(c.add('announce', now, now)).toBe(true);
    expect(c.add('voicemail', now, now)).toBe(false);
    expect(c.add('connect', now, now)).toBe(false);
    expect(c.value(now)).toBe(5);
    const after = berlin(2026, 12, 25, 0, 1);
    expect(c.value(after)).toBe(0);
    // a call from yesterday delivered late does not count for today
    expect(c.add('hangup', now, after)).toBe(false);
    expect(c.value(after)).toBe(0);
  });

  it('knows when the local day ends, across a change to summer time (a 23-hour day)', () => {
    const c = new DayCounter('Europe/Berlin', 0);
    // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST; the day ends at 22:00 UTC
    const noon = Date.UTC(2026, 2, 29, 11, 0);
    expect(c.msUntilNextDay(noon)).toBeGreaterThanOrEqual(Date.UTC(2026, 2, 29, 22, 0) - noon);
    expect(c.msUntilNextDay(noon)).toBeLessThanOrEqual(Date.UTC(2026, 2, 29, 22, 0) - noon + 1000);
    const morning = Date.UTC(2026, 2, 28, 23, 30); // 00:30 CET on the 29th
    expect(c.msUntilNextDay(morning) / 3_600_000).toBeCloseTo(22.5, 2);
  });
});
