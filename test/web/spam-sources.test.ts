/**
 * The Lists view with spam-list sources: each list says which source feeds it and how fresh it is, the last error in
 * words, a stale flag, a held-back answer with the button that takes it after all; and "Report" on a call row, which
 * queues a rating for PhoneBlock — only when a PhoneBlock API key is set. English and German, real Chromium, real HTTP.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEnvSources } from '../../src/sources/env-source.js';
import { RATE_KIND } from '../../src/sources/phoneblock/reports.js';
import { defaultSchedule } from '../../src/sources/schedule.js';
import { createSources } from '../../src/sources/service.js';
import { launchBrowser, openPage, screenshot, signIn, startWeb } from '../helpers/web.js';
import { silent } from '../sources/helpers.js';
import { startFakePhoneblock } from '../sources/phoneblock-server.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);
afterAll(async () => {
  await browser?.close();
});

const DAY = 24 * 60 * 60_000;

const WORDS = {
  en: {
    locale: 'en-GB',
    lists: 'Lists',
    calls: 'Calls',
    fresh:
      /^PhoneBlock · 151 numbers · updated (this minute|\d+ minutes? ago) · next (tonight|today at \d\d:\d\d|tomorrow at \d\d:\d\d|\d+ \S+)$/,
    held: 'Answer held back, the list in force stays: ',
    accept: 'Accept the held-back answer of phoneblock',
    freshAfter: /^PhoneBlock · 151 numbers · updated/,
    stale: 'stale',
    error: 'last error: the API key was refused',
    report: 'Report 030 4445556 to PhoneBlock as spam',
    kind: 'What kind of call',
    send: 'Send',
    toast: '030 4445556 reported to PhoneBlock (fraud).',
  },
  de: {
    locale: 'de-DE',
    lists: 'Listen',
    calls: 'Anrufe',
    fresh:
      /^PhoneBlock · 151 Nummern · aktualisiert (in dieser Minute|vor \d+ Minuten?) · nächster Abgleich (heute Nacht|heute um \d\d:\d\d|morgen um \d\d:\d\d|\d+\. \S+)$/,
    held: 'Antwort zurückgehalten, die geltende Liste bleibt: ',
    accept: 'Zurückgehaltene Antwort von phoneblock übernehmen',
    freshAfter: /^PhoneBlock · 151 Nummern · aktualisiert/,
    stale: 'veraltet',
    error: 'letzter Fehler: der API-Schlüssel wurde abgelehnt',
    report: '030 4445556 an PhoneBlock als Spam melden',
    kind: 'Art des Anrufs',
    send: 'Senden',
    toast: '030 4445556 an PhoneBlock gemeldet (Betrug).',
  },
};

async function walkThrough(w: (typeof WORDS)['en']): Promise<void> {
  const pb = await startFakePhoneblock({ numbers: 150 });
  const web = await startWeb({
    env: {
      CALLFILTER_PHONEBLOCK_TOKEN: pb.token,
      CALLFILTER_PHONEBLOCK_URL: pb.url,
      ...(w.locale === 'de-DE' && { CALLFILTER_LANGUAGE: 'de' }),
    },
  });
  const { store } = web.ctx;
  const sources = createSources(web.ctx);
  const source = (await ensureEnvSources(sources, web.ctx.config, silent))!;
  pb.set('+4930166666666', 10);
  expect((await sources.sync(source)).outcome).toBe('synced');
  // The next answer's version goes backwards: held back, the 151 numbers stay in force.
  pb.fail({ versionBack: true });
  expect((await sources.sync((await sources.find('phoneblock'))!)).outcome).toBe('held');

  // A list at a URL whose last success was 4 days ago and whose key is refused now: stale, the error in words.
  const list = await store.lists.create({ name: 'Nachbarn', threshold: 1 });
  const url = await store.sources.create({
    name: 'neighbours',
    kind: 'url',
    listId: list.id,
    settings: { url: 'http://127.0.0.1:9/list.csv', format: 'csv' },
    schedule: defaultSchedule('url', () => 0.5),
  });
  const now = Date.now();
  await store.sources.recordResult(url.id, {
    outcome: 'success',
    at: now - 4 * DAY,
    nextRunAt: now - 3 * DAY,
    rows: 0,
  });
  await store.sources.recordResult(url.id, {
    outcome: 'failure',
    at: now - DAY,
    nextRunAt: now + DAY,
    error: 'http://127.0.0.1:9/list.csv: HTTP 401 — Unauthorized',
  });

  const { page, problems } = await openPage(browser, web, w.locale);
  await signIn(page, web.token);
  await page.getByRole('link', { name: w.lists }).click();
  const pbRow = page.locator('#spam-body tr[data-list="PhoneBlock"]');
  await pbRow.locator('.freshness').waitFor();
  expect(await pbRow.locator('.freshness').textContent()).toMatch(w.fresh);
  expect(await pbRow.locator('.held').textContent()).toMatch(
    new RegExp(`^${w.held}.*version 1, older than the 2 in force`),
  );
  expect(await pbRow.locator('.badge.stale').count()).toBe(0);

  const urlRow = page.locator('#spam-body tr[data-list="Nachbarn"]');
  expect(await urlRow.locator('.badge.stale').textContent()).toBe(w.stale);
  expect(await urlRow.locator('.error').textContent()).toBe(w.error);
  expect(await urlRow.locator('.error').getAttribute('title')).toBe(
    'http://127.0.0.1:9/list.csv: HTTP 401 — Unauthorized',
  );
  expect(await page.locator('#sources-body tr[data-source="neighbours"] .badge.stale').count()).toBe(1);
  await screenshot(page, `spam-sources-${w.locale}`);

  // Accept: the held-back answer is taken (the same as `callfilter sync phoneblock --accept`).
  const seen = pb.blocklistRequests().length;
  await pbRow.getByRole('button', { name: w.accept }).click();
  await pbRow.locator('.held').waitFor({ state: 'detached' });
  expect(await pbRow.locator('.freshness').textContent()).toMatch(w.freshAfter);
  expect(pb.blocklistRequests()).toHaveLength(seen + 1);
  // Accepting loads the whole list again.
  expect(pb.blocklistRequests().at(-1)?.query.get('since')).toBeNull();
  expect((await store.lists.get(source.listId!))?.entryCount).toBe(151);

  // Report a caller from the calls view: a rating choice, queued in the outbox for PhoneBlock's /rate.
  const call = await web.call('030 4445556');
  await page.getByRole('link', { name: w.calls }).click();
  const row = page.locator(`#calls-body tr[data-id="${call.variables.CALLFILTER_CALL_ID}"]`);
  await row.getByRole('button', { name: w.report }).click();
  await row.getByLabel(w.kind).selectOption('fraud');
  await row.getByRole('button', { name: w.send }).click();
  await page.locator('#toast', { hasText: w.toast }).waitFor();
  expect((await store.outbox.log({ kind: RATE_KIND })).items.map((i) => i.payload)).toEqual([
    { source: source.id, phone: '+49304445556', rating: 'G_FRAUD' },
  ]);
  expect(await row.getByRole('button', { name: w.report }).count()).toBe(1);
  expect(problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([]);
}

describe('spam-list sources and reporting on the page', () => {
  it('in English', async () => {
    await walkThrough(WORDS.en);
  }, 60_000);
  it('in German', async () => {
    await walkThrough(WORDS.de);
  }, 60_000);

  it('offers no Report without a PhoneBlock API key', async () => {
    const web = await startWeb();
    const call = await web.call('030 4445556');
    const { page } = await openPage(browser, web);
    await signIn(page, web.token);
    const row = page.locator(`#calls-body tr[data-id="${call.variables.CALLFILTER_CALL_ID}"]`);
    await row.getByRole('button', { name: 'Block 030 4445556' }).waitFor();
    expect(await row.locator('button[data-report]').count()).toBe(0);
  }, 60_000);
});
