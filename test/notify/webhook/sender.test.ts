/**
 * Webhooks over real HTTP to a local receiver: the signature checked by the snippet docs/notifications.md shows,
 * each format's body, retries that end with the event seen once, and what each answer means for a retry.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../../src/notify/errors.js';
import type { CallEvent } from '../../../src/notify/types.js';
import { createWebhookSenders, type WebhookOptions } from '../../../src/notify/webhook/index.js';
import { startReceiver } from '../../helpers/webhook-receiver.js';

type Verify = (header: string | undefined, body: string, secret: string, toleranceSeconds?: number) => boolean;

const SECRET = 'whsec_test_0123456789';
let verify: Verify;
let snippetDir: string;

/** The verification snippet exactly as docs/notifications.md shows it, loaded as a module. */
beforeAll(async () => {
  const doc = readFileSync(new URL('../../../docs/notifications.md', import.meta.url), 'utf8');
  const block = /<!-- verify-snippet:start -->\s*```js\n([\s\S]*?)```\s*<!-- verify-snippet:end -->/.exec(doc);
  if (!block) throw new Error('docs/notifications.md lost its verification snippet');
  snippetDir = mkdtempSync(path.join(tmpdir(), 'callfilter-snippet-'));
  const file = path.join(snippetDir, 'verify.mjs');
  writeFileSync(file, block[1] as string);
  verify = ((await import(pathToFileURL(file).href)) as { verifyCallfilterSignature: Verify })
    .verifyCallfilterSignature;
});
afterAll(() => rmSync(snippetDir, { recursive: true, force: true }));

const call = (over: Partial<CallEvent> = {}): CallEvent => ({
  kind: 'decided',
  callId: 42,
  at: Date.UTC(2026, 11, 24, 17, 3),
  caller: '+4930123456',
  callerNational: '030 123456',
  callerKind: 'number',
  label: 'Müller Energie',
  called: '+4930999000',
  action: 'announce',
  reason: 'spam-list',
  ...over,
});

function sender(urls: string, over: Partial<WebhookOptions> = {}) {
  const [s] = createWebhookSenders({
    urls,
    language: 'en',
    timeZone: 'Europe/Berlin',
    userAgent: 'callfilter/0.1.0',
    ...over,
  });
  return s as NonNullable<typeof s>;
}

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DeliveryError)) throw new Error(`expected a DeliveryError, got ${String(err)}`);
  return err;
}

