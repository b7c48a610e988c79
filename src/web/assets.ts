/**
 * The web page's files: the compiled scripts (dist/web, from web/src by tsc) and the hand-written ones
 * (web/static: the HTML shell, the stylesheet, the icon). A few KB in all, so they are read once at start and
 * served from memory with an ETag; nothing outside this table can be asked for, so there is no path to traverse.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The only kinds of file served; anything else in the folders (a .d.ts, a stray editor file) is not. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/**
 * The project root, found from this module: src/web/ (vitest) is two levels below it, dist/src/web/ (compiled)
 * three. The one that has web/static is it (a missing folder is reported by loadAssets, not thrown: the API works
 * without the page).
 */
export function projectRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..'), join(here, '..', '..', '..')];
  return candidates.find((dir) => existsSync(join(dir, 'web', 'static'))) ?? (candidates[1] as string);
}

function readDir(dir: string, into: Map<string, Asset>): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    const file = join(dir, name);
    if (!type || !/^[\w.-]+$/.test(name) || !statSync(file).isFile()) continue;
    const body = readFileSync(file);
    into.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
}

export interface AssetTable {
  /** The HTML shell (web/static/index.html). */
  shell: string;
  /** Why the page cannot work (not built), or undefined. The API works either way. */
  problem?: string;
  get(name: string): Asset | undefined;
  names(): string[];
}

/** Reads web/static and dist/web (a compiled script of the same name wins). */
export function loadAssets(root = projectRoot()): AssetTable {
  const assets = new Map<string, Asset>();
  readDir(join(root, 'web', 'static'), assets);
  readDir(join(root, 'dist', 'web'), assets);
  const shell = assets.get('index.html');
  assets.delete('index.html');
  const table: AssetTable = {
    shell: shell?.body.toString('utf8') ?? '',
    get: (name) => assets.get(name),
    names: () => [...assets.keys()],
  };
  if (!shell) table.problem = `web/static/index.html is missing under ${root}`;
  else if (!assets.has('main.js'))
    table.problem = `the web page is not built (no ${join(root, 'dist', 'web', 'main.js')}); run "npm run build"`;
  return table;
}
