import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createContext } from '../../src/context.js';
import { homeEnv, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/service.js';

const cli = (dataDir: string, ...argv: string[]) => runCli(argv, homeEnv(dataDir));

describe('callfilter remove and unblock', () => {
  it('removes an allow entry by number, and a block entry by id', async () => {
    const dir = tempDir();
    await cli(dir, 'allow', '0170 1234567', '--name', 'Anna');
    await cli(dir, 'block', '030 12345670');
    const removed = await cli(dir, 'remove', '0170', '1234567');
    expect(removed).toMatchObject({ code: 0, err: '' });
    expect(removed.out).toMatch(/^removed #1 {2}allow {2}0170 1234567 {2}"Anna"/);
    expect((await cli(dir, 'explain', '01701234567')).out).toContain('reason:   unknown');

    expect((await cli(dir, 'remove', '--id', '2')).out).toMatch(/^removed #2 {2}block {2}030 12345670/);
    expect((await cli(dir, 'list')).out).toBe('no entries');
  });

  it('removes a prefix entry written with --prefix or a trailing *, never the exact entry of the same digits', async () => {
    const dir = tempDir();
    await cli(dir, 'block', '0301234*');
    await cli(dir, 'allow', '0401234*');
    await cli(dir, 'block', '030 1234');
    expect((await cli(dir, 'remove', '0301234', '--prefix')).out).toMatch(/^removed #1 {2}block {2}030 1234\*/);
    expect((await cli(dir, 'remove', '0401234*', '--kind', 'allow')).out).toMatch(/^removed #2 {2}allow {2}040 1234\*/);
    expect((await cli(dir, 'list')).out).toMatch(/^#3 {2}block {2}030 1234 /);
  });

  it('refuses to guess when a number has both kinds, listing both', async () => {
    const dir = tempDir();
    // Two entries of different kinds for one number, as an import or the API can leave them.
    await cli(dir, 'block', '030 12345670');
    const ctx = await createContext(
      loadConfig({
        env: { CALLFILTER_DATA_DIR: dir, CALLFILTER_HOME_AREA_CODE: '30', CALLFILTER_LOG_LEVEL: 'silent' },
      }),
    );
    await ctx.store.entries.create({ number: '+493012345670', prefix: false, kind: 'allow', source: 'api' });
    ctx.close();

    const both = await cli(dir, 'remove', '03012345670');
    expect(both.code).toBe(1);
    expect(both.err.split('\n')).toEqual([
      expect.stringMatching(
        /^callfilter remove: 030 12345670 has an allow and a block entry; say which to remove with --kind allow, --kind block or --id N:$/,
      ),
      expect.stringMatching(/^ {2}#2 {2}allow {2}030 12345670 /),
      expect.stringMatching(/^ {2}#1 {2}block {2}030 12345670 /),
    ]);
    expect((await cli(dir, 'list')).out.split('\n')).toHaveLength(2);
    expect((await cli(dir, 'remove', '03012345670', '--kind', 'allow')).code).toBe(0);
  });

  it.each([
    [['remove', '030 7654321'], 1, 'callfilter remove: no entry for 030 7654321'],
    [['remove', '--id', '99'], 1, 'callfilter remove: no entry #99'],
    [['unblock', '030 7654321'], 1, 'callfilter unblock: no block entry for 030 7654321'],
    [['remove', '030 7654321', '--kind', 'maybe'], 2, '--kind: "maybe" is not allow or block'],
    [['remove', '--id', '1', '030 7654321'], 2, '--id names the entry by itself'],
    [['remove', '--id', 'x'], 2, '--id: "x" is not a number'],
    [['remove'], 2, 'a number is required'],
  ])('%j exits %i: %s', async (argv, code, message) => {
    const r = await cli(tempDir(), ...argv);
    expect(r.code).toBe(code);
    expect(r.err).toContain(message);
  });

  it('says which entries decide a number that has no entry of the kind asked for', async () => {
    const dir = tempDir();
    await cli(dir, 'allow', '030 12345670', '--name', 'Anna');
    await cli(dir, 'block', '0301234*');
    const r = await cli(dir, 'unblock', '030 12345670');
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([
      'callfilter unblock: no block entry for 030 12345670',
      expect.stringMatching(/^ {2}it has an allow entry: #1 {2}allow {2}030 12345670 {2}"Anna"/),
      expect.stringMatching(
        /^ {2}it is covered by the prefix entry #2 {2}block {2}030 1234\* .* \(callfilter remove --id 2 removes that\)$/,
      ),
    ]);
  });
});

describe('callfilter allow and block with an entry of the other kind', () => {
  it('allow removes the block entry of the same number in the same step, and says so', async () => {
    const dir = tempDir();
    await cli(dir, 'block', '030 12345670', '--note', 'energy sales');
    const allowed = await cli(dir, 'allow', '030 12345670', '--name', 'Anna');
    expect(allowed.code).toBe(0);
    expect(allowed.out.split('\n')).toEqual([
      expect.stringMatching(/^added #2 {2}allow {2}030 12345670 {2}"Anna"/),
      expect.stringMatching(
        /^removed #1 {2}block {2}030 12345670 .*— energy sales .* \(the allow entry replaces it: the last word wins\)$/,
      ),
    ]);
    expect((await cli(dir, 'list')).out).toMatch(/^#2 {2}allow /);
  });

  it('block removes the allow entry of the same prefix; a broader entry of the other kind stays and is named', async () => {
    const dir = tempDir();
    await cli(dir, 'allow', '0301234*');
    await cli(dir, 'allow', '030 1*');
    const blocked = await cli(dir, 'block', '0301234*');
    expect(blocked.out.split('\n')).toEqual([
      expect.stringMatching(/^added #3 {2}block {2}030 1234\*/),
      expect.stringMatching(
        /^removed #1 {2}allow {2}030 1234\* .*\(the block entry replaces it: the last word wins\)$/,
      ),
      expect.stringMatching(
        /^ {2}conflict at 030 1234\*: block #3 030 1234\* .*wins over allow #2 030 1\* .*\(longer prefix\)$/,
      ),
    ]);
    expect((await cli(dir, 'explain', '030 12345670')).out).toContain('reason:   blocklist');
  });
});

describe('entries with line breaks in their text', () => {
  it('print on one line, the breaks escaped visibly', async () => {
    const dir = tempDir();
    await cli(
      dir,
      'block',
      '030 12345670',
      '--label',
      'Energy\nsales',
      '--note',
      'called twice\r\nsaid "stop"\ttab\u001b[2J',
    );
    const list = await cli(dir, 'list');
    expect(list.out.split('\n')).toHaveLength(1);
    expect(list.out).toContain('"Energy\\nsales"');
    expect(list.out).toContain('— called twice\\r\\nsaid "stop"\\ttab\\u001b[2J');
  });
});
