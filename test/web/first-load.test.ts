/** The page's first load in real Chromium, signed out: nothing in the console, not even the browser's note on a 4xx. */
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

describe('the page loaded signed out', () => {
  it('shows the sign-in form with no console error or warning, and again after signing out and reloading', async () => {
    const web = await startWeb();
    const { page, problems } = await openPage(browser, web);
    await page.locator('#view-signin').waitFor({ state: 'visible' });
    // The session probe has answered (the form is shown only then); give any late console message a moment too.
    await page.waitForLoadState('networkidle');
    expect(problems).toEqual([]);

    await signIn(page, web.token);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#view-signin').waitFor({ state: 'visible' });
    await page.reload();
    await page.locator('#view-signin').waitFor({ state: 'visible' });
    await page.waitForLoadState('networkidle');
    expect(problems).toEqual([]);
  });
});
