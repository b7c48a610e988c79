/**
 * The web page in real headless Chromium (Debian's package, driven by playwright-core) against the real service:
 * calls go through the fake Asterisk, the page talks to the HTTP app over a real port. Screenshots land in
 * test-results/web/.
 */
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, STEP_MS, screenshot, signIn, startWeb } from '../helpers/web.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 30_000);
afterAll(async () => {
  await browser?.close();
});

/**
 * Script errors and console messages (a CSP violation is one), except the browser's note on each 4xx answer: the
 * page expects those (401 for a wrong token, 400 for a refused file) and shows them itself.
 */
function unexpected(problems: string[]): string[] {
  return problems.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));
}

/** Today as the server words a date (src/explain: day, month and year, in the service's time zone). */
const today = (locale: string, web: { config: { policy: { timeZone: string } } }) =>
  new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: web.config.policy.timeZone,
  }).format(new Date());

const row = (page: Page, number: string) =>
  page.locator('#calls-body tr', { has: page.locator('.number', { hasText: number }) });

describe('the web page', () => {
  it('refuses a wrong token with a clear message, and lets the right one in', async () => {
    const web = await startWeb();
    const { page, problems } = await openPage(browser, web);
    await expect(page.locator('#view-signin h1').textContent()).resolves.toBe('Sign in');
    await page.getByLabel('Admin token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'admin token' });
    await alert.waitFor();
    expect(await alert.textContent()).toBe('That is not the admin token. Check it and try again.');
    expect(await page.locator('#view-calls').isHidden()).toBe(true);
    await screenshot(page, 'signin-wrong-token');

    // Keyboard only: the field is focused and selected after the refusal; type the token and press Enter.
    await page.keyboard.type(web.token);
    await page.keyboard.press('Enter');
    await page.locator('#view-calls').waitFor();
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'callfilter_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      secure: false,
    });
    expect(unexpected(problems)).toEqual([]);
  });

  it('shows a call live, blocks the caller in one click, and shows the next call from it blocked', async () => {
    const web = await startWeb();
    const { page, problems } = await openPage(browser, web);
    await signIn(page, web.token);
    await expect(page.locator('#calls-empty').isVisible()).resolves.toBe(true);

    // A call through the fake Asterisk appears without a reload.
    const first = await web.call('030 12345670', { env: { calleridname: 'Energie AG' } });
    expect(first.variables.CALLFILTER_ACTION).toBe('voicemail');
    const firstRow = row(page, '030 12345670');
    await firstRow.waitFor();
    expect(await firstRow.locator('.what').textContent()).toBe('Voicemail Unknown number 030 12345670.');
    expect(await firstRow.locator('.caller').textContent()).toContain('Energie AG');
    expect(await firstRow.locator('.country').textContent()).toBe('DE');

    // One click blocks the caller.
    await firstRow.getByRole('button', { name: 'Block 030 12345670' }).click();
    await page.locator('#toast', { hasText: '030 12345670 is blocked from now on.' }).waitFor();
    await firstRow.locator('.state.block').waitFor();
    const entries = await web.ctx.store.entries.findByNumber('+493012345670', false);
    expect(entries).toMatchObject([{ kind: 'block', source: 'call-log', label: 'Energie AG' }]);

    // The same number screened again is blocked, and the page shows it so, with the reason in words.
    const second = await web.call('+49 30 12345670');
    expect(second.variables).toMatchObject({ CALLFILTER_ACTION: 'hangup', CALLFILTER_REASON: 'blocklist' });
    const top = page.locator('#calls-body tr').first();
    await top.locator('.badge.hangup').waitFor();
    expect(await top.locator('.number').first().textContent()).toBe('030 12345670');
    expect(await top.locator('.number').first().getAttribute('title')).toBe('+493012345670');
    expect(await top.locator('.why').textContent()).toBe(
      `On your blocklist as “Energie AG” since ${today('en-GB', web)}.`,
    );
    expect(await page.locator('#calls-body tr').count()).toBe(2);
    await screenshot(page, 'calls-live-blocked');

    // The "blocked" filter shows only that call.
    await page.getByText('Blocked', { exact: true }).click();
    await page.locator('#calls-body tr .badge.voicemail').waitFor({ state: 'detached', timeout: STEP_MS });
    expect(await page.locator('#calls-body tr').count()).toBe(1);
    expect(await page.locator('#calls-body .badge').allTextContents()).toEqual(['Hung up']);
    expect(unexpected(problems)).toEqual([]);
  });

  it('imports a CSV and shows the report', async () => {
    const web = await startWeb();
    const { page, problems } = await openPage(browser, web);
    await signIn(page, web.token);
    await page.getByRole('link', { name: 'Lists' }).click();
    await page.locator('#view-lists').waitFor();

    const csv = 'number;name\n030 1111111;Energy sales\n+49 30 2222222;Lottery\n030 1111111;Energy sales again\n';
    await page
      .getByLabel('File', { exact: true })
      .first()
      .setInputFiles({ name: 'blocklist.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.locator('#import-kind').getByText('to block').click();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const report = page.locator('#import-report');
    await report.locator('.ok').waitFor();
    expect(await report.locator('.ok').textContent()).toBe('Imported blocklist.csv (csv).');
    expect(await report.locator('.counts').textContent()).toBe('2 added · 1 already there');
    await page.locator('#entries-body tr', { hasText: '030 1111111' }).waitFor();
    expect(await page.locator('#entries-body tr', { hasText: '030 2222222' }).textContent()).toContain('Lottery');
    expect(await web.ctx.store.entries.count('block')).toBe(2);
    await screenshot(page, 'lists-import-report');

    // A file with a bad row is refused whole, and the page says which line.
    await page
      .getByLabel('File', { exact: true })
      .first()
      .setInputFiles({
        name: 'bad.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('030 3333333;ok\nnot a number;bad\n'),
      });
    await page.locator('#import-kind').getByText('to block').click();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await report.locator('.bad').waitFor();
    expect(await report.locator('.bad').textContent()).toBe(
      'Nothing was imported: one row is not valid. Fix it and import the file again.',
    );
    expect(await report.locator('.lines li').first().textContent()).toMatch(/^line 2: /);
    expect(await web.ctx.store.entries.count('block')).toBe(2);
    await screenshot(page, 'lists-import-refused');
    expect(unexpected(problems)).toEqual([]);
  });

  it('adds, changes and removes an entry, and shows the spam lists', async () => {
    const web = await startWeb();
    const list = await web.ctx.store.lists.create({ name: 'Call centres', threshold: 3 });
    await web.ctx.store.lists.replaceEntries(list.id, [
      { number: '+4940111111', score: 7 },
      { number: '+4940222222', score: 1 },
    ]);
    const { page, problems } = await openPage(browser, web);
    await signIn(page, web.token);
    await page.getByRole('link', { name: 'Lists' }).click();

    const spam = page.locator('#spam-body tr', { hasText: 'Call centres' });
    await spam.waitFor();
    expect(await spam.locator('td').nth(1).textContent()).toBe('2');
    expect(await spam.getByLabel('Threshold of Call centres').inputValue()).toBe('3');
    await spam.getByLabel('Threshold of Call centres').fill('5');
    await spam.getByRole('button', { name: 'Save Call centres' }).click();
    await page.locator('#toast', { hasText: 'Saved.' }).waitFor();
    expect((await web.ctx.store.lists.get(list.id))?.threshold).toBe(5);

    const form = page.locator('#entry-form');
    await form.getByLabel('Number or prefix (ending in *)').fill('0171 5551234');
    await form.getByText('Allow', { exact: true }).click();
    await form.getByLabel('Name or label').fill('Anna');
    await form.getByRole('button', { name: 'Add' }).click();
    const anna = page.locator('#entries-body tr', { hasText: '0171 5551234' });
    await anna.waitFor();
    expect(await anna.textContent()).toContain('allowed');

    await anna.getByRole('button', { name: 'Change 0171 5551234' }).click();
    await form.getByLabel('Name or label').fill('Anna Schmidt');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.locator('#entries-body tr', { hasText: 'Anna Schmidt' }).waitFor();
    await screenshot(page, 'lists-entries');

    page.once('dialog', (d) => void d.accept());
    await page
      .locator('#entries-body tr', { hasText: 'Anna Schmidt' })
      .getByRole('button', { name: 'Remove 0171 5551234' })
      .click();
    await page.locator('#entries-empty').waitFor();
    expect(await web.ctx.store.entries.count()).toBe(0);
    expect(unexpected(problems)).toEqual([]);
  });

  it('explains a number', async () => {
    const web = await startWeb();
    await web.ctx.store.entries.create({ number: '+4930987654', kind: 'block', label: 'Lottery', source: 'api' });
    const { page, problems } = await openPage(browser, web);
    await signIn(page, web.token);
    // By keyboard: the view's link, Enter (focus goes to the view's heading), Tab into the form, Enter submits.
    await page.getByRole('link', { name: 'Explain' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#explain-title:focus').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type('030 987654');
    await page.keyboard.press('Tab');
    await page.keyboard.type('+4930999000');
    await page.keyboard.press('Enter');
    const result = page.locator('#explain-result');
    await result.waitFor();
    expect(await result.locator('.badge').textContent()).toBe('Hung up');
    expect(await result.locator('dd').nth(1).textContent()).toBe(
      `On your blocklist as “Lottery” since ${today('en-GB', web)}.`,
    );
    expect(await result.locator('dd').first().textContent()).toBe('030 987654 · Germany (DE)');
    expect(await result.locator('dd span[title="+4930987654"]').count()).toBe(1);

    // Withheld: an empty number.
    await page.getByLabel('Caller’s number (empty: withheld)').fill('');
    await page.getByRole('button', { name: 'Explain', exact: true }).click();
    await result.locator('.badge.voicemail').waitFor();
    expect(await result.locator('dd').nth(1).textContent()).toBe('Withheld number.');
    await screenshot(page, 'explain');
    expect(await web.ctx.store.calls.count()).toBe(0);
    expect(unexpected(problems)).toEqual([]);
  });

  it('draws the stats and signs out', async () => {
    const web = await startWeb();
    await web.call('030 1234567');
    await web.call('030 1234567'); // within 5 minutes: a repeat caller, connected
    await web.call('anonymous');
    await web.ctx.store.entries.create({ number: '+4930555555', kind: 'block', source: 'api' });
    await web.call('030 555555');
    const { page, problems } = await openPage(browser, web);
    await signIn(page, web.token);
    expect(await row(page, '030 1234567').first().locator('.why').textContent()).toBe(
      'Called twice within 5 minutes: connected as a repeat caller.',
    );
    expect(await page.locator('#calls-body tr', { hasText: 'withheld' }).locator('.why').textContent()).toBe(
      'Withheld number.',
    );

    await page.getByRole('link', { name: 'Stats' }).click();
    await page.locator('#chart svg rect').first().waitFor();
    expect(await page.locator('#chart svg').getAttribute('aria-label')).toBe(
      '4 calls in 30 days: 1 connected, 2 to voicemail, 1 blocked.',
    );
    expect(await page.locator('#chart svg rect.bar').count()).toBe(3);
    expect(await page.locator('#top-body tr').first().textContent()).toContain('030 555555');
    await screenshot(page, 'stats');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#view-signin').waitFor();
    expect(await page.locator('#signin-error').textContent()).toBe('You are signed out.');
    await page.reload();
    await page.locator('#view-signin').waitFor();
    expect(unexpected(problems)).toEqual([]);
  });

  it("keeps 'You are signed out.' when the live feed's session check answers after the sign-out", async () => {
    const web = await startWeb();
    const { page, problems } = await openPage(browser, web);
    await signIn(page, web.token);
    // The server ends the session at once and the live feed at its next check (each second), whose handler asks
    // GET /session. Held back here: the sign-out's answer reaches the page after 1.5 s, the check's after 3 s.
    const held = (ms: number) => async (route: Route) => {
      const response = await route.fetch();
      await new Promise((r) => setTimeout(r, ms));
      await route.fulfill({ response });
    };
    await page.route('**/session', (route) =>
      route.request().method() === 'DELETE'
        ? held(1_500)(route)
        : route.request().method() === 'GET'
          ? held(3_000)(route)
          : route.continue(),
    );
    const checked = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/session' && r.request().method() === 'GET',
      {
        timeout: 2 * STEP_MS,
      },
    );
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#signin-error', { hasText: 'You are signed out.' }).waitFor();
    await checked;
    await page.evaluate(() => new Promise((r) => setTimeout(r, 100))); // the page handles the answer
    expect(await page.locator('#signin-error').textContent()).toBe('You are signed out.');
    expect(await page.locator('#view-signin').isVisible()).toBe(true);
    expect(unexpected(problems)).toEqual([]);
  });
});
