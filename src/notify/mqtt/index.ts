/** MQTT with Home Assistant discovery: see publisher.ts for the connection's behaviour, discovery.ts for HA. */
export { createMqttNotifier, MqttNotifier, MAX_IN_FLIGHT, MAX_QUEUED } from './publisher.js';
export type { MqttCommand, MqttNotifierOptions, MqttStats } from './publisher.js';
export { discoveryMessages, EVENT_TYPES, nodeId } from './discovery.js';
export { callPayload, type CallPayload } from './payloads.js';
export { DayCounter, KEPT_AWAY_ACTIONS } from './day-counter.js';
export { checkMqttUrl, checkTopicPrefix, mqttSettings, mqttTopics, DEFAULT_DISCOVERY_PREFIX, DEFAULT_PREFIX } from './settings.js';
export type { MqttSettings, MqttTopics } from './settings.js';
