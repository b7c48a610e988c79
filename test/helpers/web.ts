import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { onTestFinished } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import type { TokenSource } from '../../src/api/auth.js';
import { relayLoggedCalls } from '../../src/cluster/logged-calls.js';
import { type CallEvents, createCallEvents } from '../../src/web/index.js';
import { type ServiceOptions, startService, type TestService } from './service.js';

/** The admin token the test service checks. */
export const WEB_TOKEN = 'web-test-token-0123456789abcdef';

/** Where the browser tests leave their screenshots (gitignored). */
export const SCREENSHOTS = join(process.cwd(), 'test-results', 'web');

/** Bounded waits: a page step that takes longer than this is a failure, not something to sit out. */
export const STEP_MS = 5_000;

export interface TestWeb extends TestService {
  app: FastifyInstance;
  /** http://127.0.0.1:<port> */
  url: string;
  token: string;
  /** The live feed's hub, as the screening handler publishes to it (a test may publish to it directly). */
  events: CallEvents;
}

/**
 * The real service (temp SQLite, FastAGI on a free port) and the HTTP app listening on 127.0.0.1 with the web page,
 * its live feed fed by the screening handler (on PostgreSQL also by what the node learns later: relayLoggedCalls) like
 * src/server.ts does. Stopped when the test ends.
 */
export async function startWeb(options: ServiceOptions & { token?: TokenSource } = {}): Promise<TestWeb> {
  const svc = await startService({ ...options, env: { CALLFILTER_HOME_AREA_CODE: '30', ...options.env } });
  const events = createCallEvents();
  // startService hands every screened call to metrics.onScreened; chain the page's live feed on, as src/server.ts does.
  const toMetrics = svc.metrics.onScreened.bind(svc.metrics);
  svc.metrics.onScreened = (o) => {
    toMetrics(o);
    events.publish(o);
  };
  onTestFinished(relayLoggedCalls(svc.ctx.store, { events }));
  const app = buildApp(svc.ctx, {
    agiListening: svc.agiListening,
    metrics: svc.metrics,
    token: options.token ?? WEB_TOKEN,
    events,
  });
  onTestFinished(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { ...svc, app, url: `http://127.0.0.1:${port}`, token: options.token?.current() ?? WEB_TOKEN, events };
}

/** Debian's chromium package: `command -v chromium` (.ci/run installs it). */
export function chromiumPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      "chromium is not installed: apt-get install -y chromium (the browser tests drive Debian's package)",
    );
  }
}

/** The flags Chromium needs in this container (no sandbox, no GPU, nothing phoning home). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, timeout: 30_000 });
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Messages the page logged and errors it threw (a CSP violation shows up here). */
  problems: string[];
}

/** A fresh browser context (own cookies) in the given locale, closed when the test ends. */
export async function openPage(browser: Browser, web: TestWeb, locale = 'en-GB'): Promise<OpenedPage> {
  const context = await browser.newContext({
    locale,
    viewport: { width: 1280, height: 860 },
    timezoneId: 'Europe/Berlin',
  });
  onTestFinished(() => context.close());
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
  });
  await page.goto(web.url);
  return { context, page, problems };
}

/** Signs in through the form and waits for the calls view with its live feed connected. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel(/admin.token/i).fill(token);
  await page.locator('#signin-form button[type=submit]').click();
  await page.locator('#view-calls').waitFor({ state: 'visible' });
  await page.locator('#live:not(.off)').waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
