/**
 * One sender per CALLFILTER_WEBHOOK_URL entry: the outbox keeps one delivery per (event, sender), so a receiver
 * that fails is retried without repeating the call to those that took it. `deliver()` resolves when the receiver
 * answered 2xx and otherwise throws a DeliveryError that says whether a retry makes sense.
 */
import { DeliveryError } from '../errors.js';
import { callLink } from '../link.js';
import type { CallEvent, NotifyLanguage } from '../types.js';
import { eventId, eventName, webhookBody } from './bodies.js';
import { checkResponse } from './classify.js';
import {
  parseWebhookEvents,
  parseWebhookUrls,
  type WebhookEvents,
  type WebhookTarget,
  wantsAction,
} from './settings.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';

/** The whole request, answer included: a receiver slower than this is treated as down (and retried later). */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Of an error answer's body, this much goes into the delivery log. */
const ERROR_DETAIL_CHARS = 200;

export interface WebhookOptions {
  /** CALLFILTER_WEBHOOK_URL */
  urls: string;
  /** CALLFILTER_WEBHOOK_EVENTS; default all. */
  events?: string;
  /** CALLFILTER_WEBHOOK_SECRET: signs every request. */
  secret?: string;
  language: NotifyLanguage;
  timeZone: string;
  publicUrl?: string;
  /** Sent as User-Agent (`callfilter/<version>`). */
  userAgent: string;
  timeoutMs?: number;
  now?: () => number;
}

export interface WebhookSender {
  readonly target: WebhookTarget;
  /** Whether this event passes CALLFILTER_WEBHOOK_EVENTS. */
  wants(call: CallEvent): boolean;
  deliver(call: CallEvent): Promise<void>;
}

export function createWebhookSenders(o: WebhookOptions): WebhookSender[] {
  const targets = parseWebhookUrls(o.urls);
  const events = parseWebhookEvents(o.events);
  return targets.map((target) => new HttpWebhookSender(target, events, o));
}

class HttpWebhookSender implements WebhookSender {
  constructor(
    readonly target: WebhookTarget,
    private readonly events: WebhookEvents,
    private readonly o: WebhookOptions,
  ) {}

  wants(call: CallEvent): boolean {
    return wantsAction(this.events, call.action);
  }

  async deliver(call: CallEvent): Promise<void> {
    const now = this.o.now ?? Date.now;
    const link = this.o.publicUrl ? callLink(this.o.publicUrl, call.callId) : undefined;
    const request = webhookBody(this.target.format, call, {
      language: this.o.language,
      timeZone: this.o.timeZone,
      ...(link ? { link } : {}),
    });
    const headers: Record<string, string> = {
      'Content-Type': request.contentType,
      'User-Agent': this.o.userAgent,
      'X-Callfilter-Event': eventName(call),
      'X-Callfilter-Delivery': eventId(call),
      ...request.headers,
    };
    if (this.target.authorization) headers.Authorization = this.target.authorization;
    if (this.o.secret) headers[SIGNATURE_HEADER] = signatureHeader(this.o.secret, request.body, now() / 1000);

    let response: Response;
    try {
      response = await fetch(this.target.url, {
        method: 'POST',
        headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.o.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      const why = timedOut ? `no answer within ${this.o.timeoutMs ?? WEBHOOK_TIMEOUT_MS} ms` : networkReason(err);
      throw new DeliveryError(`${this.target.name}: ${why}`, true, { cause: err });
    }
    const detail = response.ok ? '' : await errorDetail(response);
    if (response.ok) await response.body?.cancel();
    checkResponse(this.target.name, response.status, response.headers.get('retry-after'), now(), detail);
  }
}

function networkReason(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/** The start of an error answer's body, for the delivery log; never more than that is read. */
async function errorDetail(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < ERROR_DETAIL_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel();
  } catch {
    // a body cut short still leaves the status to go by
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, ERROR_DETAIL_CHARS);
}
