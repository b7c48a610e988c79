/**
 * Sentences with a count of one say it in the singular, in both of the page's languages: "1 call", "1 Anruf".
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, signIn, startWeb } from '../helpers/web.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);
afterAll(async () => {
  await browser?.close();
});

const LANGUAGES = [
  {
    locale: 'en-GB',
    nav: { calls: 'Calls', lists: 'Lists', stats: 'Stats' },
    newList: 'Add a spam list from a file',
    createList: 'Import list',
    spam: 'On the spam list “Robots” (1 report, threshold 1).',
    summary: '1 call in 30 days: 0 connected, 0 to voicemail, 1 blocked.',
    listDone: 'List “Dialers”: 1 number.',
    repeat: 'Called twice within 1 minute: connected as a repeat caller.',
  },
  {
    locale: 'de-DE',
    nav: { calls: 'Anrufe', lists: 'Listen', stats: 'Statistik' },
    newList: 'Spamliste aus einer Datei hinzufügen',
    createList: 'Liste importieren',
    spam: 'Auf der Spamliste „Robots“ (1 Meldung, Schwelle 1).',
    summary: '1 Anruf in 30 Tagen: 0 durchgestellt, 0 zur Mailbox, 1 blockiert.',
    listDone: 'Liste „Dialers“: 1 Nummer.',
    repeat: 'Zweimal innerhalb von 1 Minute angerufen: als Wiederholungsanrufer durchgestellt.',
  },
] as const;

describe('counts of one on the page', () => {
  it.each(LANGUAGES)('are singular in $locale', async (x) => {
    const web = await startWeb({ file: { repeatCaller: { windowMinutes: 1 } } });
    const list = await web.ctx.store.lists.create({ name: 'Robots', threshold: 1 });
    await web.ctx.store.lists.replaceEntries(list.id, [{ number: '+4930999111', score: 1 }]);
    await web.call('030 999111');
    const { page } = await openPage(browser, web, x.locale);
    await signIn(page, web.token);
    expect(await page.locator('#calls-body tr').first().locator('.why').textContent()).toBe(x.spam);

    await page.getByRole('link', { name: x.nav.stats }).click();
    await page.locator('#chart svg rect').first().waitFor();
    expect(await page.locator('#chart svg').getAttribute('aria-label')).toBe(x.summary);

    await page.getByRole('link', { name: x.nav.lists }).click();
    await page.locator('#view-lists').waitFor();
    await page.getByText(x.newList).click();
    await page.locator('#spam-name').fill('Dialers');
    await page
      .locator('#spam-file')
      .setInputFiles({ name: 'dialers.csv', mimeType: 'text/csv', buffer: Buffer.from('+4930888111;4\n') });
    await page.getByRole('button', { name: x.createList, exact: true }).click();
    await page.locator('#spam-report', { hasText: x.listDone }).waitFor();

    await web.call('030 1234567');
    await web.call('030 1234567');
    await page.getByRole('link', { name: x.nav.calls }).click();
    await page
      .locator('#calls-body tr', { hasText: '030 1234567' })
      .first()
      .locator('.why', { hasText: x.repeat })
      .waitFor();
  });
});
