/** MQTT with Home Assistant discovery: see publisher.ts for the connection's behaviour, discovery.ts for HA. */

export { DayCounter, KEPT_AWAY_ACTIONS } from './day-counter.js';
export { discoveryMessages, EVENT_TYPES, nodeId } from './discovery.js';
export { type CallPayload, callPayload } from './payloads.js';
export type { MqttCommand, MqttNotifierOptions, MqttStats } from './publisher.js';
export { createMqttNotifier, MAX_IN_FLIGHT, MAX_QUEUED, MqttNotifier } from './publisher.js';
export type { MqttSettings, MqttTopics } from './settings.js';
export {
  checkMqttUrl,
  checkTopicPrefix,
  DEFAULT_DISCOVERY_PREFIX,
  DEFAULT_PREFIX,
  mqttSettings,
  mqttTopics,
} from './settings.js';
