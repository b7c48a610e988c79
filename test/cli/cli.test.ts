import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { latestVersion } from '../../src/store/migrate.js';
import { homeEnv, runCli } from '../helpers/cli.js';
import { startService, tempDir } from '../helpers/service.js';

const cliWith = (env: Record<string, string>, dataDir: string, ...argv: string[]) =>
  runCli(argv, homeEnv(dataDir, env));

const cli = (dataDir: string, ...argv: string[]) => cliWith({}, dataDir, ...argv);

describe('callfilter command line', () => {
  it('migrates the schema and says its version, and nothing else', async () => {
    const dir = tempDir();
    const migrated = await runCli(['migrate'], homeEnv(dir));
    expect(migrated).toMatchObject({ code: 0, err: '' });
    expect(migrated.out).toBe(`schema version ${latestVersion()} in ${join(dir, 'callfilter.db')}`);
    expect((await runCli(['migrate', 'now'], homeEnv(dir))).code).toBe(2);
  });

  it('blocks, lists, explains and unblocks a number', async () => {
    const dir = tempDir();
    const blocked = await cli(dir, 'block', '030', '12345670', '--note', 'energy sales', '--expires', '90d');
    expect(blocked.code).toBe(0);
    expect(blocked.out).toMatch(/^added #1 {2}block {2}030 12345670 {2}.*— energy sales {2}\[cli, /);

    const prefix = await cli(dir, 'block', '0401234567*', '--action', 'announce');
    expect(prefix.out).toContain('040 1234567*  → announce');

    const list = await cli(dir, 'list', '--kind', 'block');
    expect(list.out.split('\n')).toHaveLength(2);

    const explain = await cli(dir, 'explain', '+49 30 12345670');
    expect(explain.code).toBe(0);
    expect(explain.out).toContain('decision: hangup (cause 21)');
    expect(explain.out).toContain('reason:   blocklist');

    const unblocked = await cli(dir, 'unblock', '03012345670');
    expect(unblocked.out).toMatch(/^removed #1 /);
    expect((await cli(dir, 'explain', '03012345670')).out).toContain('decision: voicemail');
  });

  it('explains a caller from the trunk, or with --internal one the dialplan marks internal', async () => {
    const dir = tempDir();
    await cli(dir, 'block', '+49', '--prefix');
    const trunk = await cli(dir, 'explain', '*03099887766');
    expect(trunk.out).toContain('caller:   030 99887766 (unknown country, implausible)');
    expect(trunk.out).toContain('reason:   blocklist');
    const internal = await cli(dir, 'explain', '*03099887766', '--internal');
    expect(internal.out).toContain('caller:   internal (*03099887766)');
    expect(internal.out).toContain('reason:   internal');
  });

  it('allows a contact as VIP and updates an existing entry instead of duplicating it', async () => {
    const dir = tempDir();
    expect((await cli(dir, 'allow', '0170 1234567', '--name', 'Anna')).out).toMatch(
      /^added #1 {2}allow {2}0170 1234567 {2}"Anna"/,
    );
    expect((await cli(dir, 'allow', '+491701234567', '--name', 'Anna B.', '--vip')).out).toMatch(
      /^updated #1 {2}allow {2}0170 1234567 {2}"Anna B\." {2}VIP/,
    );
    const explain = await cli(dir, 'explain', '01701234567', '--at', '2026-11-18T14:00');
    expect(explain.out).toContain('decision: connect');
    expect(explain.out).toContain('reason:   allowlist  "Anna B."');
  });

  it('blocks a deliberately short number with --short, and a caller with those digits is blocked', async () => {
    const dir = tempDir();
    const blocked = await cli(dir, 'block', '12', '--short');
    expect(blocked.code).toBe(0);
    expect(blocked.out).toMatch(/^added #1 {2}block {2}030 12 /);
    expect((await cli(dir, 'explain', '12')).out).toContain('reason:   blocklist');
  });

  it.each([
    [['block'], 2, 'callfilter block: a number is required'],
    [['block', 'abc'], 2, 'callfilter block: "abc" is not a phone number'],
    [
      ['block', '12'],
      2,
      'callfilter block: "12" is not a plausible phone number: +493012 is in no range of numbers assigned in DE; for a deliberately short number (a service number) add --short',
    ],
    [
      ['allow', '+49', '12'],
      2,
      'callfilter allow: "+49 12" is not a plausible phone number: +4912 is too short for a number in DE;',
    ],
    [['block', '030123456', '--action', 'connect'], 2, '--action: "connect" is not one of hangup, announce, voicemail'],
    [['block', '030123456', '--expires', 'soon'], 2, '--expires: "soon" is not a time'],
    [['list', '--kind', 'maybe'], 2, '--kind: "maybe" is not allow or block'],
    [['block', '030123456', '--colour', 'red'], 2, "Unknown option '--colour'"],
    [['frobnicate'], 2, 'callfilter: unknown command "frobnicate"'],
  ])('%j exits %i with a clear message', async (argv, code, message) => {
    const r = await cli(tempDir(), ...argv);
    expect(r.code).toBe(code);
    expect(r.err).toContain(message);
  });

  it('prints numbers as people at home write them, foreign ones internationally, and as stored with --e164', async () => {
    const dir = tempDir();
    await cli(dir, 'block', '030 12345670');
    await cli(dir, 'block', '0044 20 7946 0018', '--label', 'abroad');
    await cli(dir, 'block', '+49 30 123', '--prefix');
    expect((await cli(dir, 'list')).out.split('\n').map((l) => l.split('  ')[2])).toEqual([
      '030 123*',
      '+44 20 7946 0018',
      '030 12345670',
    ]);
    expect((await cli(dir, 'list', '--e164')).out.split('\n').map((l) => l.split('  ')[2])).toEqual([
      '+4930123*',
      '+442079460018',
      '+493012345670',
    ]);
    // Anywhere among the arguments, for every command that prints numbers.
    expect((await cli(dir, '--e164', 'explain', '030 12345670')).out).toContain(
      'caller:   +493012345670 (DE, fixed line)',
    );
    expect((await cli(dir, 'explain', '--e164', '030 12345670')).out).toContain(
      'caller:   +493012345670 (DE, fixed line)',
    );
    expect((await cli(dir, 'explain', '030 12345670')).out).toContain('caller:   030 12345670 (DE, fixed line)');
    const conflict = await cli(dir, 'allow', '030 1234567');
    expect(conflict.out).toContain(
      'conflict at 030 1234567: allow #4 030 1234567 [cli] wins over block #3 030 123* [cli] (exact beats prefix)',
    );
    expect((await cli(dir, 'allow', '030 1234567', '--e164')).out).toContain(
      'conflict at +49301234567: allow #4 +49301234567 [cli] wins over block #3 +4930123* [cli] (exact beats prefix)',
    );
  });

  it('works on the same database while the service runs, and shows its calls', async () => {
    const svc = await startService({ env: { CALLFILTER_HOME_AREA_CODE: '30' } });
    expect((await cli(svc.dataDir, 'block', '030 12345670')).code).toBe(0);
    const call = await svc.call('030 12345670');
    expect(call.variables.CALLFILTER_ACTION).toBe('hangup');
    await svc.call('0170 9999999');
    const calls = await cli(svc.dataDir, 'calls', '--blocked');
    expect(calls.out.split('\n')).toHaveLength(1);
    expect(calls.out).toMatch(/030 12345670 +→ 030 999000 +hangup +blocklist$/);
    expect((await cli(svc.dataDir, 'calls')).out.split('\n')).toHaveLength(2);
    expect((await cli(svc.dataDir, 'calls', '--number', '01709999999')).out).toContain('voicemail');
  });
});
