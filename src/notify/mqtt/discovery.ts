/**
 * Home Assistant MQTT discovery (home-assistant.io, MQTT → "MQTT Discovery"): one retained config per entity on
 * `<discovery prefix>/<component>/<node id>/<object id>/config`, each with the same `device` block so HA files them
 * under one device "callfilter", and `origin` naming the software. Single-component discovery rather than the
 * newer device-based `…/device/…/config`: it works with every HA release that has the event entity (2023.8), and a
 * component leaves on its own by an empty retained payload on its topic (how the buttons go when commands are off).
 *
 * Entities:
 * - event `call` (event types connect, voicemail, hangup, announce) on `<prefix>/call`;
 * - sensor `last_caller`: state `display`, every key of the call as attributes (`json_attributes_topic`);
 * - sensor `kept_away_today`: calls hung up on or answered with the announcement since local midnight;
 * - with commands on, buttons `block_last_caller` and `allow_last_caller` (payload `PRESS`, HA's default).
 * `default_entity_id` gives stable entity ids whatever the language of the names (HA releases that predate the key
 * ignore it — unknown keys are allowed — and derive the id from the name).
 */
import type { NotifyLanguage } from '../types.js';
import type { MqttTopics } from './settings.js';

export const EVENT_TYPES = ['connect', 'voicemail', 'hangup', 'announce'] as const;

export interface DiscoveryOptions {
  discoveryPrefix: string;
  /** The topic prefix; also the node id and device identifier, so two instances stay two devices. */
  prefix: string;
  topics: MqttTopics;
  language: NotifyLanguage;
  commands: boolean;
  swVersion: string;
  /** The page, for the device's "Visit" link. */
  configurationUrl?: string;
}

export interface DiscoveryMessage {
  topic: string;
  /** Empty: remove the entity (and its retained config). */
  payload: string;
}

type Entity = 'call' | 'last_caller' | 'kept_away_today' | 'block_last_caller' | 'allow_last_caller';

const NAMES: Record<NotifyLanguage, Record<Entity, string>> = {
  de: {
    call: 'Anruf',
    last_caller: 'Letzter Anrufer',
    kept_away_today: 'Heute abgewehrt',
    block_last_caller: 'Letzten Anrufer sperren',
    allow_last_caller: 'Letzten Anrufer freigeben',
  },
  en: {
    call: 'Call',
    last_caller: 'Last caller',
    kept_away_today: 'Kept away today',
    block_last_caller: 'Block last caller',
    allow_last_caller: 'Allow last caller',
  },
};

/** Node ids and object ids are limited to `[a-zA-Z0-9_-]` (discovery topic rules). */
export function nodeId(prefix: string): string {
  const id = prefix.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  return id || 'callfilter';
}

export function discoveryMessages(o: DiscoveryOptions): DiscoveryMessage[] {
  const node = nodeId(o.prefix);
  const device = {
    identifiers: [node],
    name: 'callfilter',
    manufacturer: 'callfilter',
    model: 'Call filter for Asterisk',
    sw_version: o.swVersion,
    ...(o.configurationUrl ? { configuration_url: o.configurationUrl } : {}),
  };
  const origin = { name: 'callfilter', sw_version: o.swVersion };
  const common = (entity: Entity, component: string) => ({
    name: NAMES[o.language][entity],
    unique_id: `${node}_${entity}`,
    default_entity_id: `${component}.${node}_${entity}`,
    availability_topic: o.topics.status,
    device,
    origin,
  });
  const topic = (component: string, entity: Entity) => `${o.discoveryPrefix}/${component}/${node}/${entity}/config`;
  const config = (component: string, entity: Entity, body: Record<string, unknown>): DiscoveryMessage => ({
    topic: topic(component, entity),
    payload: JSON.stringify({ ...common(entity, component), ...body }),
  });

  const messages = [
    config('event', 'call', {
      state_topic: o.topics.call,
      event_types: [...EVENT_TYPES],
      icon: 'mdi:phone-incoming',
    }),
    config('sensor', 'last_caller', {
      state_topic: o.topics.lastCall,
      value_template: '{{ value_json.display }}',
      json_attributes_topic: o.topics.lastCall,
      icon: 'mdi:phone-log',
    }),
    config('sensor', 'kept_away_today', {
      state_topic: o.topics.keptAwayToday,
      // A daily count: HA reads the fall to 0 at midnight as a new cycle, not as calls going missing.
      state_class: 'total_increasing',
      icon: 'mdi:phone-cancel',
    }),
  ];
  for (const [entity, commandTopic, icon] of [
    ['block_last_caller', o.topics.blockCommand, 'mdi:phone-remove'],
    ['allow_last_caller', o.topics.allowCommand, 'mdi:phone-check'],
  ] as const) {
    messages.push(
      o.commands
        ? config('button', entity, { command_topic: commandTopic, payload_press: 'PRESS', icon })
        : { topic: topic('button', entity), payload: '' },
    );
  }
  return messages;
}
