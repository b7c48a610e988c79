/** The page and its files: content types, cache headers, a strict CSP, and code that runs under it. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadAssets, projectRoot } from '../../src/web/assets.js';
import { CONTENT_SECURITY_POLICY, pageRoutes, pickLanguage } from '../../src/web/page-routes.js';
import { startWeb } from '../helpers/web.js';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

describe('the page and its files', () => {
  it('serves the page at / under a strict Content-Security-Policy, in the language asked for', async () => {
    const web = await startWeb();
    const res = await web.app.inject({
      method: 'GET',
      url: '/',
      headers: { 'accept-language': 'de-DE,de;q=0.9,en;q=0.8' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CSP);
    expect(CONTENT_SECURITY_POLICY).toBe(CSP);
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    expect(res.body).toContain('<html lang="de">');
    expect((await web.app.inject({ method: 'GET', url: '/' })).body).toContain('<html lang="en">');
  });

  it('serves each file with its type, an ETag, and 304 when unchanged; nothing else', async () => {
    const web = await startWeb();
    const types: Record<string, string> = {
      'main.js': 'text/javascript; charset=utf-8',
      'style.css': 'text/css; charset=utf-8',
      'icon.svg': 'image/svg+xml',
    };
    for (const [name, type] of Object.entries(types)) {
      const res = await web.app.inject({ method: 'GET', url: `/assets/${name}` });
      expect(res.statusCode, name).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(CSP);
      const again = await web.app.inject({
        method: 'GET',
        url: `/assets/${name}`,
        headers: { 'if-none-match': String(res.headers.etag) },
      });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    }
    for (const url of [
      '/assets/nope.js',
      '/assets/..%2Fpackage.json',
      '/assets/index.html',
      '/assets/main.d.ts',
      '/index.html',
    ]) {
      expect((await web.app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
  });

  it('has no inline script, inline style or inline event handler anywhere (CSP would block them)', () => {
    const root = projectRoot();
    const html = readFileSync(join(root, 'web', 'static', 'index.html'), 'utf8');
    expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toBeNull();
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    for (const file of readdirSync(join(root, 'web', 'src'))) {
      const code = readFileSync(join(root, 'web', 'src', file), 'utf8');
      // innerHTML would invite markup from data; .style and setAttribute('style') are inline styles; eval needs 'unsafe-eval'.
      expect(code, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|\.style\b|'style'|\beval\(|new Function/);
    }
  });

  // A third of it is the wording of every server message in both languages (i18n-codes-*.ts).
  it('is small: every file together under 150 KB before compression', () => {
    const assets = loadAssets();
    expect(assets.problem).toBeUndefined();
    const bytes = assets.names().reduce((sum, n) => sum + (assets.get(n)?.body.length ?? 0), assets.shell.length);
    expect(bytes).toBeLessThan(150 * 1024);
  });

  it('answers 503 with the reason when the page is missing (the API does not depend on it)', async () => {
    const broken = loadAssets('/nonexistent');
    expect(broken.problem).toBe('web/static/index.html is missing under /nonexistent');
    const app = Fastify({ logger: false });
    onTestFinished(() => app.close());
    pageRoutes(app, broken);
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toBe('callfilter: web/static/index.html is missing under /nonexistent\n');
  });

  it('picks the page language from Accept-Language', () => {
    expect(pickLanguage(undefined)).toBe('en');
    expect(pickLanguage('de')).toBe('de');
    expect(pickLanguage('de-AT,de;q=0.9')).toBe('de');
    expect(pickLanguage('fr-FR,fr;q=0.9,de;q=0.5,en;q=0.4')).toBe('de');
    expect(pickLanguage('en-US,en;q=0.9,de;q=0.8')).toBe('en');
    expect(pickLanguage('fr')).toBe('en');
    expect(pickLanguage('de;q=0,en')).toBe('en');
  });
});
