/**
 * Sends the digest with nodemailer over CALLFILTER_SMTP_URL (`smtp://user:pass@host:587` with STARTTLS when the
 * server offers it, `smtps://…:465` for TLS from the start) from CALLFILTER_MAIL_FROM to CALLFILTER_MAIL_TO.
 * `send()` resolves once the server accepted the mail; otherwise it throws a DeliveryError: an SMTP 5xx reply
 * (wrong password, refused recipient) is permanent, everything else — 4xx, a dead or slow server — may work later.
 */
import { createTransport } from 'nodemailer';
import { DeliveryError } from '../errors.js';
import type { Digest } from './digest.js';
import { type MailSettings, mailSettings } from './settings.js';

/** A mail server that takes longer than these is treated as down; the job runner tries again later. */
const CONNECTION_TIMEOUT_MS = 15_000;
const GREETING_TIMEOUT_MS = 15_000;
const SOCKET_TIMEOUT_MS = 60_000;

/** Nodemailer's codes for problems no retry can fix (bad settings, a refused envelope or message). */
const PERMANENT_CODES = new Set(['EAUTH', 'ECONFIG', 'EENVELOPE', 'EMESSAGE']);

export interface MailSender {
  /** The server and recipients, without the password: for logs and the delivery log. */
  readonly name: string;
  send(digest: Digest): Promise<void>;
  close(): void;
}

export function createMailSender(input: { smtpUrl: string; from: string; to: string }): MailSender {
  const settings: MailSettings = mailSettings(input);
  const transport = createTransport({
    url: settings.smtpUrl,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
  });
  const name = `${settings.server} → ${settings.to.join(', ')}`;
  return {
    name,
    async send(digest) {
      try {
        await transport.sendMail({
          from: settings.from,
          to: settings.to,
          subject: digest.subject,
          text: digest.text,
          html: digest.html,
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
      } catch (err) {
        throw mailError(name, err);
      }
    },
    close() {
      transport.close();
    },
  };
}

function mailError(name: string, err: unknown): DeliveryError {
  const e = (err ?? {}) as {
    code?: string;
    responseCode?: number;
    permanent?: boolean;
    response?: string;
    message?: string;
  };
  const said = e.response ?? e.message ?? String(err);
  const retry = typeof e.permanent === 'boolean' ? !e.permanent : !PERMANENT_CODES.has(e.code ?? '');
  return new DeliveryError(`${name}: ${said}`, retry, {
    ...(e.responseCode ? { status: e.responseCode } : {}),
    cause: err,
  });
}
