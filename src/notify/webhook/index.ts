/** Webhooks: plain JSON, ntfy and gotify, HMAC-signed; see sender.ts for delivery and classify.ts for retries. */

export type { WebhookJson, WebhookRequestBody } from './bodies.js';
export { eventId, eventName, headerText, webhookBody } from './bodies.js';
export { checkResponse, MAX_RETRY_AFTER_MS, parseRetryAfter } from './classify.js';
export type { WebhookOptions, WebhookSender } from './sender.js';
export { createWebhookSenders, WEBHOOK_TIMEOUT_MS } from './sender.js';
export type { WebhookEvents, WebhookFormat, WebhookTarget } from './settings.js';
export { MAX_WEBHOOK_URLS, parseWebhookEvents, parseWebhookUrls, WEBHOOK_FORMATS, wantsAction } from './settings.js';
export { SIGNATURE_HEADER, signatureHeader } from './signature.js';