describe('webhook delivery', () => {
  it('posts the call as signed JSON, and the documented snippet verifies it', async () => {
    const receiver = await startReceiver();
    await sender(`${receiver.url}/hook`, { secret: SECRET, publicUrl: 'https://cf.example.org' }).deliver(call());
    const [req] = receiver.requests;
    expect(req).toBeDefined();
    if (!req) return;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/hook');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toBe('callfilter/0.1.0');
    expect(req.headers['x-callfilter-event']).toBe('call.decided');
    expect(req.headers['x-callfilter-delivery']).toBe('call-42-decided');
    expect(req.headers['x-callfilter-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(req.headers['x-callfilter-signature'] as string, req.body, SECRET)).toBe(true);
    expect(JSON.parse(req.body)).toEqual({
      event: 'call.decided',
      id: 'call-42-decided',
      call_id: 42,
      time: '2026-12-24T17:03:00.000Z',
      caller: '+4930123456',
      caller_national: '030 123456',
      caller_kind: 'number',
      label: 'Müller Energie',
      called: '+4930999000',
      action: 'announce',
      reason: 'spam-list',
      action_text: 'Announcement',
      reason_text: 'on an imported spam list',
      display: 'Müller Energie (030 123456)',
      url: 'https://cf.example.org/#calls/42',
    });
  });

  it('the snippet refuses a changed body, another secret, an old timestamp and a missing header', async () => {
    const receiver = await startReceiver();
    await sender(receiver.url, { secret: SECRET }).deliver(call());
    const req = receiver.requests[0];
    if (!req) throw new Error('nothing received');
    const header = req.headers['x-callfilter-signature'] as string;
    expect(verify(header, req.body.replace('announce', 'connect'), SECRET)).toBe(false);
    expect(verify(header, req.body, 'another secret')).toBe(false);
    expect(verify(undefined, req.body, SECRET)).toBe(false);
    const old = sender(receiver.url, { secret: SECRET, now: () => Date.now() - 600_000 });
    await old.deliver(call());
    const stale = receiver.requests[1];
    if (!stale) throw new Error('nothing received');
    expect(verify(stale.headers['x-callfilter-signature'] as string, stale.body, SECRET)).toBe(false);
  });

  it('sends no signature without a secret', async () => {
    const receiver = await startReceiver();
    await sender(receiver.url).deliver(call());
    expect(receiver.requests[0]?.headers['x-callfilter-signature']).toBeUndefined();
  });

  it('retries a receiver that fails at first, honouring Retry-After, until it takes the event once', async () => {
    const accepted = new Set<string>();
    let attempts = 0;
    const receiver = await startReceiver((req) => {
      attempts++;
      if (attempts === 1) return { status: 503, headers: { 'Retry-After': '7' }, body: 'maintenance' };
      if (attempts === 2) return { status: 500 };
      if (!verify(req.headers['x-callfilter-signature'] as string, req.body, SECRET)) return { status: 401 };
      accepted.add((JSON.parse(req.body) as { id: string }).id);
      return { status: 204 };
    });
    const s = sender(receiver.url, { secret: SECRET });
    const first = await failure(s.deliver(call()));
    expect(first).toMatchObject({ retry: true, status: 503, retryAfterMs: 7000 });
    expect(first.message).toContain('503: maintenance');
    const second = await failure(s.deliver(call()));
    expect(second).toMatchObject({ retry: true, status: 500 });
    expect(second.retryAfterMs).toBeUndefined();
    await s.deliver(call());
    expect(attempts).toBe(3);
    expect([...accepted]).toEqual(['call-42-decided']);
  });

  it.each([
    [400, false],
    [401, false],
    [404, false],
    [410, false],
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
  ])('classifies an answer %i as retry=%s', async (status, retry) => {
    const receiver = await startReceiver();
    receiver.answer({ status });
    const err = await failure(sender(receiver.url).deliver(call()));
    expect(err).toMatchObject({ retry, status });
  });

  it('reads a Retry-After date', async () => {
    const receiver = await startReceiver();
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    receiver.answer({ status: 429, headers: { 'Retry-After': new Date(now + 90_000).toUTCString() } });
    const err = await failure(sender(receiver.url, { now: () => now }).deliver(call()));
    expect(err).toMatchObject({ retry: true, status: 429, retryAfterMs: 90_000 });
  });

  it('does not follow a redirect with the signed body: a permanent failure that names the fix', async () => {
    const elsewhere = await startReceiver();
    const receiver = await startReceiver();
    receiver.answer({ status: 308, headers: { Location: `${elsewhere.url}/moved` } });
    const err = await failure(sender(receiver.url).deliver(call()));
    expect(err).toMatchObject({ retry: false, status: 308 });
    expect(err.message).toContain('set the final address in CALLFILTER_WEBHOOK_URL');
    expect(elsewhere.requests).toEqual([]);
  });

  it('retries when nobody listens or the receiver does not answer in time', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await failure(sender(`http://127.0.0.1:${port}/hook`).deliver(call()));
    expect(refused.retry).toBe(true);
    expect(refused.message).toContain('ECONNREFUSED');

    const receiver = await startReceiver();
    receiver.answer({ status: 200, hang: true });
    const slow = await failure(sender(receiver.url, { timeoutMs: 200 }).deliver(call()));
    expect(slow.retry).toBe(true);
    expect(slow.message).toContain('no answer within 200 ms');
  });

  it('gives ntfy a plain-text message with the title, priority and link in headers, and Basic auth from the URL', async () => {
    const receiver = await startReceiver();
    const u = new URL(receiver.url);
    const s = sender(`ntfy+http://alice:p%40ss@${u.host}/callfilter-topic`, {
      language: 'de',
      publicUrl: 'https://cf.example.org/',
    });
    expect(s.target.name).toBe(`ntfy http://${u.host}/…`);
    await s.deliver(call());
    const req = receiver.requests[0];
    if (!req) throw new Error('nothing received');
    expect(req.path).toBe('/callfilter-topic');
    expect(req.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('alice:p@ss').toString('base64')}`);
    const title = req.headers.title as string;
    const encoded = /^=\?UTF-8\?B\?(.+)\?=$/.exec(title);
    expect(encoded).not.toBeNull();
    expect(Buffer.from(encoded?.[1] as string, 'base64').toString('utf8')).toBe('Ansage: Müller Energie (030 123456)');
    expect(req.headers.priority).toBe('2');
    expect(req.headers.tags).toBe('loudspeaker');
    expect(req.headers.click).toBe('https://cf.example.org/#calls/42');
    expect(req.body).toBe('auf einer importierten Spamliste · 24.12.2026, 18:03\nAngerufen: +4930999000');
  });

  it('gives gotify {title, message, priority} with the app token in the query', async () => {
    const receiver = await startReceiver();
    await sender(`gotify+${receiver.url}/message?token=AbCdEf`).deliver(
      call({ kind: 'voicemail', action: 'voicemail', reason: 'unknown', label: undefined, voicemailSeconds: 42 }),
    );
    const req = receiver.requests[0];
    if (!req) throw new Error('nothing received');
    expect(req.path).toBe('/message?token=AbCdEf');
    expect(req.headers['x-callfilter-event']).toBe('call.voicemail');
    expect(JSON.parse(req.body)).toEqual({
      title: 'New voicemail from 030 123456 (0:42)',
      message: 'unknown number · 24 Dec 2026, 18:03\nCalled: +4930999000',
      priority: 8,
    });
  });

  it('sends one request per URL, each its own sender, and filters by action', async () => {
    const a = await startReceiver();
    const b = await startReceiver();
    const senders = createWebhookSenders({
      urls: `${a.url}/a, ntfy+${b.url}/topic`,
      events: 'hangup,announce',
      language: 'en',
      timeZone: 'UTC',
      userAgent: 'callfilter/test',
    });
    expect(senders.map((s) => s.target.format)).toEqual(['json', 'ntfy']);
    expect(senders[0]?.wants(call({ action: 'hangup' }))).toBe(true);
    expect(senders[0]?.wants(call({ action: 'voicemail' }))).toBe(false);
    for (const s of senders) await s.deliver(call());
    expect([a.requests.length, b.requests.length]).toEqual([1, 1]);
  });
});
