/**
 * The page speaks the browser's language: German for a German browser, English otherwise (the browser context's
 * locale sets navigator.languages and Accept-Language, as a real browser's settings do).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot, startWeb, type TestWeb } from '../helpers/web.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);
afterAll(async () => {
  await browser?.close();
});

interface Expected {
  locale: string;
  lang: string;
  signIn: string;
  tokenLabel: string;
  wrong: string;
  nav: string[];
  row: string;
  blockedWhy: (date: string) => string;
  blockButton: string;
  explainLabel: string;
  explainButton: string;
  explained: string;
}

const GERMAN: Expected = {
  locale: 'de-DE',
  lang: 'de',
  signIn: 'Anmelden',
  tokenLabel: 'Admin-Token',
  wrong: 'Das ist nicht das Admin-Token. Bitte prüfen und noch einmal versuchen.',
  nav: ['Anrufe', 'Listen', 'Erklären', 'Statistik'],
  row: 'Mailbox Unbekannte Nummer 030 7654321.',
  blockedWhy: (d) => `Seit ${d} auf Ihrer Sperrliste.`,
  blockButton: '030 7654321 sperren',
  explainLabel: 'Nummer des Anrufers (leer: unterdrückt)',
  explainButton: 'Erklären',
  explained: 'Rufnummer unterdrückt.',
};

const ENGLISH: Expected = {
  locale: 'en-US',
  lang: 'en',
  signIn: 'Sign in',
  tokenLabel: 'Admin token',
  wrong: 'That is not the admin token. Check it and try again.',
  nav: ['Calls', 'Lists', 'Explain', 'Stats'],
  row: 'Voicemail Unknown number 030 7654321.',
  blockedWhy: (d) => `On your blocklist since ${d}.`,
  blockButton: 'Block 030 7654321',
  explainLabel: 'Caller’s number (empty: withheld)',
  explainButton: 'Explain',
  explained: 'Withheld number.',
};

async function walkThrough(web: TestWeb, x: Expected): Promise<void> {
  const { page, problems } = await openPage(browser, web, x.locale);
  expect(await page.getAttribute('html', 'lang')).toBe(x.lang);
  expect(await page.locator('#signin-title').textContent()).toBe(x.signIn);

  await page.getByLabel(x.tokenLabel).fill('wrong-token-wrong-token');
  await page.getByRole('button', { name: x.signIn }).click();
  await page.locator('#signin-error', { hasText: x.wrong }).waitFor();
  await screenshot(page, `language-${x.lang}-wrong-token`);

  await page.getByLabel(x.tokenLabel).fill(web.token);
  await page.getByRole('button', { name: x.signIn }).click();
  await page.locator('#live:not(.off)').waitFor();
  expect(await page.locator('#nav a').allTextContents()).toEqual(x.nav);

  await web.call('030 7654321');
  const first = page.locator('#calls-body tr').first();
  await first.locator('.what').waitFor();
  expect(await first.locator('.what').textContent()).toBe(x.row);
  await first.getByRole('button', { name: x.blockButton }).click();
  await first.locator('.state.block').waitFor();
  await web.call('030 7654321');
  await page.locator('#calls-body tr .badge.hangup').waitFor();
  // The server words the reason in the page's language, dates as people at home write them (src/explain).
  const day = new Intl.DateTimeFormat(x.locale === 'de-DE' ? 'de-DE' : 'en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: web.config.policy.timeZone,
  }).format(new Date());
  expect(await page.locator('#calls-body tr').first().locator('.why').textContent()).toBe(x.blockedWhy(day));
  await screenshot(page, `language-${x.lang}-calls`);

  await page.getByRole('link', { name: x.nav[2] }).click();
  await page.getByLabel(x.explainLabel).fill('anonymous');
  await page.getByRole('button', { name: x.explainButton, exact: true }).click();
  await page.locator('#explain-result').waitFor();
  expect(await page.locator('#explain-result dd').nth(1).textContent()).toBe(x.explained);
  expect(problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([]);
}

describe("the page in the browser's language", () => {
  it('speaks German to a German browser', async () => {
    await walkThrough(await startWeb(), GERMAN);
  });

  it('speaks English to an English browser', async () => {
    await walkThrough(await startWeb(), ENGLISH);
  });
});
