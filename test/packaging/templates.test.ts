import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/policy/types.js';
import { VARIABLES } from '../../src/screen/variables.js';
import { tempDir } from '../helpers/service.js';
import {
  type ConfSection,
  confCode,
  envDefault,
  listFiles,
  loadCompose,
  optionOf,
  parseConf,
  ROOT,
  read,
} from './helpers.js';

const AGI_PORT = envDefault('CALLFILTER_AGI_PORT');
/** FreePBX's own FastAGI server may hold 4573 (DESIGN.md); its snippet uses this one. */
const FREEPBX_PORT = '4574';
const CONTRACT = new Set<string>(Object.values(VARIABLES));
/** Variables a dialplan keeps for itself (not set by callfilter). */
const DIALPLAN_OWN = new Set(['CALLFILTER_VM_EXTEN', 'CALLFILTER_KEY']);

const SHIPPED = listFiles('dialplan', '.conf');
const DEPLOY_DIALPLAN = 'deploy/asterisk/extensions.conf';
const PJSIP = ['deploy/asterisk/pjsip.conf', 'deploy/asterisk/pjsip-fritzbox-phone.conf'];
const ALL_SNIPPETS = [...SHIPPED, ...listFiles('deploy/asterisk', '.conf')];

/** Contexts (sections) a dialplan file defines. */
const contexts = (file: string) => parseConf(read(file)).sections.map((s) => s.name);
const composeContexts = new Set([
  ...contexts(DEPLOY_DIALPLAN),
  ...contexts('dialplan/callfilter.conf'),
  ...contexts('dialplan/fritzbox.conf'),
]);

