import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VARIABLES } from '../../src/screen/variables.js';
import { SCREENING_CHANNEL } from '../../src/store/pg/screening-replica.js';
import { ENV_KEYS, envDefault, listFiles, ROOT, read } from './helpers.js';

const GUIDES = [
  'docs/asterisk.md',
  'docs/freepbx.md',
  'docs/fritzbox.md',
  'docs/configuration.md',
  'docs/operations.md',
];
const PAGES = [...listFiles('docs', '.md'), 'README.md', 'deploy/asterisk/sounds/README.md'];
/** CALLFILTER_* names that are not settings: channel variables and the dialplans' own (the key is a global). */
const NOT_SETTINGS = new Set([...Object.values(VARIABLES), 'CALLFILTER_VM_EXTEN', 'CALLFILTER_KEY']);
/**
 * Settings docs/notifications.md names that another branch adds to src/config/env-schema.ts (the language of texts
 * for people; src/config/language.ts reads it once it is there). Each leaves this list when it enters the table.
 */
const NOT_YET_READ = new Set(['CALLFILTER_LANGUAGE']);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    out.add(
      (m[1] as string)
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return out;
}

/** Markdown outside fenced code blocks. */
const prose = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, '');

describe('the guides', () => {
  it('are all there', () => {
    for (const page of GUIDES) expect(existsSync(join(ROOT, page)), page).toBe(true);
  });

  it.each(PAGES)('%s links only to files and headings that exist', (page) => {
    const text = prose(read(page));
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1] as string;
      if (/^[a-z]+:/.test(link)) continue;
      const [path = '', anchor] = link.split('#');
      const target = path === '' ? page : normalize(join(dirname(page), path));
      expect(existsSync(join(ROOT, target)), `${page} → ${link}`).toBe(true);
      if (anchor !== undefined && target.endsWith('.md'))
        expect(anchors(read(target)), `${page} → ${link}`).toContain(anchor);
    }
  });

  it.each([...PAGES, 'docker-compose.yml', 'Dockerfile', 'deploy/env.example', 'deploy/callfilter.service'])(
    '%s names only settings that exist',
    (page) => {
      for (const name of new Set(read(page).match(/\bCALLFILTER_[A-Z_]+[A-Z]\b/g))) {
        const planned = page === 'docs/notifications.md' && NOT_YET_READ.has(name);
        expect(ENV_KEYS.has(name) || NOT_SETTINGS.has(name) || planned, `${page}: ${name}`).toBe(true);
      }
    },
  );

  /**
   * Names of the same shape that are something else (docs/scale-out.md): the cluster's notification channel, and the
   * PostgreSQL roles of its "Roles" section.
   */
  const NOT_METRICS = new Set([SCREENING_CHANNEL, 'callfilter_owner', 'callfilter_node']);

  it('name only metrics the service exports', () => {
    const metricsFile = 'src/api/metrics.ts';
    if (!existsSync(join(ROOT, metricsFile))) return;
    // The source and notification metrics are registered beside them (src/sources/status.ts, src/notify/metrics.ts).
    const exported = read(metricsFile) + read('src/sources/status.ts') + read('src/notify/metrics.ts');
    for (const page of PAGES) {
      // (a Home Assistant entity id such as sensor.callfilter_last_caller is not a metric, nor a PostgreSQL channel)
      for (const name of new Set(read(page).match(/(?<![.\w])callfilter_[a-z_]+\b/g))) {
        if (NOT_METRICS.has(name)) continue;
        expect(exported, `${page}: ${name}`).toContain(`'${name}'`);
      }
    }
  });

  it.each(['README.md', 'docs/asterisk.md'])(
    '%s routes inbound calls by a pattern that takes a leading + and by the s extension',
    (page) => {
      const text = read(page);
      expect(text).not.toContain('exten => _X.');
      expect(text).toContain('exten => _[+0-9].,1,Gosub(callfilter-screen,s,1(${EXTEN},');
      expect(text).toContain('exten => s,1,Gosub(callfilter-screen,s,1(${EXTEN},');
    },
  );

  it("show the backup command's output with the schema version of the newest migration", () => {
    const newest = Math.max(...listFiles('migrations', '.sql').map((f) => Number(/(\d+)-[^/]*$/.exec(f)?.[1])));
    expect(read('docs/operations.md')).toMatch(
      new RegExp(`^backed up .* \\(.*, schema version ${newest}, integrity ok\\)$`, 'm'),
    );
  });

  it('use the AGI URL and ports the code defines', () => {
    const port = envDefault('CALLFILTER_AGI_PORT');
    expect(read('docs/asterisk.md')).toContain(
      `AGI(agi://127.0.0.1:${port}/screen?key=\${CALLFILTER_KEY},\${ARG1},\${IF($["\${ARG3}" = "internal"]?internal:trunk)})`,
    );
    expect(read('docs/freepbx.md')).toContain('agi://127.0.0.1:4574/screen');
    expect(read('docs/freepbx.md')).toContain('CALLFILTER_AGI_PORT=4574');
    expect(read('docs/operations.md')).toContain(`127.0.0.1:${envDefault('CALLFILTER_HTTP_PORT')}/healthz`);
    expect(read('docs/fritzbox.md')).toContain('[from-fritzbox]');
    expect(read('docs/fritzbox.md')).toContain('[callfilter-screen]');
  });

  it('the README links the install guides from its own section', () => {
    const readme = read('README.md');
    const install = readme.slice(readme.indexOf('\n## Install\n'));
    expect(install.length).toBeGreaterThan(0);
    const section = install.slice(0, install.indexOf('\n## ', 5) === -1 ? undefined : install.indexOf('\n## ', 5));
    for (const link of [
      'docs/asterisk.md',
      'docs/freepbx.md',
      'docs/fritzbox.md',
      'docs/configuration.md',
      'docs/operations.md',
      'docker-compose.yml',
    ]) {
      expect(section, link).toContain(`](${link}`);
    }
  });
});
