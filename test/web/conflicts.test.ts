/**
 * Conflicts on the page, in English and German: importing a blocklist full of contacts names the numbers both lists
 * hold and who wins, the Lists view marks those entries with a one-click resolution, and the Calls view states one
 * truth per row — the contact who rang is "allowed", with the block entry it wins over named, and a Block button.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
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

interface Words {
  locale: string;
  lang: string;
  lists: string;
  calls: string;
  toBlock: string;
  importButton: string;
  title: string;
  line: string;
  mark: string;
  keepContact: string;
  resolved: string;
  allowed: string;
  both: string;
  blockButton: string;
  allowButton: string;
}

const ENGLISH: Words = {
  locale: 'en-GB',
  lang: 'en',
  lists: 'Lists',
  calls: 'Calls',
  toBlock: 'to block',
  importButton: 'Import',
  title: '10 numbers are on both lists now – only one entry decides each:',
  line: '030 12345670: the contact “Böhm, Jürgen” wins over the block entry “Gewinnspiel-Hotline” – allow beats block.',
  mark: 'on both lists',
  keepContact: '030 12345670: Keep the contact, remove the block entry',
  resolved: '030 12345670: resolved – the contact “Böhm, Jürgen” decides.',
  allowed: 'allowed',
  both: 'on both lists: the contact “Oma Gisela” decides, not the block entry “Unbekannt” – allow beats block',
  blockButton: 'Block 030 12345674',
  allowButton: 'Allow 030 12345674',
};

const GERMAN: Words = {
  locale: 'de-DE',
  lang: 'de',
  lists: 'Listen',
  calls: 'Anrufe',
  toBlock: 'sperren',
  importButton: 'Importieren',
  title: '10 Nummern stehen jetzt auf beiden Listen – es gilt jeweils nur ein Eintrag:',
  line: '030 12345670: Es gilt der Kontakt „Böhm, Jürgen“, nicht die Sperre „Gewinnspiel-Hotline“ – Erlauben geht vor Sperren.',
  mark: 'auf beiden Listen',
  keepContact: '030 12345670: Den Kontakt behalten, die Sperre entfernen',
  resolved: '030 12345670: gelöst – es gilt der Kontakt „Böhm, Jürgen“.',
  allowed: 'erlaubt',
  both: 'auf beiden Listen: es gilt der Kontakt „Oma Gisela“, nicht die Sperre „Unbekannt“ – Erlauben geht vor Sperren',
  blockButton: '030 12345674 sperren',
  allowButton: '030 12345674 erlauben',
};

async function walkThrough(w: Words): Promise<void> {
  const web = await startWeb();
  const { entries } = web.ctx.store;
  const { page, problems } = await openPage(browser, web, w.locale);
  await signIn(page, web.token);
  expect(await page.getAttribute('html', 'lang')).toBe(w.lang);

  // The contacts first (a FRITZ!Box phone book, then a vCard with some of the same people), then a blocklist that
  // holds ten of their numbers.
  await web.app.inject({
    method: 'POST',
    url: '/api/v1/import',
    headers: { authorization: `Bearer ${web.token}`, 'content-type': 'application/xml' },
    payload: fixture('fritzbox-phonebook.xml'),
  });
  await web.app.inject({
    method: 'POST',
    url: '/api/v1/import',
    headers: { authorization: `Bearer ${web.token}`, 'content-type': 'text/vcard' },
    payload: fixture('contacts.vcf'),
  });
  await page.getByRole('link', { name: w.lists }).click();
  await page
    .locator('#import-file')
    .setInputFiles({ name: 'blocklist.csv', mimeType: 'text/csv', buffer: fixture('blocklist-semicolon.csv') });
  await page.locator('#import-kind').getByText(w.toBlock, { exact: true }).click();
  await page.getByRole('button', { name: w.importButton, exact: true }).click();
  const report = page.locator('#import-report');
  await report.locator('.warn').waitFor();
  expect(await report.locator('.warn').textContent()).toBe(w.title);
  expect(await report.locator('.conflicts > li').count()).toBe(10);
  const lines = await report.locator('.conflicts > li > span:first-child').allTextContents();
  expect(lines).toContain(w.line);

  // The Lists view marks the entries in conflict.
  const blocked = page.locator('#entries-body tr.in-conflict', {
    has: page.locator('.number', { hasText: /^030 12345670$/ }),
  });
  await blocked.first().waitFor();
  expect(await blocked.first().locator('.badge.conflict').first().textContent()).toBe(w.mark);
  await screenshot(page, `conflicts-${w.lang}-lists`);

  // One click keeps the contact and removes the block entry.
  const gewinnspiel = (await entries.findByNumber('+493012345670', false, 'block'))[0];
  expect(gewinnspiel).toBeDefined();
  await report.getByRole('button', { name: w.keepContact }).click();
  await report.getByText(w.resolved).waitFor();
  expect(await entries.findByNumber('+493012345670', false, 'block')).toEqual([]);
  expect(await entries.findByNumber('+493012345670', false, 'allow')).toHaveLength(1);

  // Oma Gisela is a contact and on the blocklist: she rings, and her row says so once, with the rival named.
  await page.getByRole('link', { name: w.calls }).click();
  const call = await web.call('030 12345674');
  expect(call.variables).toMatchObject({ CALLFILTER_ACTION: 'connect', CALLFILTER_REASON: 'contact' });
  const row = page.locator('#calls-body tr').first();
  await row.locator('.both').waitFor();
  expect(await row.locator('.state').textContent()).toBe(w.allowed);
  expect(await row.locator('.both').textContent()).toBe(w.both);
  expect(await row.locator('.state.block').count()).toBe(0);
  expect(await row.getByRole('button', { name: w.allowButton }).count()).toBe(0);
  expect(await row.getByRole('button', { name: w.blockButton }).count()).toBe(1);
  await screenshot(page, `conflicts-${w.lang}-calls`);
  expect(problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([]);
}

describe('conflicts on the page', () => {
  it('in English', async () => {
    await walkThrough(ENGLISH);
  });

  it('in German', async () => {
    await walkThrough(GERMAN);
  });
});
