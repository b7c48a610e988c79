/**
 * The first sign-in on a new installation: the home area code is unknown, so the page asks for it. Filled in, it
 * takes effect for the next call at once.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot, signIn, startWeb } from '../helpers/web.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);
afterAll(async () => {
  await browser?.close();
});

/** The browser notes each 4xx answer (the refused area code, "am I signed in?" on a fresh page); the page shows them. */
const unexpected = (problems: string[]) =>
  problems.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));

describe('the setup form', () => {
  it('asks for the area code on the first sign-in, and a call from 222222 is then +4930222222', async () => {
    // A fresh data folder: no area code in the environment (an empty variable counts as unset), none stored.
    const web = await startWeb({ env: { CALLFILTER_HOME_AREA_CODE: '' } });
    const before = await web.call('222222');
    expect(before.variables.CALLFILTER_REASON).toBe('unknown');

    const { page, problems } = await openPage(browser, web);
    expect(await page.locator('#setup').isHidden()).toBe(true); // not before signing in
    await signIn(page, web.token);
    const form = page.getByRole('region', { name: 'Set up your line' });
    await form.waitFor();
    expect(await page.getByLabel('Country (two letters, e.g. DE)').inputValue()).toBe('DE');
    await screenshot(page, 'setup-form');

    await page.getByLabel('Area code (e.g. 030)').fill('170');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#setup-error', { hasText: '“170” is not an area code in DE.' }).waitFor();

    await page.getByLabel('Area code (e.g. 030)').fill('030');
    await page.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'hidden' });
    await page.locator('#toast', { hasText: 'Saved: country DE, area code 30.' }).waitFor();

    const after = await web.call('222222');
    expect(after.variables.CALLFILTER_REASON).toBe('unknown');
    expect((await web.ctx.store.calls.list({ limit: 2 })).items.map((c) => c.caller)).toEqual([
      '+4930222222',
      undefined,
    ]);
    await page.locator('#calls-body .number', { hasText: '030 222222' }).waitFor();

    // Signed in again later: nothing left to ask.
    await page.reload();
    await page.locator('#view-calls').waitFor();
    await page.locator('#live:not(.off)').waitFor();
    expect(await page.locator('#setup').isHidden()).toBe(true);
    expect(unexpected(problems)).toEqual([]);
  });

  it('speaks German to a German browser, and "Later" puts it away', async () => {
    const web = await startWeb({ env: { CALLFILTER_HOME_AREA_CODE: '' } });
    const { page } = await openPage(browser, web, 'de-DE');
    await page.getByLabel('Admin-Token').fill(web.token);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    const form = page.getByRole('region', { name: 'Anschluss einrichten' });
    await form.waitFor();
    expect(await page.getByLabel('Vorwahl (z. B. 030)').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Später' }).click();
    await form.waitFor({ state: 'hidden' });
    expect(await web.ctx.store.settings.all()).toEqual({});
  });

  it('is not shown when the area code is set', async () => {
    const web = await startWeb(); // CALLFILTER_HOME_AREA_CODE=30
    const { page } = await openPage(browser, web);
    await signIn(page, web.token);
    expect(
      await web.app
        .inject({ method: 'GET', url: '/api/v1/settings', headers: { authorization: `Bearer ${web.token}` } })
        .then((r) => r.json()),
    ).toMatchObject({ needsSetup: false });
    expect(await page.locator('#setup').isHidden()).toBe(true);
  });
});
