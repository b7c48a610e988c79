/**
 * The voicemail message on the page, in real headless Chromium: a real call through the fake Asterisk, its message
 * in a spool laid out as Asterisk 22 writes it (a short real PCM WAV beside wav49), a play button with the length in
 * the Calls view, and an audio element that loads it from the same origin under the page's strict CSP, reports its
 * duration and seeks (a Range request).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSpool } from '../helpers/voicemail-spool.js';
import { launchBrowser, openPage, screenshot, signIn, startWeb } from '../helpers/web.js';

/** What the test reads of the page's <audio> element (the tests' TypeScript has no DOM library). */
interface MediaElement {
  readyState: number;
  duration: number;
  currentTime: number;
  error: { code: number } | null;
  pause(): void;
  addEventListener(type: string, listener: () => void, options?: { once: boolean }): void;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);
afterAll(async () => {
  await browser?.close();
});

describe('the voicemail message in the Calls view', () => {
  it('shows a play button with the length, and plays the message in an audio element', async () => {
    const spool = makeSpool();
    const web = await startWeb({ env: { CALLFILTER_VOICEMAIL_DIR: spool.root } });
    const result = await web.call('030 5550001');
    const call = (await web.ctx.store.calls.get(Number(result.variables.CALLFILTER_CALL_ID)))!;
    await web.call('030 5550002'); // no message
    spool.add({
      mailbox: '100',
      n: 0,
      callerchan: call.channel!,
      callerid: '"" <0305550001>',
      origtime: Math.floor(call.at / 1000) + 15,
      seconds: 1.5,
    });

    const { page, problems } = await openPage(browser, web);
    await signIn(page, web.token);
    const play = page.getByRole('button', { name: 'Play the voicemail message (0:02)' });
    await play.waitFor();
    expect(await play.textContent()).toBe('▶ Message 0:02');
    expect(await page.locator('#calls-body button[data-vm]').count()).toBe(1);

    const requests: { range?: string; status: number }[] = [];
    page.on('response', (res) => {
      if (res.url().endsWith(`/api/v1/calls/${call.id}/voicemail`))
        requests.push({
          ...(res.request().headers().range && { range: res.request().headers().range }),
          status: res.status(),
        });
    });
    await play.click();
    const audio = page.locator(`#calls-body tr[data-id="${call.id}"] audio`);
    await audio.waitFor();
    const loaded = await audio.evaluate(
      (el: MediaElement) =>
        new Promise<{ duration: number; error: number | null }>((resolve) => {
          const done = () => resolve({ duration: el.duration, error: el.error?.code ?? null });
          if (el.readyState >= 1) done();
          el.addEventListener('loadedmetadata', done, { once: true });
          el.addEventListener('error', done, { once: true });
        }),
    );
    expect(loaded.error).toBeNull();
    expect(loaded.duration).toBeCloseTo(1.5, 1);

    // Seeking asks for a byte range, which the API serves
    const seeked = await audio.evaluate(
      (el: MediaElement) =>
        new Promise<number>((resolve) => {
          el.pause();
          el.addEventListener('seeked', () => resolve(el.currentTime), { once: true });
          el.currentTime = 1;
        }),
    );
    expect(seeked).toBeCloseTo(1, 1);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => r.status === 200 || r.status === 206)).toBe(true);
    expect(requests.some((r) => r.status === 206 && r.range?.startsWith('bytes='))).toBe(true);
    await screenshot(page, 'calls-voicemail');
    // no CSP violation, no script error
    expect(problems).toEqual([]);
  });
});
