/**
 * The Lists view with contact sources: the sources panel (status, a sync button), the entries filter by source,
 * every origin of an entry, and "Keep", which makes a synced entry the person's own — in English and German.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSchedule } from '../../src/sources/schedule.js';
import { launchBrowser, openPage, screenshot, signIn, startWeb } from '../helpers/web.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);
afterAll(async () => {
  await browser?.close();
});

const WORDS = {
  en: {
    locale: 'en-GB',
    lists: 'Lists',
    from: 'From',
    keep: 'Keep 030 111111 as your own',
    origins: 'carddav · you',
    sync: 'Sync carddav now',
    kind: 'CardDAV',
    you: 'you',
  },
  de: {
    locale: 'de-DE',
    lists: 'Listen',
    from: 'Herkunft',
    keep: '030 111111 als eigenen Eintrag behalten',
    origins: 'carddav · Sie',
    sync: 'carddav jetzt abgleichen',
    kind: 'CardDAV',
    you: 'Sie',
  },
};

async function walkThrough(w: (typeof WORDS)['en']): Promise<void> {
  const web = await startWeb();
  const { store } = web.ctx;
  // A CardDAV source whose server is gone: its last entries stay, and its status shows the error after a sync.
  await store.sources.create({
    name: 'carddav',
    kind: 'carddav',
    settings: { url: 'http://127.0.0.1:9/dav/' },
    schedule: defaultSchedule('carddav', () => 0.5, 15 * 60_000),
  });
  await store.origins.sync('carddav', {
    parts: new Map([['/anna.vcf', [{ number: '+4930111111', kind: 'allow', externalId: '/anna.vcf', label: 'Anna' }]]]),
  });
  await store.entries.create({ number: '+4930222222', kind: 'block', label: 'Mine', source: 'api' });

  const { page, problems } = await openPage(browser, web, w.locale);
  await signIn(page, web.token);
  await page.getByRole('link', { name: w.lists }).click();
  const panel = page.locator('#sources-body tr[data-source="carddav"]');
  await panel.waitFor();
  expect(await panel.locator('td').first().textContent()).toBe(`carddav${w.kind}`);

  // Filter by source: only the synced entry; it says where it comes from, and offers Keep.
  await page.getByLabel(w.from).selectOption('carddav');
  await page.locator('#entries-filter button[type=submit]').click();
  await page.locator('#entries-body tr').filter({ hasText: '030 222222' }).waitFor({ state: 'detached' });
  const row = page.locator('#entries-body tr[data-id]');
  expect(await row.count()).toBe(1);
  expect(await row.locator('.origins').textContent()).toBe('carddav');
  await row.getByRole('button', { name: w.keep }).click();
  await row.locator('.origins', { hasText: w.origins }).waitFor();
  expect(await row.getByRole('button', { name: w.keep }).count()).toBe(0);
  const id = (await store.entries.findByNumber('+4930111111', false, 'allow'))[0]!.id;
  expect((await store.origins.forEntries([id])).get(id)!.map((o) => o.origin)).toEqual(['carddav', 'manual']);

  // The person's own entries.
  await page.getByLabel(w.from).selectOption('manual');
  await page.locator('#entries-filter button[type=submit]').click();
  await page.locator('#entries-body tr[data-id]').filter({ hasText: '030 222222' }).waitFor();
  expect(await page.locator('#entries-body tr[data-id]').count()).toBe(2);

  // Sync now: the server is unreachable, so the status shows the error; the entries stay.
  await page.getByRole('button', { name: w.sync }).click();
  await page.locator('#sources-body tr[data-source="carddav"] .error').waitFor();
  expect(await store.entries.findByNumber('+4930111111', false, 'allow')).toHaveLength(1);
  await screenshot(page, `sources-${w.locale}`);
  expect(problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([]);
}

describe('sources on the page', () => {
  it('in English', async () => {
    await walkThrough(WORDS.en);
  }, 60_000);
  it('in German', async () => {
    await walkThrough(WORDS.de);
  }, 60_000);
});
