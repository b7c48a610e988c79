import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProgressStream } from '../../src/cli/progress.js';
import { homeEnv, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/service.js';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/import');

const cli = (dataDir: string, argv: string[], env: Record<string, string> = {}, progress?: ProgressStream) =>
  runCli(argv, homeEnv(dataDir, env), progress);

describe('callfilter import', () => {
  it('imports a CSV as block entries, and again skips the duplicates', async () => {
    const dir = tempDir();
    const first = await cli(dir, ['import', join(FIXTURES, 'blocklist-semicolon.csv'), '--kind', 'block']);
    expect(first.code).toBe(0);
    expect(first.out).toBe(
      `imported ${join(FIXTURES, 'blocklist-semicolon.csv')}: 11 added, 0 duplicates skipped (csv)`,
    );
    expect((await cli(dir, ['import', join(FIXTURES, 'blocklist-semicolon.csv'), '--kind', 'block'])).out).toContain(
      '0 added, 11 duplicates skipped',
    );
    expect((await cli(dir, ['list', '--kind', 'block'])).out.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(
      11,
    );
  });

  it('imports a vCard as contacts, and reports what it ignored', async () => {
    const dir = tempDir();
    const res = await cli(dir, ['import', join(FIXTURES, 'contacts.vcf')]);
    expect(res.out.split('\n')[0]).toContain('19 added, 3 duplicates skipped, 6 contacts created, 1 ignored (vcard)');
    expect(res.out).toMatch(/ignored line \d+: empty TEL/);
    expect((await cli(dir, ['explain', '+49 170 1234568'])).out).toContain('reason:   contact');
  });

  it('imports a FRITZ!Box phone book as allow entries, and the call-barring list as block entries only with --kind block', async () => {
    const dir = tempDir();
    expect((await cli(dir, ['import', join(FIXTURES, 'fritzbox-phonebook.xml')])).out).toContain(
      '9 added, 0 duplicates skipped, 5 contacts created',
    );
    expect((await cli(dir, ['import', join(FIXTURES, 'fritzbox-phonebook.xml'), '--kind', 'allow'])).out).toContain(
      '0 added, 9 duplicates skipped',
    );
    const barring = await cli(dir, ['import', join(FIXTURES, 'fritzbox-call-barring.xml'), '--kind', 'block']);
    expect(barring.out).toContain('3 added, 0 duplicates skipped (fritzbox)');
    expect((await cli(dir, ['list', '--kind', 'allow'])).out.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(
      9,
    );
    expect((await cli(dir, ['list', '--kind', 'block'])).out.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(
      3,
    );
  });

  it('refuses a file with bad rows, listing them, and imports nothing (exit 1)', async () => {
    const dir = tempDir();
    const res = await cli(dir, ['import', join(FIXTURES, 'blocklist-bad-rows.csv'), '--kind', 'block']);
    expect(res.code).toBe(1);
    expect(res.err).toContain('3 rows are not valid (line 4, 5, 7); nothing was imported');
    expect(res.err).toContain('  line 4: "030 ABC" is not a phone number');
    expect((await cli(dir, ['list'])).out).toBe('no entries');
  });

  it('imports a list with --list, and replaces it on the next import', async () => {
    const dir = tempDir();
    const file = join(tempDir(), 'spam.csv');
    writeFileSync(file, 'phone;votes\n+498912345670;20\n+498912345671;2\n');
    const first = await cli(dir, ['import', file, '--list', 'Spam', '--threshold', '4']);
    expect(first.out).toContain('list "Spam" replaced: 2 added, 0 duplicates skipped (csv)');
    expect((await cli(dir, ['explain', '089 12345670'])).out).toContain('reason:   spam-list');
    expect((await cli(dir, ['explain', '089 12345671'])).out).toContain('reason:   unknown');
    writeFileSync(file, 'phone;votes\n+498912345672;20\n');
    const second = await cli(dir, ['import', file, '--list', 'Spam']);
    expect(second.out).toContain('1 added');
    expect(second.out).toContain('2 rows of the previous version removed');
    expect((await cli(dir, ['explain', '089 12345670'])).out).toContain('reason:   unknown');
    writeFileSync(file, 'phone;votes\n+498912345673;20\nnonsense;3\n');
    expect((await cli(dir, ['import', file, '--list', 'Spam'])).code).toBe(1);
    expect((await cli(dir, ['explain', '089 12345672'])).out).toContain('reason:   spam-list');
  });

  it('draws a progress bar on a terminal, and nothing otherwise', async () => {
    const dir = tempDir();
    const file = join(tempDir(), 'big.csv');
    writeFileSync(file, Array.from({ length: 60_000 }, (_, i) => `0301${String(i).padStart(7, '0')};Robot`).join('\n'));
    const drawn: string[] = [];
    const res = await cli(
      dir,
      ['import', file, '--kind', 'block'],
      {},
      { isTTY: true, write: (s: string) => drawn.push(s) },
    );
    expect(res.out).toContain('60,000 added');
    expect(drawn.join('')).toMatch(/\rimporting \[#*\.*\] +\d+% +[\d,]+ rows read/);
    expect(drawn.at(-1)).toBe('\r\u001b[K');
    const quiet: string[] = [];
    await cli(
      tempDir(),
      ['import', file, '--kind', 'block'],
      {},
      { isTTY: false, write: (s: string) => quiet.push(s) },
    );
    expect(quiet).toEqual([]);
  });

  it.each([
    [['import'], 2, 'a file is required'],
    [['import', 'nowhere.csv', '--kind', 'block'], 1, 'nowhere.csv: no such file'],
    [['import', join(FIXTURES, 'blocklist-comma.csv')], 2, 'a CSV import needs a kind, allow or block'],
    [['import', join(FIXTURES, 'blocklist-comma.csv'), '--kind', 'maybe'], 2, '--kind: "maybe" is not allow or block'],
    [
      ['import', join(FIXTURES, 'blocklist-comma.csv'), '--format', 'xls'],
      2,
      '--format: "xls" is not one of csv, vcard, fritzbox, phoneblock, json',
    ],
    [
      ['import', join(FIXTURES, 'blocklist-comma.csv'), '--list', 'x', '--kind', 'block'],
      2,
      '--kind does not apply to --list',
    ],
    [['import', join(FIXTURES, 'blocklist-comma.csv'), '--threshold', '3'], 2, '--threshold needs --list'],
    [
      ['import', join(FIXTURES, 'contacts.vcf'), '--kind', 'block'],
      2,
      'a vCard holds contacts, and contacts are allowed: it cannot be imported as block entries (leave --kind out)',
    ],
    [
      ['import', join(FIXTURES, 'fritzbox-call-barring.xml')],
      2,
      'this file is the FRITZ!Box call-barring list (phonebook owner 258), whose numbers the box blocks: to block them here too, declare it so (use --kind block)',
    ],
    [
      ['import', join(FIXTURES, 'phoneblock-blocklist.json'), '--kind', 'allow'],
      2,
      'it cannot be imported as allow entries (leave --kind out)',
    ],
  ])('%j exits %i: %s', async (argv, code, message) => {
    const res = await cli(tempDir(), argv);
    expect(res.code).toBe(code);
    expect(res.err).toContain(message);
  });
});

describe('callfilter export', () => {
  it('writes the entries as CSV or vCard to stdout', async () => {
    const dir = tempDir();
    await cli(dir, ['block', '030 12345670', '--label', 'Gewinnspiel']);
    await cli(dir, ['allow', '0170 1234567', '--name', 'Anna']);
    const csv = await cli(dir, ['export']);
    expect(csv.code).toBe(0);
    expect(csv.written).toBe(
      'number,label,note,kind,action,cause,vip,source,expires\r\n+491701234567,Anna,,allow,,,false,cli,\r\n+493012345670,Gewinnspiel,,block,,,false,cli,\r\n',
    );
    const vcard = await cli(dir, ['export', '--format', 'vcard', '--kind', 'allow']);
    expect(vcard.written).toContain('FN:Anna\r\nN:Anna;;;;\r\nTEL;TYPE=VOICE:+491701234567\r\n');
    expect(vcard.written).not.toContain('Gewinnspiel');
    expect((await cli(dir, ['export', '--format', 'pdf'])).err).toContain('--format: "pdf" is not csv or vcard');
    expect((await cli(dir, ['export', 'out.csv'])).code).toBe(2);
  });
});

describe('callfilter token', () => {
  it('prints the token (making one the first time), the same again, and a new one with --rotate', async () => {
    const dir = tempDir();
    const first = await cli(dir, ['token']);
    expect(first.out).toMatch(/^[\w-]{43}$/);
    expect(first.err).toContain('generated a new admin token, stored in');
    expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
    const again = await cli(dir, ['token']);
    expect(again).toMatchObject({ out: first.out, err: '' });
    const rotated = await cli(dir, ['token', '--rotate']);
    expect(rotated.out).toMatch(/^[\w-]{43}$/);
    expect(rotated.out).not.toBe(first.out);
    expect(readFileSync(join(dir, 'admin-token'), 'utf8')).toBe(`${rotated.out}\n`);
  });

  it('does not print or rotate a token set by CALLFILTER_ADMIN_TOKEN', async () => {
    const env = { CALLFILTER_ADMIN_TOKEN: 'the-token-from-the-environment' };
    const shown = await cli(tempDir(), ['token'], env);
    expect(shown).toMatchObject({
      code: 0,
      out: '',
      err: 'the admin token is set by CALLFILTER_ADMIN_TOKEN (not printed here)',
    });
    const rotate = await cli(tempDir(), ['token', '--rotate'], env);
    expect(rotate).toMatchObject({
      code: 1,
      err: 'callfilter token: the admin token is set by CALLFILTER_ADMIN_TOKEN; change it there',
    });
  });
});

describe('the built command (bin/callfilter.js), whose CSV import parses in a worker thread', () => {
  const BIN = join(ROOT, 'bin/callfilter.js');
  const bin = (dataDir: string, ...argv: string[]) =>
    spawnSync(process.execPath, [BIN, ...argv], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, CALLFILTER_DATA_DIR: dataDir, CALLFILTER_HOME_AREA_CODE: '30' },
    });

  it('rolls back a big CSV with a bad row near the end, then imports the fixed file whole', {
    timeout: 120_000,
  }, () => {
    if (!existsSync(join(ROOT, 'dist/src/import/csv-worker.js')))
      throw new Error('dist/ is missing: run npm run build first');
    const dir = tempDir();
    const file = join(tempDir(), 'block.csv');
    const rows = Array.from({ length: 50_000 }, (_, i) => `0301${String(i).padStart(7, '0')};Robot ${i}`);
    rows[49_990] = 'call me maybe;Robot';
    writeFileSync(file, `Rufnummer;Name\n${rows.join('\n')}\n`);
    const refused = bin(dir, 'import', file, '--kind', 'block');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('1 row is not valid (line 49992); nothing was imported');
    expect(bin(dir, 'list').stdout).toBe('no entries\n');

    rows[49_990] = '03010049990;Robot 49990';
    writeFileSync(file, `Rufnummer;Name\n${rows.join('\n')}\n`);
    const imported = bin(dir, 'import', file, '--kind', 'block');
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toBe(`imported ${file}: 50,000 added, 0 duplicates skipped (csv)\n`);
    expect(bin(dir, 'explain', '030 10049990').stdout).toContain('reason:   blocklist  "Robot 49990"');
  });

  it('replaces a list from a CSV, and keeps the old rows when the new file has a bad row', { timeout: 60_000 }, () => {
    const dir = tempDir();
    const file = join(tempDir(), 'spam.csv');
    writeFileSync(
      file,
      `phone;votes\n${Array.from({ length: 20_000 }, (_, i) => `+4989${String(10_000_000 + i)};${i % 5}`).join('\n')}\n`,
    );
    expect(bin(dir, 'import', file, '--list', 'Spam', '--threshold', '3').stdout).toContain(
      'list "Spam" replaced: 20,000 added',
    );
    expect(bin(dir, 'explain', '+498910000004').stdout).toContain('reason:   spam-list');
    expect(bin(dir, 'explain', '+498910000002').stdout).toContain('reason:   unknown');
    writeFileSync(file, 'phone;votes\n+498912345678;9\nwhat;1\n');
    const refused = bin(dir, 'import', file, '--list', 'Spam');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('1 row is not valid (line 3)');
    expect(bin(dir, 'explain', '+498910000004').stdout).toContain('reason:   spam-list');
  });
});