describe('every dialplan snippet (dialplan/ and deploy/)', () => {
  it.each(ALL_SNIPPETS)('%s reads only channel variables callfilter sets', (file) => {
    // ${ENV(…)} reads the container's environment, not a channel variable (the compose key, CALLFILTER_AGI_SECRET).
    const code = confCode(read(file)).replace(/\$\{ENV\([A-Z_]+\)\}/g, '');
    for (const name of new Set(code.match(/CALLFILTER_[A-Z_]+/g))) {
      expect(CONTRACT.has(name) || DIALPLAN_OWN.has(name), `${file}: ${name}`).toBe(true);
    }
  });

  it.each(ALL_SNIPPETS)('%s compares CALLFILTER_ACTION only with actions callfilter has', (file) => {
    const compared = [
      ...confCode(read(file)).matchAll(new RegExp(`"\\$\\{${VARIABLES.action}\\}" = "([^"]*)"`, 'g')),
    ].map((m) => m[1]);
    for (const action of compared) expect(ACTIONS as readonly (string | undefined)[]).toContain(action);
  });

  it.each(ALL_SNIPPETS)(
    '%s calls FastAGI only as agi://127.0.0.1:<the configured port>/screen?key=${CALLFILTER_KEY}',
    (file) => {
      const calls = [...confCode(read(file)).matchAll(/AGI\(([^,)]*)/g)].map((m) => m[1]);
      for (const url of calls) {
        const port = file.includes('freepbx') ? FREEPBX_PORT : AGI_PORT;
        expect(url).toBe(`agi://127.0.0.1:${port}/screen?key=\${CALLFILTER_KEY}`);
      }
    },
  );

  it('the shipped plain-Asterisk dialplan keeps 127.0.0.1 and the default port (compose changes only its copy)', () => {
    expect(confCode(read('dialplan/callfilter.conf'))).toContain(
      `AGI(agi://127.0.0.1:${AGI_PORT}/screen?key=\${CALLFILTER_KEY},`,
    );
    expect(confCode(read(DEPLOY_DIALPLAN))).not.toMatch(/AGI\(/);
  });
});

describe('the compose dialplan (deploy/asterisk/extensions.conf)', () => {
  const { includes } = parseConf(read(DEPLOY_DIALPLAN));

  it('includes the shipped screening subroutine and the FRITZ!Box context, as start.sh places them', () => {
    expect(includes).toEqual(['callfilter/callfilter.conf', 'callfilter/fritzbox.conf']);
    const start = read('deploy/asterisk/start.sh');
    expect(start).toContain('"$etc/callfilter/callfilter.conf"');
    expect(start).toContain('"$etc/callfilter/fritzbox.conf"');
  });

  it('sends every inbound call of the provider through [callfilter-screen] before anything rings', () => {
    const provider = parseConf(read(DEPLOY_DIALPLAN)).sections.find((s) => s.name === 'from-provider') as ConfSection;
    const steps = provider.options.map(([, v]) => v);
    expect(steps[0]).toMatch(/^_\[[^\]]+\]\.,1,Gosub\(callfilter-screen,s,1\(\$\{EXTEN\},/);
    expect(steps.findIndex((s) => s.includes('Dial('))).toBeGreaterThan(0);
  });

  it('jumps only to contexts that exist', () => {
    const code = confCode(read(DEPLOY_DIALPLAN));
    for (const m of code.matchAll(/(?:Gosub|Goto)\(([\w-]+),/g)) expect(composeContexts, m[0]).toContain(m[1]);
  });

  it('dials only PJSIP endpoints a template defines', () => {
    const endpoints = new Set(
      PJSIP.flatMap((f) =>
        parseConf(read(f))
          .sections.filter((s) => optionOf(s, 'type') === 'endpoint')
          .map((s) => s.name),
      ),
    );
    for (const m of confCode(read(DEPLOY_DIALPLAN)).matchAll(/PJSIP\/(?:[^@,)]*@)?([\w-]+)/g))
      expect(endpoints, m[0]).toContain(m[1]);
    expect(confCode(read('dialplan/fritzbox.conf'))).toMatch(/PJSIP\/phone1/);
    expect(endpoints).toContain('phone1');
  });
});

describe('the PJSIP templates', () => {
  it.each(PJSIP)('%s sends every endpoint into a context the compose dialplan defines', (file) => {
    const endpoints = parseConf(read(file)).sections.filter((s) => optionOf(s, 'type') === 'endpoint');
    expect(endpoints.length).toBeGreaterThan(0);
    for (const e of endpoints) expect(composeContexts, `${file} [${e.name}]`).toContain(optionOf(e, 'context'));
  });

  it('route the provider (way 1) and the FRITZ!Box line (way 2) into the screening contexts', () => {
    const provider = parseConf(read('deploy/asterisk/pjsip.conf')).sections.find(
      (s) => s.name === 'provider' && optionOf(s, 'type') === 'endpoint',
    );
    expect(provider && optionOf(provider, 'context')).toBe('from-provider');
    const box = parseConf(read('deploy/asterisk/pjsip-fritzbox-phone.conf')).sections.find(
      (s) => s.name === 'fritzbox' && optionOf(s, 'type') === 'endpoint',
    );
    expect(box && optionOf(box, 'context')).toBe('from-fritzbox');
    expect(contexts('dialplan/fritzbox.conf')).toContain('from-fritzbox');
  });

  it.each(PJSIP)('%s gives every section a type and every reference a target', (file) => {
    const { sections } = parseConf(read(file));
    const byType = (type: string) => new Set(sections.filter((s) => optionOf(s, 'type') === type).map((s) => s.name));
    for (const s of sections) expect(optionOf(s, 'type'), `[${s.name}]`).toBeDefined();
    for (const s of sections) {
      for (const [key, value] of s.options) {
        if (key === 'transport') expect(byType('transport'), `[${s.name}] ${key}`).toContain(value);
        if (key === 'auth' || key === 'outbound_auth') expect(byType('auth'), `[${s.name}] ${key}`).toContain(value);
        if (key === 'aors') expect(byType('aor'), `[${s.name}] ${key}`).toContain(value);
        if (key === 'endpoint') expect(byType('endpoint'), `[${s.name}] ${key}`).toContain(value);
      }
    }
  });

  it.each(PJSIP)(
    "%s lets a device register only under its endpoint's own name (identify_by=username, AOR by To user)",
    (file) => {
      const { sections } = parseConf(read(file));
      for (const e of sections.filter((s) => optionOf(s, 'type') === 'endpoint' && optionOf(s, 'auth') !== undefined)) {
        const auth = sections.find(
          (s) => s.name === optionOf(e, 'auth') && optionOf(s, 'type') === 'auth',
        ) as ConfSection;
        expect(optionOf(auth, 'username'), `[${e.name}]`).toBe(e.name);
        expect(optionOf(e, 'aors'), `[${e.name}]`).toBe(e.name);
      }
    },
  );

  it('deploy/env.example offers only settings something reads', () => {
    const readers = ['docker-compose.yml', ...listFiles('deploy/asterisk', '.conf'), 'deploy/asterisk/start.sh']
      .map(read)
      .join('\n');
    for (const [, name] of read('deploy/env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)) {
      if (!name?.startsWith('CALLFILTER_')) expect(readers, name).toMatch(new RegExp(`\\$\\{${name}\\b`));
    }
  });

  it.each(PJSIP)('%s takes secrets only from placeholders, never literally', (file) => {
    for (const s of parseConf(read(file)).sections) {
      const password = optionOf(s, 'password');
      if (password !== undefined) expect(password, `[${s.name}]`).toMatch(/^\$\{[A-Z0-9_]+\}$/);
    }
  });
});

/** Runs start.sh as the compose entrypoint would, rendering into a temp /etc/asterisk. */
function render(env: Record<string, string>) {
  const etc = join(tempDir(), 'etc');
  mkdirSync(etc);
  const result = spawnSync('bash', [join(ROOT, 'deploy/asterisk/start.sh')], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ASTERISK_ETC: etc,
      CALLFILTER_DIALPLAN_DIR: join(ROOT, 'dialplan'),
      ...env,
    },
    encoding: 'utf8',
  });
  const file = (name: string) => readFileSync(join(etc, name), 'utf8');
  return { status: result.status, stderr: result.stderr, file };
}

const WAY1 = {
  FASTAGI_ADDRESS: loadCompose().services.asterisk?.environment?.FASTAGI_ADDRESS ?? '',
  ASTERISK_LAN_ADDRESS: '192.168.178.20',
  SIP_PROVIDER_HOST: 'sip.example.net',
  SIP_PROVIDER_USER: '4930123456',
  SIP_PROVIDER_PASSWORD: 'pa;ss$w{o}rd',
  FRITZBOX_SIP_PASSWORD: 'box-secret',
};

describe('deploy/asterisk/start.sh (the compose Asterisk entrypoint)', () => {
  it('renders the provider and FRITZ!Box credentials from the environment into pjsip.conf', () => {
    const r = render(WAY1);
    expect(r.stderr).toContain('rendered pjsip.conf');
    expect(r.status).toBe(0);
    const pjsip = r.file('pjsip.conf');
    expect(pjsip).not.toMatch(/\$\{/);
    const { sections } = parseConf(pjsip);
    const auth = (name: string) => sections.find((s) => s.name === name && optionOf(s, 'type') === 'auth');
    // ";" starts a comment in Asterisk config; the password keeps it escaped.
    expect(auth('provider') && optionOf(auth('provider') as ConfSection, 'password')).toBe('pa\\;ss$w{o}rd');
    expect(auth('provider') && optionOf(auth('provider') as ConfSection, 'username')).toBe('4930123456');
    expect(auth('fritzbox') && optionOf(auth('fritzbox') as ConfSection, 'password')).toBe('box-secret');
    expect(pjsip).toContain('external_media_address=192.168.178.20');
    expect(pjsip).not.toContain('[transport-wan](+)');
  });

  it('copies the shipped dialplan with only the FastAGI address changed to the callfilter container', () => {
    const r = render(WAY1);
    const shipped = read('dialplan/callfilter.conf');
    const copy = r.file('callfilter/callfilter.conf');
    expect(copy).toBe(shipped.replaceAll(`agi://127.0.0.1:${AGI_PORT}/`, `agi://callfilter:${AGI_PORT}/`));
    expect(confCode(copy)).toContain(`AGI(agi://callfilter:${AGI_PORT}/screen?key=\${CALLFILTER_KEY},`);
    expect(r.file('callfilter/fritzbox.conf')).toBe(read('dialplan/fritzbox.conf'));
    expect(r.file('extensions.conf')).toBe(read(DEPLOY_DIALPLAN));
  });

  it('adds the public address to the provider transport only when one is given', () => {
    const pjsip = render({ ...WAY1, ASTERISK_PUBLIC_ADDRESS: '203.0.113.7' }).file('pjsip.conf');
    const addition = parseConf(pjsip).sections.find((s) => s.name === 'transport-wan' && s.modifier === '(+)');
    expect(addition?.options).toEqual([
      ['external_signaling_address', '203.0.113.7'],
      ['external_media_address', '203.0.113.7'],
    ]);
  });

  it('renders the IP-phone template (way 2) from its own variables', () => {
    const r = render({
      ASTERISK_PJSIP_TEMPLATE: 'pjsip-fritzbox-phone.conf',
      ASTERISK_LAN_ADDRESS: '192.168.178.20',
      FRITZBOX_HOST: '192.168.178.1',
      FRITZBOX_PHONE_USER: 'callfilter',
      FRITZBOX_PHONE_PASSWORD: 'x',
      PHONE1_PASSWORD: 'y',
    });
    expect(r.status).toBe(0);
    expect(r.file('pjsip.conf')).toContain('server_uri=sip:192.168.178.1');
  });

  it('refuses to start Asterisk with missing settings, naming each one', () => {
    const r = render({ ...WAY1, SIP_PROVIDER_PASSWORD: '', FRITZBOX_SIP_PASSWORD: '' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('pjsip.conf needs these environment variables');
    expect(r.stderr).toContain('FRITZBOX_SIP_PASSWORD SIP_PROVIDER_PASSWORD');
  });

  it('refuses a value that would smuggle in another config line', () => {
    const r = render({ ...WAY1, SIP_PROVIDER_PASSWORD: 'x\n[evil]\ntype=endpoint' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('SIP_PROVIDER_PASSWORD must not contain a line break');
  });

  it('names an unknown template', () => {
    const r = render({ ...WAY1, ASTERISK_PJSIP_TEMPLATE: 'nope.conf' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ASTERISK_PJSIP_TEMPLATE=nope.conf: no such template');
  });
});
