/**
 * `npm run bench -- --against <git ref>`: the same run measures a second build of the service, made from another
 * commit, so an A/B of a change is one run with one machine's noise — not two runs an hour apart.
 *
 * The ref is checked out into a temporary git worktree and built there with this checkout's TypeScript. Its
 * node_modules is a folder of symlinks to ours (no install, no compile of better-sqlite3), except its own
 * workspace package `asterisk-agi`; when its package-lock.json differs from ours, `npm ci` runs there instead, so the
 * ref is measured with the dependencies it was written for. Everything it made is removed when the run ends.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { removeOnExit } from './processes.js';
import { ROOT } from './servers.js';

export interface RefBuild {
  /** The ref as given, and the commit it named. */
  ref: string;
  commit: string;
  /** The worktree: what `dist/src/server.js`, `dist/bench/…` and `migrations/` are resolved against. */
  root: string;
  /** How the servers and rows of this build are named in the printout. */
  name: string;
}

const git = (args: string[], cwd = ROOT): string =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** node_modules for the ref: our packages by symlink, its own workspace package by a relative link (as npm makes it). */
function linkModules(root: string): void {
  const ours = join(ROOT, 'node_modules');
  const theirs = join(root, 'node_modules');
  mkdirSync(theirs);
  for (const name of readdirSync(ours)) {
    if (name === 'asterisk-agi') symlinkSync('../agi', join(theirs, name));
    else symlinkSync(join(ours, name), join(theirs, name));
  }
}

export function buildRef(ref: string, log: (line: string) => void): RefBuild {
  const commit = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  const root = join(removeOnExit(mkdtempSync(join(tmpdir(), 'callfilter-against-'))), 'tree');
  git(['worktree', 'add', '--detach', root, commit]);
  // The worktree's record in .git goes with the folder; prune drops it once the folder is removed at exit.
  process.once('exit', () => {
    try {
      git(['worktree', 'prune']);
    } catch {
      // nothing to tidy if git is gone
    }
  });
  const sameLock =
    readFileSync(join(ROOT, 'package-lock.json'), 'utf8') === readFileSync(join(root, 'package-lock.json'), 'utf8');
  if (sameLock) linkModules(root);
  else {
    log(`  ${ref}: its package-lock.json differs from ours: npm ci there (a minute or two)`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: root, stdio: 'ignore' });
    execFileSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'ignore' });
  }
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (!existsSync(join(root, 'dist/src/server.js')))
    throw new Error(`--against ${ref}: the build made no dist/src/server.js`);
  const name = `callfilter@${ref === commit ? commit.slice(0, 8) : `${ref} (${commit.slice(0, 8)})`}`;
  log(`  built ${name} in ${root}`);
  return { ref, commit, root, name };
}

/** Imports a module of the ref's build (its bench's database builder, its decision loop, its node flags). */
export async function importFromRef<T>(build: RefBuild, relative: string): Promise<T> {
  return (await import(pathToFileURL(join(build.root, relative)).href)) as T;
}
