/**
 * A call as JSON for machines (MQTT, webhooks): snake_case keys so Home Assistant templates read them as
 * `value_json.caller_national` / `trigger.json.caller_national`, nulls rather than missing keys so a template never
 * trips over an absent one, and the texts in the household's language beside the codes.
 */
import { actionText, callerText, reasonText } from './texts.js';
import type { CallEvent, NotifyLanguage } from './types.js';

/** Home Assistant keeps at most 255 characters of a state (longer ones are refused). */
const MAX_DISPLAY_LENGTH = 255;

export interface CallJson {
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
  /** Who called, as one line (`Anna (0170 1234567)`). */
  display: string;
  /** The call on the page (with CALLFILTER_PUBLIC_URL). */
  url?: string;
  /** With a voicemail follow-up: the message's length. */
  voicemail_seconds?: number;
}

export function callJson(call: CallEvent, lang: NotifyLanguage, link?: string): CallJson {
  return {
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
    display: callerText(lang, call).slice(0, MAX_DISPLAY_LENGTH),
    ...(link ? { url: link } : {}),
    ...(call.voicemailSeconds !== undefined ? { voicemail_seconds: call.voicemailSeconds } : {}),
  };
}
