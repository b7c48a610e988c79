/**
 * The JSON a call becomes on MQTT. Keys are snake_case so Home Assistant templates read them as
 * `value_json.caller_national`; `event_type` is what HA's event entity requires in every message on its state topic
 * (home-assistant.io, MQTT Event: "The JSON payload should contain the event_type element"), the other keys become
 * the event's attributes.
 */
import { reasonText, actionText, callerText } from '../texts.js';
import type { CallEvent, NotifyLanguage } from '../types.js';

/** Home Assistant keeps at most 255 characters of a state (longer ones are refused). */
const MAX_STATE_LENGTH = 255;

export interface CallPayload {
  event_type: CallEvent['action'];
  call_id: number;
  time: string;
  caller: string | null;
  caller_national: string | null;
  caller_kind: CallEvent['callerKind'];
  label: string | null;
  called: string | null;
  action: CallEvent['action'];
  reason: CallEvent['reason'];
  /** The action and reason in the household's language, for a card or a notification. */
  action_text: string;
  reason_text: string;
  /** Who called, as one line: the "last caller" sensor's state. */
  display: string;
  url?: string;
  voicemail_seconds?: number;
}

export function callPayload(call: CallEvent, lang: NotifyLanguage, link?: string): CallPayload {
  return {
    event_type: call.action,
    call_id: call.callId,
    time: new Date(call.at).toISOString(),
    caller: call.caller ?? null,
    caller_national: call.callerNational ?? null,
    caller_kind: call.callerKind,
    label: call.label ?? null,
    called: call.called ?? null,
    action: call.action,
    reason: call.reason,
    action_text: actionText(lang, call.action),
    reason_text: reasonText(lang, call.reason),
    display: callerText(lang, call).slice(0, MAX_STATE_LENGTH),
    ...(link ? { url: link } : {}),
    ...(call.voicemailSeconds !== undefined ? { voicemail_seconds: call.voicemailSeconds } : {}),
  };
}
