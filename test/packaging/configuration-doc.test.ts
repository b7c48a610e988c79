import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { EXAMPLE_CONFIG_FILE, renderConfigurationDoc } from '../../src/config/docs.js';
import { ENV_VARS } from '../../src/config/env-schema.js';
import { parseConfigFile } from '../../src/config/file.js';
import { STEPS } from '../../src/policy/types.js';
import { read } from './helpers.js';

describe('docs/configuration.md', () => {
  it('is the current rendering of the config schema (run `npm run docs:config` after changing env-schema.ts)', () => {
    expect(read('docs/configuration.md')).toBe(renderConfigurationDoc());
  });

  it('is written by `npm run docs:config`, and `npm run backup` runs the backup command', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['docs:config']).toBe('tsc -b && node dist/src/config/docs.js');
    expect(read('src/config/docs.ts')).toContain("join(process.cwd(), 'docs', 'configuration.md')");
    expect(scripts.backup).toBe('tsc -b && node bin/callfilter.js backup');
  });

  it('lists every setting with its default and example', () => {
    const doc = renderConfigurationDoc();
    for (const v of ENV_VARS) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${v.key}\` |`));
      expect(row, v.key).toBeDefined();
      const def = (v as { default?: string }).default;
      expect(row).toContain(def === undefined ? '| — |' : `| \`${def.replace(/\|/g, '\\|')}\` |`);
      expect(row).toContain(v.example.replace(/\|/g, '\\|'));
      expect(doc).toContain(`\n#${v.key}=`);
    }
  });

  it('renders from the schema it is given, so a new setting shows up without touching the renderer', () => {
    const doc = renderConfigurationDoc([
      ...ENV_VARS,
      {
        key: 'CALLFILTER_NEW_THING',
        kind: 'integer',
        default: '7',
        example: '9',
        min: 1,
        max: 10,
        description: 'A new | thing.',
      },
    ]);
    expect(doc).toContain('| `CALLFILTER_NEW_THING` | `7` | `9` | whole number, 1–10 | A new \\| thing. |');
  });

  it('shows a config file example the service accepts, and documents every policy step', () => {
    const parsed = parseConfigFile(JSON.parse(JSON.stringify(EXAMPLE_CONFIG_FILE)), 'docs example');
    const config = loadConfig({ env: { CALLFILTER_DATA_DIR: '/tmp/unused' }, file: parsed });
    expect(config.policy.profiles.map((p) => p.name)).toEqual(['business']);
    expect(config.policy.defaultProfile.actions.block.action).toBe('announce');
    const doc = renderConfigurationDoc();
    expect(doc).toContain(JSON.stringify(EXAMPLE_CONFIG_FILE, null, 2));
    for (const step of STEPS) expect(doc).toMatch(new RegExp(`^\\| \`${step}\` \\|`, 'm'));
  });
});
