/** The notification settings: read, checked at boot with errors that name the setting, secrets never repeated. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/env.js';
import { languageOf } from '../../src/config/language.js';
import { tempDir } from '../helpers/service.js';

const load = (env: Record<string, string>) => loadConfig({ env: { CALLFILTER_DATA_DIR: tempDir(), ...env }, file: {} });

function refused(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('notification settings', () => {
  it('are all off by default', () => {
    expect(load({}).notify).toEqual({ digest: 'off' });
  });

  it('reads every channel with its defaults', () => {
    const spool = tempDir();
    const c = load({
      CALLFILTER_MQTT_URL: 'mqtts://broker.example.org:8883',
      CALLFILTER_MQTT_USER: 'callfilter',
      CALLFILTER_MQTT_PASSWORD: 'broker-secret',
      CALLFILTER_MQTT_COMMANDS: 'true',
      CALLFILTER_WEBHOOK_URL: 'https://ha.example.org/api/webhook/x, ntfy+https://ntfy.sh/topic',
      CALLFILTER_WEBHOOK_EVENTS: 'hangup,announce',
      CALLFILTER_WEBHOOK_SECRET: '0123456789abcdef0123',
      CALLFILTER_DIGEST: 'weekly',
      CALLFILTER_SMTP_URL: 'smtp://user:pw@mail.example.org:587',
      CALLFILTER_MAIL_FROM: 'callfilter <cf@example.org>',
      CALLFILTER_MAIL_TO: 'anna@example.org, ben@example.org',
      CALLFILTER_PUBLIC_URL: 'https://cf.example.org',
      CALLFILTER_VOICEMAIL_DIR: spool,
    });
    expect(c.notify).toEqual({
      mqtt: {
        url: 'mqtts://broker.example.org:8883',
        username: 'callfilter',
        password: 'broker-secret',
        prefix: 'callfilter',
        discoveryPrefix: 'homeassistant',
        commands: true,
      },
      webhook: {
        urls: 'https://ha.example.org/api/webhook/x, ntfy+https://ntfy.sh/topic',
        events: 'hangup,announce',
        secret: '0123456789abcdef0123',
      },
      digest: 'weekly',
      mail: {
        smtpUrl: 'smtp://user:pw@mail.example.org:587',
        from: 'callfilter <cf@example.org>',
        to: 'anna@example.org, ben@example.org',
      },
      publicUrl: 'https://cf.example.org/',
      voicemailDir: spool,
    });
    expect(
      load({
        CALLFILTER_MQTT_URL: 'mqtt://b',
        CALLFILTER_MQTT_PREFIX: 'home/calls',
        CALLFILTER_MQTT_DISCOVERY_PREFIX: 'ha',
      }).notify.mqtt,
    ).toEqual({
      url: 'mqtt://b',
      prefix: 'home/calls',
      discoveryPrefix: 'ha',
      commands: false,
    });
  });

  it.each([
    [
      { CALLFILTER_MQTT_URL: 'http://broker' },
      'CALLFILTER_MQTT_URL: "http://broker" must start with mqtt:// or mqtts://',
    ],
    [
      { CALLFILTER_MQTT_URL: 'mqtt://b', CALLFILTER_MQTT_PREFIX: 'calls/#' },
      'CALLFILTER_MQTT_PREFIX: "calls/#" must not contain +, # or NUL (MQTT wildcards)',
    ],
    [
      { CALLFILTER_MQTT_URL: 'mqtt://b', CALLFILTER_MQTT_DISCOVERY_PREFIX: '/ha' },
      'CALLFILTER_MQTT_DISCOVERY_PREFIX: "/ha" must not start or end with /',
    ],
    [
      { CALLFILTER_WEBHOOK_EVENTS: 'sometimes' },
      'CALLFILTER_WEBHOOK_EVENTS: unknown action "sometimes" (write all, or a list of connect, voicemail, hangup, announce)',
    ],
    [{ CALLFILTER_DIGEST: 'hourly' }, 'CALLFILTER_DIGEST: "hourly" is not daily, weekly, off'],
    [
      { CALLFILTER_DIGEST: 'daily', CALLFILTER_MAIL_TO: 'a@example.org' },
      'CALLFILTER_DIGEST: "daily" needs CALLFILTER_SMTP_URL, CALLFILTER_MAIL_FROM (where to send the mail)',
    ],
    [{ CALLFILTER_MAIL_FROM: 'nobody' }, 'CALLFILTER_MAIL_FROM: "nobody" is not an e-mail address'],
    [
      { CALLFILTER_MAIL_FROM: 'a@example.org, b@example.org' },
      'CALLFILTER_MAIL_FROM: "a@example.org, b@example.org" names more than one address',
    ],
    [{ CALLFILTER_MAIL_TO: 'anna@example.org, ben' }, 'CALLFILTER_MAIL_TO: "ben" is not an e-mail address'],
    [
      { CALLFILTER_PUBLIC_URL: 'callfilter.local' },
      'CALLFILTER_PUBLIC_URL: not a URL: "callfilter.local" (expected e.g. https://callfilter.example.org/)',
    ],
    [
      { CALLFILTER_VOICEMAIL_DIR: '/dev/null/voicemail' },
      'CALLFILTER_VOICEMAIL_DIR: "/dev/null/voicemail" cannot be a folder: a part of it is a file',
    ],
  ])('refuses %j: %s', (env, message) => {
    expect(refused(env).message).toBe(message);
  });

  it('never repeats a secret in an error: the broker password, the webhook secret, a URL that may carry a token or an account', () => {
    expect(refused({ CALLFILTER_MQTT_URL: 'mqtt://b', CALLFILTER_MQTT_PASSWORD: 'pw-1234' }).message).toBe(
      'CALLFILTER_MQTT_PASSWORD: is set without CALLFILTER_MQTT_USER',
    );
    const short = refused({ CALLFILTER_WEBHOOK_SECRET: 'hunter2' });
    expect(short.message).toContain('CALLFILTER_WEBHOOK_SECRET: is too short (at least 16 characters');
    expect(short.message).not.toContain('hunter2');
    const hook = refused({ CALLFILTER_WEBHOOK_URL: 'gotify+https://gotify.example.org/messages?token=AbCdEf' });
    expect(hook.message).toBe(
      'CALLFILTER_WEBHOOK_URL: URL 1: a gotify URL ends in /message, e.g. gotify+https://gotify.example.org/message?token=…',
    );
    expect(hook.message).not.toContain('AbCdEf');
    const smtp = refused({ CALLFILTER_SMTP_URL: 'imap://user:s3cret@mail.example.org' });
    expect(smtp.message).toBe('CALLFILTER_SMTP_URL: must start with smtp:// or smtps://, not imap://');
    const inUrl = refused({ CALLFILTER_MQTT_URL: 'mqtt://user:s3cret@broker' });
    expect(inUrl.message).not.toContain('s3cret');
  });

  it('takes a voicemail folder that does not exist yet (Asterisk makes it), but not a file', () => {
    const dir = tempDir();
    expect(load({ CALLFILTER_VOICEMAIL_DIR: join(dir, 'later') }).notify.voicemailDir).toBe(join(dir, 'later'));
    mkdirSync(join(dir, 'spool'));
    writeFileSync(join(dir, 'file'), '');
    expect(refused({ CALLFILTER_VOICEMAIL_DIR: join(dir, 'file') }).message).toBe(
      `CALLFILTER_VOICEMAIL_DIR: ${JSON.stringify(join(dir, 'file'))} is not a folder`,
    );
  });
});

describe('the language of texts for people', () => {
  it('is German for German-speaking homes and English for the rest, unless CALLFILTER_LANGUAGE says otherwise', () => {
    expect(languageOf({ numbering: { homeCountry: 'DE' } })).toBe('de');
    expect(languageOf({ numbering: { homeCountry: 'CH' } })).toBe('de');
    expect(languageOf({ numbering: { homeCountry: 'GB' } })).toBe('en');
    expect(languageOf({ numbering: { homeCountry: 'DE' }, language: 'en' })).toBe('en');
    expect(languageOf(load({ CALLFILTER_HOME_COUNTRY: 'AT' }))).toBe('de');
  });
});
