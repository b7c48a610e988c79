/** This installation's version (package.json), for the User-Agent callfilter sends to the services it talks to. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** src/ (vitest) is one level below the project root, dist/src/ (compiled) two. */
export function productVersion(): string {
  if (cached !== undefined) return cached;
  const here = dirname(fileURLToPath(import.meta.url));
  const file = [join(here, '..', 'package.json'), join(here, '..', '..', 'package.json')].find((f) => existsSync(f));
  try {
    cached = file
      ? String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version ?? '0.0.0')
      : '0.0.0';
  } catch {
    cached = '0.0.0';
  }
  return cached;
}

/** `callfilter/<version> (Node <version>; <platform>)`: who is asking, as PhoneBlock asks clients to say. */
export function userAgent(): string {
  return `callfilter/${productVersion()} (Node ${process.versions.node}; ${process.platform})`;
}
