/**
 * Notifications after the decision, never on the call path: each channel is a narrow interface the outbox calls —
 * `MqttNotifier.deliver()` (hands over, never fails), `WebhookSender.deliver()` and `MailSender.send()` (throw a
 * DeliveryError that says whether a retry makes sense). All consume the CallEvent of ./types.ts.
 */

export { type CallJson, callJson } from './call-json.js';
export { DeliveryError } from './errors.js';
export { callLink, callsLink, parsePublicUrl } from './link.js';
export { buildDigest, createMailSender, type Digest, type MailSender } from './mail/index.js';
export { createMqttNotifier, type MqttNotifier, type MqttNotifierOptions } from './mqtt/index.js';
export type { CallEvent, NotifyLanguage } from './types.js';
export { NOTIFY_LANGUAGES } from './types.js';
export { createWebhookSenders, type WebhookOptions, type WebhookSender } from './webhook/index.js';
