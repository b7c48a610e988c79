/**
 * The JSON a call becomes on MQTT: the shared call JSON plus `event_type`, which Home Assistant's event entity
 * requires in every message on its state topic (home-assistant.io, MQTT Event: "The JSON payload should contain the
 * event_type element"); the other keys become the event's attributes.
 */
import { type CallJson, callJson } from '../call-json.js';
import type { CallEvent, NotifyLanguage } from '../types.js';

export interface CallPayload extends CallJson {
  event_type: CallEvent['action'];
}

export function callPayload(call: CallEvent, lang: NotifyLanguage, link?: string): CallPayload {
  return { event_type: call.action, ...callJson(call, lang, link) };
}
