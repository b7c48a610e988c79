/**
 * The notification settings (CALLFILTER_MQTT_*, _WEBHOOK_*, _SMTP_URL, _MAIL_*, _DIGEST, _PUBLIC_URL, _VOICEMAIL_DIR),
 * checked at boot by the channels' own rules (src/notify/*\/settings.ts) so the service never starts with one it
 * would refuse later. Each error names the setting; a secret (a password, the webhook secret, a URL that may carry
 * a token or an account) is never repeated in it.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parsePublicUrl } from '../notify/link.js';
import { checkSmtpUrl, mailAddresses, mailSettings } from '../notify/mail/settings.js';
import {
  checkMqttUrl,
  checkTopicPrefix,
  DEFAULT_DISCOVERY_PREFIX,
  DEFAULT_PREFIX,
  type MqttSettings,
} from '../notify/mqtt/settings.js';
import { parseWebhookEvents, parseWebhookUrls } from '../notify/webhook/settings.js';
import { ConfigError, type EnvValue } from './env.js';
import type { EnvKey } from './env-schema.js';

export const DIGESTS = ['daily', 'weekly', 'off'] as const;
export type DigestMode = (typeof DIGESTS)[number];

/** A shorter webhook secret can be guessed from one signed request; `openssl rand -hex 32` gives 64 characters. */
export const MIN_WEBHOOK_SECRET_CHARS = 16;

export interface NotifyConfig {
  /** Set when CALLFILTER_MQTT_URL is; `password` is a secret. */
  mqtt?: MqttSettings;
  /** Set when CALLFILTER_WEBHOOK_URL is: the raw settings, checked (the URLs and the secret are secrets). */
  webhook?: { urls: string; events: string; secret?: string };
  /** Set when the digest is on: the raw settings, checked (the SMTP URL may carry a password). */
  mail?: { smtpUrl: string; from: string; to: string };
  digest: DigestMode;
  /** CALLFILTER_PUBLIC_URL, normalised to end in `/`. */
  publicUrl?: string;
  /** CALLFILTER_VOICEMAIL_DIR, absolute. */
  voicemailDir?: string;
}

/** Runs a channel's check; its error becomes a ConfigError of `key` (the channel's own mention of the key dropped). */
function checked<T>(key: EnvKey, check: () => T): T {
  try {
    return check();
  } catch (err) {
    const message = (err as Error).message.replace(new RegExp(`^${key}[:,]? ?`), '').replace(/^MQTT URL /, '');
    throw new ConfigError(key, message);
  }
}

/** The spool may not exist yet (Asterisk creates it with the first message), but a path that cannot be one is wrong. */
function voicemailDir(raw: string): string {
  const dir = resolve(raw);
  try {
    if (!statSync(dir).isDirectory())
      throw new ConfigError('CALLFILTER_VOICEMAIL_DIR', `${JSON.stringify(raw)} is not a folder`);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR')
      throw new ConfigError(
        'CALLFILTER_VOICEMAIL_DIR',
        `${JSON.stringify(raw)} cannot be a folder: a part of it is a file`,
      );
    // ENOENT: not there yet; EACCES: the walk will find nothing, and the service says so when it starts.
  }
  return dir;
}

