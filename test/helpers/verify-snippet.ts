/** The webhook verification snippet exactly as docs/notifications.md shows it, loaded as a module for a receiver. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { onTestFinished } from 'vitest';

export type Verify = (header: string | undefined, body: string, secret: string, toleranceSeconds?: number) => boolean;

export async function documentedVerify(): Promise<Verify> {
  const doc = readFileSync(new URL('../../docs/notifications.md', import.meta.url), 'utf8');
  const block = /<!-- verify-snippet:start -->\s*```js\n([\s\S]*?)```\s*<!-- verify-snippet:end -->/.exec(doc);
  if (!block) throw new Error('docs/notifications.md lost its verification snippet');
  const dir = mkdtempSync(path.join(tmpdir(), 'callfilter-snippet-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'verify.mjs');
  writeFileSync(file, block[1] as string);
  return ((await import(pathToFileURL(file).href)) as { verifyCallfilterSignature: Verify }).verifyCallfilterSignature;
}
