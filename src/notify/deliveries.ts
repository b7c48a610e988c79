/**
 * The delivery log (GET /api/v1/deliveries): what the outbox sent, is still trying, or gave up — each item with its
 * receiver and event named, never with a secret: payloads are not returned, a webhook is named by format, scheme
 * and host (its path and query may hold a token), and the last error loses any account or query of a URL in it.
 */
import type { OutboxItem, OutboxStatus } from '../store/index.js';
import { DIGEST_KIND, type DigestPayload } from './outbox/mail.js';
import { VOICEMAIL_KIND } from './outbox/voicemail.js';
import { BACKLOG_KIND, type BacklogPayload, WEBHOOK_KIND, type WebhookPayload } from './outbox/webhooks.js';
import type { CallEvent } from './types.js';
import { eventId } from './webhook/bodies.js';

export interface Delivery {
  id: number;
  kind: string;
  status: OutboxStatus;
  attempts: number;
  createdAt: number;
  /** Pending: when the next attempt is due. */
  nextAttemptAt?: number;
  /** Done or dead: when. */
  finishedAt?: number;
  lastError?: string;
  /** Who it goes to: `json https://ha.example.org/…`, the mail server and recipients. */
  target?: string;
  /** What it is: `call-42-decided`, `call-42-voicemail`, `daily:2026-12-24`, `calls from 42` (a backlog). */
  event?: string;
  callId?: number;
}

/** `https://user:pass@host/path?token=x` → `https://…@host/path?…`: whatever a URL in an error text could hold. */
export function redactUrls(text: string): string {
  return text.replace(
    /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]*@)?([^\s/?#]*)([^\s?#]*)(\?[^\s#]*)?(#\S*)?/gi,
    (_m, scheme: string, auth: string | undefined, host: string, path: string, query: string | undefined) =>
      `${scheme}${auth ? '…@' : ''}${host}${path}${query ? '?…' : ''}`,
  );
}

function call(event: unknown): CallEvent | undefined {
  const e = event as Partial<CallEvent> | undefined;
  return e && typeof e.callId === 'number' && (e.kind === 'decided' || e.kind === 'voicemail')
    ? (e as CallEvent)
    : undefined;
}

export function describeDelivery(item: OutboxItem): Delivery {
  const out: Delivery = {
    id: item.id,
    kind: item.kind,
    status: item.status,
    attempts: item.attempts,
    createdAt: item.createdAt,
  };
  if (item.status === 'pending') out.nextAttemptAt = item.nextAttemptAt;
  if (item.finishedAt !== undefined) out.finishedAt = item.finishedAt;
  if (item.lastError !== undefined) out.lastError = redactUrls(item.lastError);
  const about = (target: string | undefined, event: CallEvent | undefined) => {
    if (typeof target === 'string') out.target = target;
    if (event) {
      out.event = eventId(event);
      out.callId = event.callId;
    }
  };
  if (item.kind === WEBHOOK_KIND) {
    const p = item.payload as Partial<WebhookPayload>;
    about(p.name, call(p.event));
  } else if (item.kind === BACKLOG_KIND) {
    const p = item.payload as Partial<BacklogPayload>;
    if (typeof p.name === 'string') out.target = p.name;
    if (typeof p.fromCallId === 'number') out.event = `calls from ${p.fromCallId}`;
  } else if (item.kind === VOICEMAIL_KIND) {
    about(undefined, call(item.payload));
  } else if (item.kind === DIGEST_KIND) {
    const p = item.payload as Partial<DigestPayload>;
    if (typeof p.name === 'string') out.target = p.name;
    if (typeof p.period === 'string') out.event = p.period;
  }
  return out;
}