export function notifyConfig(get: (key: EnvKey) => EnvValue): NotifyConfig {
  const text = (key: EnvKey) => get(key) as string | undefined;
  const out: NotifyConfig = { digest: 'off' };

  const mqttUrl = text('CALLFILTER_MQTT_URL');
  if (mqttUrl !== undefined) {
    const user = text('CALLFILTER_MQTT_USER');
    const password = text('CALLFILTER_MQTT_PASSWORD');
    if (password !== undefined && user === undefined)
      throw new ConfigError('CALLFILTER_MQTT_PASSWORD', 'is set without CALLFILTER_MQTT_USER');
    out.mqtt = {
      url: checked('CALLFILTER_MQTT_URL', () => {
        checkMqttUrl(mqttUrl);
        return mqttUrl;
      }),
      prefix: checked('CALLFILTER_MQTT_PREFIX', () =>
        checkTopicPrefix(text('CALLFILTER_MQTT_PREFIX') ?? DEFAULT_PREFIX, 'CALLFILTER_MQTT_PREFIX'),
      ),
      discoveryPrefix: checked('CALLFILTER_MQTT_DISCOVERY_PREFIX', () =>
        checkTopicPrefix(
          text('CALLFILTER_MQTT_DISCOVERY_PREFIX') ?? DEFAULT_DISCOVERY_PREFIX,
          'CALLFILTER_MQTT_DISCOVERY_PREFIX',
        ),
      ),
      commands: get('CALLFILTER_MQTT_COMMANDS') === true,
      ...(user !== undefined && { username: user }),
      ...(password !== undefined && { password }),
    };
  }

  const events = text('CALLFILTER_WEBHOOK_EVENTS') ?? 'all';
  checked('CALLFILTER_WEBHOOK_EVENTS', () => parseWebhookEvents(events));
  const urls = text('CALLFILTER_WEBHOOK_URL');
  const secret = text('CALLFILTER_WEBHOOK_SECRET');
  if (secret !== undefined && secret.length < MIN_WEBHOOK_SECRET_CHARS) {
    throw new ConfigError(
      'CALLFILTER_WEBHOOK_SECRET',
      `is too short (at least ${MIN_WEBHOOK_SECRET_CHARS} characters, e.g. from \`openssl rand -hex 32\`)`,
    );
  }
  if (urls !== undefined) {
    checked('CALLFILTER_WEBHOOK_URL', () => parseWebhookUrls(urls));
    out.webhook = { urls, events, ...(secret !== undefined && { secret }) };
  }

  const digest = text('CALLFILTER_DIGEST') ?? 'off';
  if (!(DIGESTS as readonly string[]).includes(digest))
    throw new ConfigError('CALLFILTER_DIGEST', `${JSON.stringify(digest)} is not ${DIGESTS.join(', ')}`);
  out.digest = digest as DigestMode;
  const smtpUrl = text('CALLFILTER_SMTP_URL');
  const from = text('CALLFILTER_MAIL_FROM');
  const to = text('CALLFILTER_MAIL_TO');
  if (smtpUrl !== undefined) checked('CALLFILTER_SMTP_URL', () => checkSmtpUrl(smtpUrl));
  if (
    from !== undefined &&
    checked('CALLFILTER_MAIL_FROM', () => mailAddresses('CALLFILTER_MAIL_FROM', from)).length > 1
  ) {
    throw new ConfigError('CALLFILTER_MAIL_FROM', `${JSON.stringify(from)} names more than one address`);
  }
  if (to !== undefined)
    checked('CALLFILTER_MAIL_TO', () =>
      mailSettings({ smtpUrl: 'smtp://localhost', from: 'callfilter@localhost', to }),
    );
  if (out.digest !== 'off') {
    const missing = (['CALLFILTER_SMTP_URL', 'CALLFILTER_MAIL_FROM', 'CALLFILTER_MAIL_TO'] as const).filter(
      (k) => text(k) === undefined,
    );
    if (missing.length > 0)
      throw new ConfigError(
        'CALLFILTER_DIGEST',
        `${JSON.stringify(digest)} needs ${missing.join(', ')} (where to send the mail)`,
      );
    out.mail = { smtpUrl: smtpUrl as string, from: from as string, to: to as string };
  }

  const publicUrl = text('CALLFILTER_PUBLIC_URL');
  if (publicUrl !== undefined) out.publicUrl = checked('CALLFILTER_PUBLIC_URL', () => parsePublicUrl(publicUrl).href);
  const dir = text('CALLFILTER_VOICEMAIL_DIR');
  if (dir !== undefined) out.voicemailDir = voicemailDir(dir);
  return out;
}
