/**
 * What each kind of receiver gets for a call (pure): the JSON for plain URLs, ntfy's plain-text message with its
 * title and priority in headers (docs.ntfy.sh, "Publishing"), gotify's `{title, message, priority}` (gotify's
 * POST /message). Every body is UTF-8; a non-ASCII ntfy title travels as an RFC 2047 encoded word, which ntfy
 * decodes (HTTP header values are Latin-1 at best).
 */
import { type CallJson, callJson } from '../call-json.js';
import { messageText, titleText } from '../texts.js';
import type { CallEvent, NotifyLanguage } from '../types.js';
import type { WebhookFormat } from './settings.js';

export interface WebhookBodyOptions {
  language: NotifyLanguage;
  timeZone: string;
  /** The call's address on the page (a link in the message, `url` in the JSON). */
  link?: string;
}

export interface WebhookRequestBody {
  contentType: string;
  body: string;
  /** Extra headers the format wants (ntfy's title and priority). */
  headers: Record<string, string>;
}

/** The JSON a plain webhook URL receives: the call, with what happened and an id stable across retries. */
export interface WebhookJson extends CallJson {
  /** `call.decided`, or `call.voicemail` when the call's voicemail message appeared. */
  event: 'call.decided' | 'call.voicemail';
  /** Unique per event and the same on every retry: a receiver drops one it has seen. */
  id: string;
}

export function eventName(call: CallEvent): WebhookJson['event'] {
  return call.kind === 'voicemail' ? 'call.voicemail' : 'call.decided';
}

/** The id a receiver de-duplicates by: `call-42-decided`, `call-42-voicemail`. */
export function eventId(call: CallEvent): string {
  return `call-${call.callId}-${call.kind}`;
}

/** ntfy's 1 (min) … 5 (max): a message left matters most, calls turned away least. */
function priority(call: CallEvent): 1 | 2 | 3 | 4 | 5 {
  if (call.kind === 'voicemail') return 4;
  return call.action === 'hangup' || call.action === 'announce' ? 2 : 3;
}

const TAGS: Record<CallEvent['action'], string> = {
  connect: 'telephone_receiver',
  voicemail: 'envelope',
  hangup: 'no_entry_sign',
  announce: 'loudspeaker',
};

/** RFC 2047 encoded word for a header value that is not plain ASCII. */
export function headerText(text: string): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(oneLine) ? oneLine : `=?UTF-8?B?${Buffer.from(oneLine, 'utf8').toString('base64')}?=`;
}

export function webhookBody(format: WebhookFormat, call: CallEvent, o: WebhookBodyOptions): WebhookRequestBody {
  const lang = call.language ?? o.language;
  switch (format) {
    case 'json': {
      const json: WebhookJson = { event: eventName(call), id: eventId(call), ...callJson(call, lang, o.link) };
      return { contentType: 'application/json', body: JSON.stringify(json), headers: {} };
    }
    case 'ntfy':
      return {
        contentType: 'text/plain; charset=utf-8',
        body: messageText(lang, call, o.timeZone),
        headers: {
          Title: headerText(titleText(lang, call)),
          Priority: String(priority(call)),
          Tags: call.kind === 'voicemail' ? 'studio_microphone' : TAGS[call.action],
          ...(o.link ? { Click: o.link } : {}),
        },
      };
    case 'gotify':
      return {
        contentType: 'application/json',
        body: JSON.stringify({
          title: titleText(lang, call),
          message: messageText(lang, call, o.timeZone, o.link),
          // gotify's 0–10 scale: the same order as ntfy's
          priority: priority(call) * 2,
          ...(o.link ? { extras: { 'client::notification': { click: { url: o.link } } } } : {}),
        }),
        headers: {},
      };
  }
}
