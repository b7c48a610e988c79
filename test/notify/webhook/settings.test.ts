/** CALLFILTER_WEBHOOK_URL / _EVENTS parsing, Retry-After, and the ntfy title encoding: pure functions. */
import { describe, expect, it } from 'vitest';
import {
  headerText,
  parseRetryAfter,
  parseWebhookEvents,
  parseWebhookUrls,
} from '../../../src/notify/webhook/index.js';

describe('CALLFILTER_WEBHOOK_URL', () => {
  it('reads one or more URLs, each with its format, and keeps secrets out of the name', () => {
    const targets = parseWebhookUrls(
      ' https://ha.example.org/api/webhook/s3cr3t-id , ntfy+https://ntfy.sh/my-topic,gotify+https://gotify.lan:8443/message?token=AbC,',
    );
    expect(targets).toEqual([
      { format: 'json', url: 'https://ha.example.org/api/webhook/s3cr3t-id', name: 'json https://ha.example.org/…' },
      { format: 'ntfy', url: 'https://ntfy.sh/my-topic', name: 'ntfy https://ntfy.sh/…' },
      { format: 'gotify', url: 'https://gotify.lan:8443/message?token=AbC', name: 'gotify https://gotify.lan:8443/…' },
    ]);
  });

  it('turns user info into Basic authentication and takes it out of the URL', () => {
    const [t] = parseWebhookUrls('https://n8n:pa%2Css@n8n.lan/webhook/calls');
    expect(t).toEqual({
      format: 'json',
      url: 'https://n8n.lan/webhook/calls',
      authorization: `Basic ${Buffer.from('n8n:pa,ss').toString('base64')}`,
      name: 'json https://n8n.lan/…',
    });
  });

  it.each([
    ['', 'CALLFILTER_WEBHOOK_URL names no URL'],
    [' , ', 'CALLFILTER_WEBHOOK_URL names no URL'],
    ['https://a.example, slack+https://hooks.slack.com/x', 'URL 2: unknown format "slack+"'],
    ['ftp://files.example/hook', 'URL 1 must use https:// or http://, not ftp://'],
    ['example.org/hook', 'URL 1 is not a URL'],
    ['https://a.example/hook#frag', 'must not carry a #fragment'],
    ['ntfy+https://ntfy.sh/', 'an ntfy URL names its topic'],
    ['gotify+https://gotify.lan/?token=x', 'a gotify URL ends in /message'],
    ['gotify+https://gotify.lan/message', 'a gotify URL needs the application token'],
    [Array.from({ length: 11 }, (_, i) => `https://h${i}.example/`).join(','), 'at most 10'],
  ])('refuses %j', (setting, message) => {
    expect(() => parseWebhookUrls(setting)).toThrow(message);
  });

  it('never repeats a URL (it may hold a token) in an error', () => {
    expect(() => parseWebhookUrls('gotify+https://gotify.lan/msg?token=VERYSECRET')).toThrow(/^(?!.*VERYSECRET)/);
  });
});

describe('CALLFILTER_WEBHOOK_EVENTS', () => {
  it('is all by default, or a set of actions', () => {
    expect(parseWebhookEvents(undefined)).toBe('all');
    expect(parseWebhookEvents(' ALL ')).toBe('all');
    expect([...(parseWebhookEvents('hangup, announce') as Set<string>)]).toEqual(['hangup', 'announce']);
  });

  it('refuses an unknown action or an empty list', () => {
    expect(() => parseWebhookEvents('hangup,block')).toThrow(
      'unknown action "block" (write all, or a list of connect, voicemail, hangup, announce)',
    );
    expect(() => parseWebhookEvents(',')).toThrow('names no action');
  });
});

describe('Retry-After', () => {
  const now = Date.UTC(2026, 0, 1);
  it.each([
    ['120', 120_000],
    ['0', 0],
    [new Date(now + 5000).toUTCString(), 5000],
    [new Date(now - 5000).toUTCString(), 0],
    ['999999999', 24 * 3_600_000],
    ['soon', undefined],
    [null, undefined],
  ])('%j → %j ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});

describe('ntfy header text', () => {
  it('keeps ASCII as it is and encodes the rest as an RFC 2047 word, on one line', () => {
    expect(headerText('Hung up: 030 123456')).toBe('Hung up: 030 123456');
    expect(headerText('Anna\r\nX-Evil: 1')).toBe('Anna X-Evil: 1');
    expect(headerText('Müller')).toBe(`=?UTF-8?B?${Buffer.from('Müller').toString('base64')}?=`);
  });
});
