/**
 * Importing through the page in real Chromium: contacts are contacts. A FRITZ!Box phone book and a vCard imported
 * with every field left as it is give allow entries, and their people ring through when screened over FastAGI (the
 * fake Asterisk against the real service). A CSV does not say what its numbers are: the page asks, with nothing
 * preselected, and refuses to import until the person has chosen.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot, signIn, startWeb } from '../helpers/web.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/import');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);
afterAll(async () => {
  await browser?.close();
});

/** Console errors except the browser's note on the 4xx answers the page expects and shows itself. */
const unexpected = (problems: string[]) => problems.filter((p) => !/status of 4\d\d/.test(p));

async function chooseFile(page: Page, name: string, mimeType: string, buffer: Buffer): Promise<void> {
  await page.locator('#import-file').setInputFiles({ name, mimeType, buffer });
}

async function importNow(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const ok = page.locator('#import-report .ok');
  await ok.waitFor();
  return (await page.locator('#import-report .counts').textContent()) ?? '';
}

describe('importing through the page', () => {
  it('imports a FRITZ!Box phone book and a vCard as contacts with every field left as it is, and their people ring through', async () => {
    const web = await startWeb();
    const { page, problems } = await openPage(browser, web);
    await signIn(page, web.token);
    await page.getByRole('link', { name: 'Lists' }).click();
    await page.locator('#view-lists').waitFor();

    await chooseFile(page, 'FRITZ.Box_Telefonbuch.xml', 'text/xml', fixture('fritzbox-phonebook.xml'));
    // Only the FRITZ!Box question shows, answered "no" until the person says otherwise.
    await page.locator('#import-barring').waitFor();
    expect(await page.locator('#import-kind').isHidden()).toBe(true);
    expect(await page.getByLabel('No, a phone book').isChecked()).toBe(true);
    expect(await importNow(page)).toBe('9 added · 0 already there · 5 contacts · 2 ignored');
    await screenshot(page, 'import-fritzbox');

    await chooseFile(page, 'contacts.vcf', 'text/vcard', fixture('contacts.vcf'));
    expect(await page.locator('#import-kind').isHidden()).toBe(true);
    expect(await importNow(page)).toContain('contacts');
    expect(await page.locator('#import-barring').isHidden()).toBe(true);

    expect(await web.ctx.store.entries.count('block')).toBe(0);
    expect(await web.ctx.store.entries.count('allow')).toBeGreaterThan(20);

    // Oma Gisela (the phone book) and Anna-Lena (the vCard) ring through.
    const oma = await web.call('030 12345674');
    expect(oma.variables).toMatchObject({
      CALLFILTER_ACTION: 'connect',
      CALLFILTER_REASON: 'contact',
      CALLFILTER_LABEL: 'Oma Gisela',
    });
    const anna = await web.call('+49 170 1234568');
    expect(anna.variables).toMatchObject({
      CALLFILTER_ACTION: 'connect',
      CALLFILTER_REASON: 'contact',
      CALLFILTER_LABEL: 'Anna-Lena Groß',
    });
    expect(unexpected(problems)).toEqual([]);
  });

  it('asks what a CSV’s numbers are, with nothing preselected, and imports nothing until the person chooses', async () => {
    const web = await startWeb();
    const { page, problems } = await openPage(browser, web);
    await signIn(page, web.token);
    await page.getByRole('link', { name: 'Lists' }).click();

    expect(await page.locator('#import-kind').isHidden()).toBe(true);
    await chooseFile(page, 'numbers.csv', 'text/csv', Buffer.from('030 1111111;Someone\n'));
    await page.locator('#import-kind').waitFor();
    expect(await page.locator('#import-barring').isHidden()).toBe(true);
    expect(await page.locator('#import-kind input:checked').count()).toBe(0);

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('#import-error', { hasText: 'Please choose whether' }).waitFor();
    expect(await page.locator('#import-error').textContent()).toBe(
      'Please choose whether this file’s numbers are to be blocked or allowed: the file does not say.',
    );
    expect(await page.locator('#import-report').isHidden()).toBe(true);
    expect(await web.ctx.store.entries.count()).toBe(0);

    await page.locator('#import-kind').getByText('to allow').click();
    expect(await importNow(page)).toBe('1 added · 0 already there');
    expect(await web.ctx.store.entries.findByNumber('+49301111111', false)).toMatchObject([{ kind: 'allow' }]);
    expect(unexpected(problems)).toEqual([]);
  });

  it('imports the box’s call-barring list as block entries only when the person says it is one', async () => {
    const web = await startWeb();
    const { page, problems } = await openPage(browser, web);
    await signIn(page, web.token);
    await page.getByRole('link', { name: 'Lists' }).click();

    await chooseFile(page, 'Rufsperren.xml', 'text/xml', fixture('fritzbox-call-barring.xml'));
    await page.locator('#import-barring').waitFor();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('#import-error', { hasText: 'call-barring list' }).waitFor();
    expect(await web.ctx.store.entries.count()).toBe(0);

    await page.locator('#import-barring').getByText('Yes, block its numbers').click();
    expect(await importNow(page)).toBe('3 added · 0 already there');
    expect(await web.ctx.store.entries.count('block')).toBe(3);
    expect(unexpected(problems)).toEqual([]);
  });
});
