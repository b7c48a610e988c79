/**
 * The server's errors and import reports in the reader's language, in real Chromium: the page words each by its
 * code (web/src/i18n-codes-*.ts), never the server's English sentence, for a German browser.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot, signIn, startWeb } from '../helpers/web.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);
afterAll(async () => {
  await browser?.close();
});

/** The browser's own note on the 4xx answers the page expects and shows itself is no problem. */
const unexpected = (problems: string[]) => problems.filter((p) => !/status of 4\d\d/.test(p));

/** Submits the add form and returns what it says went wrong. */
async function addEntry(page: Page, number: string): Promise<string> {
  const error = page.locator('#entry-error');
  await page.locator('#entry-number').fill(number);
  await page.locator('#entry-submit').click();
  await error.filter({ hasText: /./ }).waitFor();
  const text = (await error.textContent()) ?? '';
  await error.evaluate((el) => (el.textContent = ''));
  return text;
}

describe("server messages in the page's language", () => {
  it("says an invalid number, a duplicate and an import report's skipped rows in German", async () => {
    const web = await startWeb();
    const { page, problems } = await openPage(browser, web, 'de-DE');
    await signIn(page, web.token);
    await page.locator('#nav a[data-view="lists"]').click();
    await page.locator('#view-lists').waitFor();

    expect(await addEntry(page, 'abc')).toBe('„abc“ ist keine Telefonnummer: Sie enthält keine Ziffern.');
    expect(await addEntry(page, '+49 12')).toBe(
      '„+49 12“ ist keine mögliche Telefonnummer: 012 ist zu kurz für eine Rufnummer.',
    );

    await page.locator('#entry-number').fill('030 1234567');
    await page.locator('#entry-submit').click();
    await page.locator('#entries-body tr[data-id]').first().waitFor();
    const duplicate = await addEntry(page, '+49 30 1234567');
    expect(duplicate).toBe('Für 030 1234567 gibt es schon einen Sperreintrag.');

    const vcard = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Oma Gisela',
      'TEL;TYPE=HOME:030 2345678',
      'TEL;TYPE=WORK:',
      'TEL:sip:oma@example.org',
      'END:VCARD',
      '',
    ].join('\r\n');
    await page
      .locator('#import-file')
      .setInputFiles({ name: 'oma.vcf', mimeType: 'text/vcard', buffer: Buffer.from(vcard) });
    await page.locator('#import-form button[type=submit]').click();
    await page.locator('#import-report .ok').waitFor();
    const lines = await page.locator('#import-report ul.lines li').allTextContents();
    expect(lines).toEqual(['Zeile 5: leere Telefonnummer (TEL)', 'Zeile 6: SIP-Adresse, keine Telefonnummer']);
    // Where each entry came from, in words: the page's own add form, and the vCard.
    const oma = page.locator('#entries-body tr', { hasText: 'Oma Gisela' });
    await oma.waitFor();
    expect(await oma.locator('td.time small').textContent()).toBe('vCard-Import');
    expect(
      await page.locator('#entries-body tr', { hasText: '030 1234567' }).locator('td.time small').textContent(),
    ).toBe('Webseite oder API');
    await screenshot(page, 'messages-de');

    // A file that does not read: each bad line in German.
    await page
      .locator('#import-file')
      .setInputFiles({ name: 'liste.csv', mimeType: 'text/csv', buffer: Buffer.from('030 ABC;Werbung\n') });
    await page.locator('#import-kind').waitFor();
    await page.locator('label[for="import-kind-block"]').click();
    await page.locator('#import-form button[type=submit]').click();
    await page.locator('#import-report .bad').waitFor();
    expect(await page.locator('#import-report ul.lines li').allTextContents()).toEqual([
      'Zeile 1: „030 ABC“ ist keine Telefonnummer: Sie enthält andere Zeichen als Ziffern, Leerzeichen und + - / . ( )',
    ]);
    expect(unexpected(problems)).toEqual([]);
  });

  it("says them in English for an English browser, without the API's field names", async () => {
    const web = await startWeb();
    const { page } = await openPage(browser, web, 'en-GB');
    await signIn(page, web.token);
    await page.locator('#nav a[data-view="lists"]').click();
    expect(await addEntry(page, 'abc')).toBe('“abc” is not a phone number: it has no digits.');
  });
});
