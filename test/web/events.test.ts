/**
 * GET /api/v1/events over real sockets: a stream ends when its credential does (a rotated token, a session ended by
 * it), and a client that stops reading is disconnected while the others keep receiving everything.
 */
import net from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadAdminToken, rotateAdminToken, tokenSource } from '../../src/api/auth.js';
import type { Screened } from '../../src/screen/screen-call.js';
import { tempDir } from '../helpers/service.js';
import { startWeb, type TestWeb } from '../helpers/web.js';

/**
 * An open event stream read by fetch: `until` waits (bounded) for a pattern or for a number of call events, `ended`
 * for the server to close it.
 */
async function openStream(web: TestWeb, headers: Record<string, string>) {
  const controller = new AbortController();
  onTestFinished(() => controller.abort());
  const res = await fetch(`${web.url}/api/v1/events`, { headers, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  let done = false;
  let calls = 0;
  let scanned = 0;
  const next = async (deadline: number) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`stream still open, read so far: ${JSON.stringify(text.slice(-300))}`)),
        deadline - Date.now(),
      );
    });
    const chunk = await Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
    if (chunk.done) done = true;
    else text += chunk.value;
    // Counted as the text grows: a marker may straddle two chunks, so each scan starts a marker's length back.
    for (let i = text.indexOf(CALL_EVENT, scanned); i >= 0; i = text.indexOf(CALL_EVENT, i + 1)) calls++;
    scanned = Math.max(scanned, text.length - CALL_EVENT.length + 1);
  };
  const wait = async (ready: () => boolean) => {
    const deadline = Date.now() + 5_000;
    while (!ready() && !done) await next(deadline);
  };
  return {
    text: () => text,
    calls: () => calls,
    async until(pattern: RegExp) {
      await wait(() => pattern.test(text));
      expect(text).toMatch(pattern);
    },
    async untilCalls(n: number) {
      await wait(() => calls >= n);
      expect(calls).toBe(n);
    },
    async ended() {
      await wait(() => false);
    },
  };
}

const CALL_EVENT = 'event: call\n';

/** A token kept in a real token file, as the service reads it; `rotate` is what `callfilter token --rotate` does. */
function tokenFile() {
  const config = { dataDir: tempDir(), adminToken: undefined };
  const source = tokenSource(loadAdminToken(config));
  return { source, token: source.current(), rotate: () => rotateAdminToken(config) };
}

describe('a live stream ends with its credential', () => {
  it('ends a stream opened with the bearer token once the token is rotated, and refuses the old token after', async () => {
    const tokens = tokenFile();
    const web = await startWeb({ token: tokens.source });
    const stream = await openStream(web, { authorization: `Bearer ${tokens.token}` });
    await stream.until(/^retry: 3000\n\n/);
    await web.call('030 5556667');
    await stream.until(/event: call\n/);

    tokens.rotate();
    await stream.ended();
    expect(stream.text()).toMatch(/event: signed-out\ndata: \{\}\n\n$/);
    await web.call('030 5556668');
    expect(stream.calls()).toBe(1);
    const again = await fetch(`${web.url}/api/v1/events`, { headers: { authorization: `Bearer ${tokens.token}` } });
    expect(again.status).toBe(401);
  });

  it('ends a stream opened with a session once the token is rotated (rotation signs every browser out)', async () => {
    const tokens = tokenFile();
    const web = await startWeb({ token: tokens.source });
    const signIn = await fetch(`${web.url}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: tokens.token }),
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';', 1)[0] as string;
    const stream = await openStream(web, { cookie });
    await stream.until(/^retry: 3000\n\n/);
    tokens.rotate();
    await stream.ended();
    expect(stream.text()).toContain('event: signed-out');
  });
});

/** A raw HTTP client that asks for the stream, reads the response head, then stops reading altogether. */
async function stalledStream(web: TestWeb) {
  const socket = net.connect({ host: '127.0.0.1', port: Number(new URL(web.url).port) });
  onTestFinished(() => void socket.destroy());
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(`GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${web.token}\r\n\r\n`);
  const head = await new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
  expect(head).toMatch(/^HTTP\/1\.1 200 /);
  socket.pause();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    /** Reads again: what the kernel still holds, then the end the service sent (or, without one, waits forever). */
    drain: () => {
      socket.on('data', () => {});
      socket.on('error', () => {});
      socket.resume();
      return closed;
    },
  };
}

describe('a stream that stops reading', () => {
  it('is disconnected once it falls behind, while a stream that reads gets every event', {
    timeout: 60_000,
  }, async () => {
    const web = await startWeb();
    const call = await web.call('030 5556667', {
      env: { calleridname: 'Ein recht langer Anrufername, damit jedes Ereignis etwas wiegt' },
    });
    const callId = Number(call.variables.CALLFILTER_CALL_ID);
    const reading = await openStream(web, { authorization: `Bearer ${web.token}` });
    await reading.until(/^retry: 3000\n\n/);
    const stalled = await stalledStream(web);

    // Events in rounds that the reading stream takes in before the next: it never falls behind; the stalled one does.
    const BATCH = 50;
    const MAX_EVENTS = 40_000; // far more than the kernel's socket buffers and the service's bound hold together
    let sent = 0;
    const cutOff = () => web.logs.some((l) => l.msg === 'a live view stopped reading; disconnected it');
    while (!cutOff() && sent < MAX_EVENTS) {
      for (let i = 0; i < BATCH; i++) web.events.publish({ callId } as Screened);
      sent += BATCH;
      await reading.untilCalls(sent);
    }
    console.log(`[events] the stalled stream was cut off after ${sent} events`);
    expect(cutOff()).toBe(true);
    expect(web.logs.find((l) => l.msg === 'a live view stopped reading; disconnected it')).toMatchObject({
      level: 40,
      buffered: expect.any(Number),
    });

    // The reader keeps receiving after the cut, and got every event.
    for (let i = 0; i < BATCH; i++) web.events.publish({ callId } as Screened);
    sent += BATCH;
    await reading.untilCalls(sent);
    // The service ended that connection: read again, and the socket comes to its end.
    await stalled.drain();
  });
});
