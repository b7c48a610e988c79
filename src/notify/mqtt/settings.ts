/**
 * The MQTT settings as plain values, checked once at boot with errors that say what to write instead. The service's
 * config layer reads CALLFILTER_MQTT_* and hands them here.
 */

export interface MqttSettings {
  /** `mqtt://host[:port]` or `mqtts://host[:port]` (CALLFILTER_MQTT_URL). */
  url: string;
  username?: string;
  password?: string;
  /** Topic prefix for the call messages (CALLFILTER_MQTT_PREFIX, default `callfilter`). */
  prefix: string;
  /** Home Assistant's discovery prefix (CALLFILTER_MQTT_DISCOVERY_PREFIX, default `homeassistant`). */
  discoveryPrefix: string;
  /** The two buttons "block/allow last caller" (CALLFILTER_MQTT_COMMANDS, default off). */
  commands: boolean;
}

export const DEFAULT_PREFIX = 'callfilter';
export const DEFAULT_DISCOVERY_PREFIX = 'homeassistant';

/** MQTT topics are UTF-8 strings of at most 65535 bytes (MQTT 3.1.1 §1.5.3); a prefix far shorter leaves room. */
const MAX_PREFIX_LENGTH = 200;

export function checkMqttUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error(`MQTT URL "${text}" is not a URL (expected mqtt://host:1883 or mqtts://host:8883)`);
  }
  if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') {
    throw new Error(`MQTT URL "${text}" must start with mqtt:// or mqtts://`);
  }
  if (!url.hostname) throw new Error(`MQTT URL "${text}" names no host`);
  if (url.username || url.password) {
    throw new Error(
      'MQTT URL must not carry a user name or password: use CALLFILTER_MQTT_USER and CALLFILTER_MQTT_PASSWORD',
    );
  }
  return url;
}

/**
 * A topic prefix: one or more levels, no wildcards (`+`, `#` only subscribe, MQTT 3.1.1 §4.7.1), no empty level
 * at either end and no NUL (§1.5.3).
 */
export function checkTopicPrefix(prefix: string, what: string): string {
  const p = prefix.trim();
  if (!p) throw new Error(`${what} must not be empty`);
  if (p.length > MAX_PREFIX_LENGTH) throw new Error(`${what} is longer than ${MAX_PREFIX_LENGTH} characters`);
  if (/[+#\u0000]/.test(p)) throw new Error(`${what} "${p}" must not contain +, # or NUL (MQTT wildcards)`);
  if (p.startsWith('/') || p.endsWith('/')) throw new Error(`${what} "${p}" must not start or end with /`);
  if (p.includes('//')) throw new Error(`${what} "${p}" must not contain an empty level (//)`);
  return p;
}

/** Fills the defaults and checks everything; throws on the first problem. */
export function mqttSettings(input: Partial<MqttSettings> & { url: string }): MqttSettings {
  checkMqttUrl(input.url);
  if (input.password && !input.username)
    throw new Error('CALLFILTER_MQTT_PASSWORD is set without CALLFILTER_MQTT_USER');
  return {
    url: input.url.trim(),
    ...(input.username ? { username: input.username } : {}),
    ...(input.password ? { password: input.password } : {}),
    prefix: checkTopicPrefix(input.prefix ?? DEFAULT_PREFIX, 'CALLFILTER_MQTT_PREFIX'),
    discoveryPrefix: checkTopicPrefix(
      input.discoveryPrefix ?? DEFAULT_DISCOVERY_PREFIX,
      'CALLFILTER_MQTT_DISCOVERY_PREFIX',
    ),
    commands: input.commands ?? false,
  };
}

/** Every topic the service publishes or listens on, derived from the two prefixes. */
export interface MqttTopics {
  call: string;
  lastCall: string;
  voicemail: string;
  keptAwayToday: string;
  status: string;
  blockCommand: string;
  allowCommand: string;
  /** Home Assistant's own availability (its birth and last-will topic). */
  haStatus: string;
}

export function mqttTopics(prefix: string, discoveryPrefix: string): MqttTopics {
  return {
    call: `${prefix}/call`,
    lastCall: `${prefix}/last_call`,
    voicemail: `${prefix}/voicemail`,
    keptAwayToday: `${prefix}/kept_away_today`,
    status: `${prefix}/status`,
    blockCommand: `${prefix}/command/block_last_caller`,
    allowCommand: `${prefix}/command/allow_last_caller`,
    haStatus: `${discoveryPrefix}/status`,
  };
}
