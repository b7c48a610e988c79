/**
 * `npm ci` on the oldest Node the README promises prints no EBADENGINE warning: no locked package asks for a newer
 * one (cookie@2 wanted Node 22; package.json's overrides keep cookie 1.x, the same API for Node 18 and up).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { read } from './helpers.js';

// semver comes with fastify (a production dependency); the test needs only satisfies() and minVersion().
const semver = createRequire(import.meta.url)('semver') as {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string } | null;
};

interface Lock {
  packages: Record<string, { version?: string; engines?: { node?: string } }>;
}

describe('the locked dependencies', () => {
  it('all run on the oldest Node package.json promises', () => {
    const promised = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    const oldest = semver.minVersion(promised)?.version as string;
    expect(read('README.md')).toContain(`Node.js ${oldest.replace(/\.0$/, '')} or newer`);
    const { packages } = JSON.parse(read('package-lock.json')) as Lock;
    const refused = Object.entries(packages)
      .filter(([, p]) => p.engines?.node !== undefined && !semver.satisfies(oldest, p.engines.node))
      .map(([path, p]) => `${path}@${p.version}: node ${p.engines?.node}`);
    expect(refused).toEqual([]);
  });
});
