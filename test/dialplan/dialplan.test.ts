import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../src/config/env-schema.js';
import { ACTIONS, REASONS } from '../../src/policy/types.js';
import { VARIABLES } from '../../src/screen/variables.js';

const DIR = join(import.meta.dirname, '../../dialplan');
const files = readdirSync(DIR).filter((f) => f.endsWith('.conf'));
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');
/** Dialplan lines without comments. */
const code = (f: string) =>
  read(f)
    .split('\n')
    .map((l) => l.replace(/;.*$/, ''))
    .join('\n');
const defaultPort = ENV_VARS.find((v) => v.key === 'CALLFILTER_AGI_PORT')?.default;
/** Variables the dialplan itself keeps (not set by callfilter). */
const DIALPLAN_OWN = new Set(['CALLFILTER_VM_EXTEN', 'CALLFILTER_KEY']);
/** The AGI() call: URL (with the key from the global CALLFILTER_KEY), then the arguments up to the closing bracket. */
const AGI_CALL = /AGI\(agi:\/\/([\d.]+):(\d+)\/(\w+)\?key=\$\{CALLFILTER_KEY\},(.*)\)$/m;

describe('the shipped dialplan', () => {
  it('has the three variants', () => {
    expect(files.sort()).toEqual(['callfilter.conf', 'freepbx-extensions_custom.conf', 'fritzbox.conf']);
  });

  it.each(files)('%s reads only variables callfilter sets', (f) => {
    const used = new Set(code(f).match(/CALLFILTER_[A-Z_]+/g));
    const contract = new Set<string>(Object.values(VARIABLES));
    for (const name of used) expect(contract.has(name) || DIALPLAN_OWN.has(name), `${f}: ${name}`).toBe(true);
  });

  it.each(['callfilter.conf', 'freepbx-extensions_custom.conf'])(
    '%s calls /screen and branches on every non-connect action',
    (f) => {
      const text = code(f);
      const agi = AGI_CALL.exec(text);
      expect(agi?.[1]).toBe('127.0.0.1');
      expect(agi?.[3]).toBe('screen');
      for (const action of ACTIONS.filter((a) => a !== 'connect')) {
        expect(text).toContain(`$["\${${VARIABLES.action}}" = "${action}"]`);
      }
      // Anything else falls through to the connect label, which returns to the phones.
      expect(text).toMatch(/n\(connect\),Return\(\)/);
      // The stalled-service guard checked on Asterisk 22.
      expect(text).toContain('Set(AGIEXITONHANGUP=yes)');
      expect(text).toMatch(/Set\(TIMEOUT\(absolute\)=\d+\)[\s\S]*AGI\([\s\S]*Set\(TIMEOUT\(absolute\)=0\)/);
      expect(text).toMatch(/exten => T,1,[\s\S]*Set\(TIMEOUT\(absolute\)=0\)[\s\S]*Return\(\)/);
      // Hang-ups use the cause callfilter sets, unanswered: nothing runs between the label and Hangup (FreePBX's
      // app-blackhole,busy answers first on some versions).
      expect(text).toContain(`n(hangup),Hangup(\${IF($["\${${VARIABLES.cause}}" = ""]?21:\${${VARIABLES.cause}})})`);
      expect(text).not.toContain('app-blackhole,busy');
      expect(text).toContain(`\${${VARIABLES.announcement}}`);
      // The default announcement in the language callfilter names, set just before it plays (and only when named).
      const language = `\${${VARIABLES.announcementLanguage}}`;
      expect(text).toContain(`ExecIf($["${language}" != ""]?Set(CHANNEL(language)=${language}))\n same => n,Playback(`);
    },
  );

  it('uses the default port in plain Asterisk, and 4574 for FreePBX (its own FastAGI may hold 4573)', () => {
    expect(code('callfilter.conf')).toContain(`agi://127.0.0.1:${defaultPort}/screen`);
    expect(code('freepbx-extensions_custom.conf')).toContain(
      'agi://127.0.0.1:4574/screen?key=${CALLFILTER_KEY},${FROM_DID},trunk)',
    );
    expect(code('freepbx-extensions_custom.conf')).toContain('Goto(ext-local,vmu${CALLFILTER_VM_EXTEN},1)');
  });

  it('passes the origin as the second AGI argument: internal only when the caller of the subroutine says so', () => {
    // ARG3 = internal → internal; anything else, empty included (an old Gosub with two arguments) → trunk.
    expect(AGI_CALL.exec(code('callfilter.conf'))?.[4]).toBe('${ARG1},${IF($["${ARG3}" = "internal"]?internal:trunk)}');
    // FreePBX: every call comes from an Inbound Route.
    expect(AGI_CALL.exec(code('freepbx-extensions_custom.conf'))?.[4]).toBe('${FROM_DID},trunk');
  });

  it("marks as internal only the FRITZ!Box's own phones (**…), comparing nothing but the first two characters", () => {
    const gosubs = [...code('fritzbox.conf').matchAll(/Gosub\(callfilter-screen,s,1\((.*)\)\)$/gm)].map((m) => m[1]);
    expect(gosubs).toEqual(['${EXTEN},100@default,${IF($["${CALLERID(num):0:2}" = "**"]?internal)}']);
  });

  it('routes the FRITZ!Box context through the screening subroutine', () => {
    expect(code('fritzbox.conf')).toContain('Gosub(callfilter-screen,s,1(${EXTEN}');
    expect(code('callfilter.conf')).toContain('[callfilter-screen]');
  });

  it('documents only reason codes that exist', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const row = readme.split('\n').find((l) => l.startsWith('| `CALLFILTER_REASON`')) ?? '';
    const documented = [...row.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...REASONS].sort());
  });
});
