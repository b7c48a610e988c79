/**
 * A list at a URL: fetched on its schedule with a conditional GET (ETag / If-Modified-Since; 304 keeps the list),
 * saved to a temporary file up to a size cap, and imported through the same importer as `callfilter import --list`
 * (csv, json, PhoneBlock json/xml). A file with a bad row anywhere, or one that would shrink the list by 90 %, never
 * replaces the list in force; the switch to the new rows is atomic.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { ImportFormat } from '../../import/formats/index.js';
import { ImportRejectedError, importList } from '../../import/index.js';
import { userAgent } from '../../version.js';
import { checkShrink } from '../held-back.js';
import { expectOk, request, saveBody } from '../http.js';
import type { KindSync } from '../types.js';
import { authorization } from './credentials.js';

const n = (x: number) => x.toLocaleString('en');

/** The file's extension from the URL's path, so format detection can use the name too (`.csv`, `.json`). */
function extensionOf(url: string): string {
  const ext = extname(new URL(url).pathname).toLowerCase();
  return /^\.[a-z]{2,5}$/.test(ext) ? ext : '.download';
}

export const urlSync: KindSync = async (env, source, credentials, options) => {
  const { ctx } = env;
  const url = source.settings.url;
  if (typeof url !== 'string') throw new Error('the source has no URL');
  if (source.listId === undefined)
    throw new Error('the source has no list (was it deleted?); delete the source and add it again');
  const list = await ctx.store.lists.get(source.listId);
  if (!list) throw new Error(`list ${source.listId} no longer exists; delete the source and add it again`);
  const maxBytes =
    typeof source.settings.maxBytes === 'number' ? source.settings.maxBytes : ctx.config.http.importLimitBytes;
  const format = typeof source.settings.format === 'string' ? (source.settings.format as ImportFormat) : undefined;

  const headers: Record<string, string> = {
    'user-agent': userAgent(),
    accept: 'text/csv, application/json, application/xml;q=0.9, */*;q=0.5',
  };
  const auth = authorization(credentials);
  if (auth) headers.authorization = auth;
  // Conditional only while the list holds what that ETag describes: an emptied or recreated list needs the body.
  const lastModified = typeof source.state.lastModified === 'string' ? source.state.lastModified : undefined;
  if (list.activeVersion > 0 && !options.accept) {
    if (source.cursor) headers['if-none-match'] = source.cursor;
    if (lastModified) headers['if-modified-since'] = lastModified;
  }
  options.onProgress?.(`fetching ${url}`);
  const res = await request(
    env,
    url,
    { headers },
    {
      signal: options.signal,
      onRetry: (why, waitMs) => options.onProgress?.(`${why}; trying again in ${Math.ceil(waitMs / 1000)} s`),
    },
  );
  if (res.status === 304) {
    await res.body?.cancel().catch(() => undefined);
    return {
      outcome: 'unchanged',
      rows: list.entryCount,
      message: `not modified since the last sync: ${n(list.entryCount)} numbers`,
    };
  }
  await expectOk(res, url);

  const dir = join(ctx.config.dataDir, 'tmp');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `source-${source.id}-${randomBytes(6).toString('hex')}${extensionOf(url)}`);
  try {
    const bytes = await saveBody(res, file, maxBytes);
    options.onProgress?.(`received ${n(bytes)} bytes; importing`);
    const report = await importList(
      ctx,
      source.listId,
      { path: file },
      {
        ...(format && { format }),
        signal: options.signal,
        beforeSwitch: (rows) => {
          if (!options.accept) checkShrink(list.entryCount, rows);
        },
      },
    );
    return {
      outcome: 'synced',
      rows: report.added,
      cursor: res.headers.get('etag'),
      state: { ...source.state, lastModified: res.headers.get('last-modified') ?? undefined },
      message: `${n(report.added)} numbers (${report.format}${report.skipped ? `, ${n(report.skipped)} duplicates` : ''}${report.ignoredCount ? `, ${n(report.ignoredCount)} ignored` : ''})`,
    };
  } catch (err) {
    if (err instanceof ImportRejectedError)
      throw new Error(`${url}: ${err.message.replace(/; nothing was imported.*$/, '')}; the list in force stays`, {
        cause: err,
      });
    throw err;
  } finally {
    await rm(file, { force: true });
  }
};
