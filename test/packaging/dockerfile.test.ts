import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_NODE_FLAGS } from '../../src/node-flags.js';
import { all, ENV_KEYS, envDefault, envOf, execForm, parseDockerfile, ROOT, read, type Stage } from './helpers.js';

const stages = parseDockerfile(read('Dockerfile'));
const build = stages[0] as Stage;
const runtime = stages.at(-1) as Stage;
const runs = (stage: Stage) =>
  all(stage, 'RUN')
    .map((i) => i.args)
    .join('\n');
const dockerignore = read('.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

describe('Dockerfile', () => {
  it('builds on full Node LTS with the toolchain better-sqlite3 needs, and runs on the slim image', () => {
    expect(stages).toHaveLength(2);
    expect(build.image).toMatch(/^node:(20|22)-bookworm$/);
    expect(build.name).toBe('build');
    expect(runtime.image).toMatch(/^node:(20|22)-bookworm-slim$/);
    // Same Node major in both stages: the native module is built for the ABI it runs on.
    expect(runtime.image.split('-')[0]).toBe(build.image.split('-')[0]);
    expect(runs(build)).toMatch(/apt-get install[^\n]*\bpython3\b[^\n]*\bmake\b[^\n]*\bg\+\+/);
    expect(runs(runtime)).not.toMatch(/g\+\+|build-essential|python3/);
  });

  it('installs from the lockfile, builds, and drops the dev dependencies', () => {
    const text = runs(build);
    expect(text).toMatch(/\bnpm ci\b/);
    expect(text).toMatch(/\bnpm rebuild better-sqlite3\b/);
    expect(text).toMatch(/\bnpm run build\b/);
    expect(text).toMatch(/\bnpm prune --omit=dev\b/);
    // package-lock.json goes in before `npm ci`, or `npm ci` refuses to run.
    const copyLock = all(build, 'COPY').findIndex((i) => i.args.includes('package-lock.json'));
    expect(copyLock).toBeGreaterThanOrEqual(0);
  });

  it('copies into the image only paths that exist and that .dockerignore lets through', () => {
    for (const stage of stages) {
      for (const copy of all(stage, 'COPY').filter((i) => !i.args.startsWith('--from'))) {
        const sources = copy.args.split(/\s+/).slice(0, -1);
        for (const source of sources) {
          expect(existsSync(join(ROOT, source)), `COPY ${source} (line ${copy.line})`).toBe(true);
          expect(dockerignore, `COPY ${source} is excluded by .dockerignore`).not.toContain(source.replace(/\/$/, ''));
        }
      }
    }
    // Local state and build output never reach the build context.
    for (const path of ['node_modules', 'dist', 'data', '.git', '*.tsbuildinfo', '.env'])
      expect(dockerignore).toContain(path);
  });

  it('gives the run stage what the service needs at run time', () => {
    const copies = all(runtime, 'COPY').map((i) => i.args);
    for (const needed of [
      '/app/node_modules',
      '/app/dist',
      '/app/agi/dist',
      '/app/agi/package.json',
      'migrations',
      'bin',
    ]) {
      expect(
        copies.some((c) => c.split(/\s+/).includes(needed)),
        needed,
      ).toBe(true);
    }
    // The entry it runs is the compiled src/server.ts.
    expect(existsSync(join(ROOT, 'src/server.ts'))).toBe(true);
    expect(execForm(all(runtime, 'CMD')[0]?.args ?? '')).toEqual(['node', ...SERVICE_NODE_FLAGS, 'dist/src/server.js']);
  });

  it('runs as a non-root user with the data in a volume', () => {
    const user = all(runtime, 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(runs(runtime)).toMatch(new RegExp(`useradd[^\\n]*\\b${user}\\b`));
    expect(all(runtime, 'VOLUME').map((i) => i.args)).toEqual(['/data']);
    expect(runs(runtime)).toMatch(new RegExp(`chown ${user}:${user} /data`));
  });

  it('is configured only through CALLFILTER_* variables that exist, listening on all interfaces inside the container', () => {
    const env = envOf(runtime);
    expect(env).toMatchObject({
      CALLFILTER_DATA_DIR: '/data',
      CALLFILTER_AGI_HOST: '0.0.0.0',
      CALLFILTER_HTTP_HOST: '0.0.0.0',
    });
    for (const key of Object.keys(env)) {
      if (key === 'NODE_ENV') continue;
      expect(ENV_KEYS.has(key), `ENV ${key} is not in env-schema.ts`).toBe(true);
    }
    expect(all(runtime, 'ARG')).toEqual([]);
  });

  it('exposes the default FastAGI and HTTP ports', () => {
    const exposed = all(runtime, 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    expect(exposed.sort()).toEqual([envDefault('CALLFILTER_AGI_PORT'), envDefault('CALLFILTER_HTTP_PORT')].sort());
  });

  it('checks its health on /healthz with node itself (the slim image has no curl)', () => {
    const [check] = all(runtime, 'HEALTHCHECK');
    expect(check).toBeDefined();
    const args = check?.args ?? '';
    expect(args).toMatch(/--interval=\d+s/);
    expect(args).toMatch(/--timeout=\d+s/);
    const command = execForm(args);
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    const script = command[2] ?? '';
    expect(script).toContain("fetch('http://127.0.0.1:'");
    expect(script).toContain('/healthz');
    expect(script).toContain(`process.env.CALLFILTER_HTTP_PORT || '${envDefault('CALLFILTER_HTTP_PORT')}'`);
    expect(args).not.toMatch(/curl|wget/);
  });
});
