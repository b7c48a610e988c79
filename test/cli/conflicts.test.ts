/** The command line names conflicts: an import's report lists the numbers both lists hold, and `block`/`allow` say so. */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { homeEnv, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/service.js';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/import');

const cli = (dataDir: string, ...argv: string[]) => runCli(argv, homeEnv(dataDir));

describe('conflicts on the command line', () => {
  it('an import of a blocklist full of contacts lists the numbers both lists hold and who wins', async () => {
    const dir = tempDir();
    expect((await cli(dir, 'import', join(FIXTURES, 'contacts.vcf'))).out).not.toContain('conflict');
    const res = await cli(dir, 'import', join(FIXTURES, 'blocklist-semicolon.csv'), '--kind', 'block');
    expect(res.code).toBe(0);
    const lines = res.out.split('\n');
    expect(lines[0]).toContain('11 added');
    expect(lines[1]).toBe('  10 numbers are on both lists now; only the winner decides:');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {4}conflict at 030 12345670: allow #\d+ 030 12345670 "Jürgen Böhm" \[vcard\] wins over block #\d+ 030 12345670 "Gewinnspiel-Hotline" \[csv\] \(allow beats block\)$/,
      ),
    );
    expect(lines.filter((l) => l.startsWith('    conflict at '))).toHaveLength(10);
  });

  it('block and allow say which entry of the other kind they conflict with, and who wins', async () => {
    const dir = tempDir();
    await cli(dir, 'allow', '0170', '1234567', '--name', 'Anna');
    const range = await cli(dir, 'block', '0170 12345', '--prefix');
    expect(range.out.split('\n')).toEqual([
      expect.stringMatching(/^added #2 {2}block/),
      '  conflict at 0170 1234567: allow #1 0170 1234567 "Anna" [cli] wins over block #2 0170 12345* [cli] (exact beats prefix)',
    ]);
    // The same number: the block replaces the allow entry (the last word wins), so no conflict is left to report.
    const same = await cli(dir, 'block', '0170 1234567');
    expect(same.out.split('\n')).toEqual([
      expect.stringMatching(/^added #3 {2}block {2}0170 1234567/),
      expect.stringMatching(
        /^removed #1 {2}allow {2}0170 1234567 .*\(the block entry replaces it: the last word wins\)$/,
      ),
    ]);
    expect((await cli(dir, 'block', '0170 7654321')).out).not.toContain('conflict');
  });

  it('the built command reads a big CSV again (in its worker) to find the conflicts after the write', {
    timeout: 60_000,
  }, () => {
    if (!existsSync(join(ROOT, 'dist/src/import/csv-worker.js')))
      throw new Error('dist/ is missing: run npm run build first');
    const dir = tempDir();
    const env = { PATH: process.env.PATH, CALLFILTER_DATA_DIR: dir, CALLFILTER_HOME_AREA_CODE: '30' };
    const bin = (...argv: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin/callfilter.js'), ...argv], { cwd: ROOT, encoding: 'utf8', env });
    expect(bin('allow', '030 10004242', '--name', 'Anna').status).toBe(0);
    const file = join(tempDir(), 'block.csv');
    writeFileSync(
      file,
      `${Array.from({ length: 20_000 }, (_, i) => `0301${String(i).padStart(7, '0')};Robot ${i}`).join('\n')}\n`,
    );
    const res = bin('import', file, '--kind', 'block');
    expect(res.stderr).toBe('');
    expect(res.stdout.split('\n').slice(0, 3)).toEqual([
      `imported ${file}: 20,000 added, 0 duplicates skipped (csv)`,
      '  1 number is on both lists now; only the winner decides:',
      expect.stringMatching(
        /^ {4}conflict at 030 10004242: allow #1 030 10004242 "Anna" \[cli\] wins over block #\d+ 030 10004242 "Robot 4242" \[csv\] \(allow beats block\)$/,
      ),
    ]);
  });
});
