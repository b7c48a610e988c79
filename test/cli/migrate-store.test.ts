/** `callfilter migrate-store`: the command line over the copy (test/store/pg/copy.test.ts has the copy's details). */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { homeEnv, runCli } from '../helpers/cli.js';
import { usePostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/service.js';

const cli = (dataDir: string, ...argv: string[]) => runCli(argv, homeEnv(dataDir));

describe('callfilter migrate-store', () => {
  const postgres = usePostgres();

  it('copies the data folder into PostgreSQL, prints each table and never the password', async () => {
    const dir = tempDir();
    await cli(dir, 'block', '030 12345670', '--label', 'Umfrage');
    await cli(dir, 'allow', '0170 1234567', '--name', 'Anna');
    const database = await postgres.cluster.createDatabase('cli');
    const url = new URL(postgres.cluster.url(database));
    url.password = 's3cret-pw';
    await postgres.cluster.psql(`ALTER USER "${decodeURIComponent(url.username)}" PASSWORD 's3cret-pw'`);

    const copied = await cli(dir, 'migrate-store', '--to', url.toString());
    expect(copied).toMatchObject({ code: 0, err: '' });
    expect(copied.out).toMatch(/^entries +2 rows$/m);
    expect(copied.out).toMatch(
      /copied \d+ rows in \d+ tables from .*callfilter\.db to postgres:\/\/.*:\*\*\*@.* \(schema version \d+\); every count verified$/,
    );
    expect(copied.out).not.toContain('s3cret-pw');

    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const rows = await client.query('SELECT number, kind, label FROM entries ORDER BY id');
      expect(rows.rows).toEqual([
        { number: '+493012345670', kind: 'block', label: 'Umfrage' },
        { number: '+491701234567', kind: 'allow', label: 'Anna' },
      ]);
    } finally {
      await client.end();
    }

    const again = await cli(dir, 'migrate-store', '--to', url.toString());
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already holds data .*copies into an empty database only/);
  }, 60_000);

  it('copies into CALLFILTER_DATABASE_URL when --to is not given', async () => {
    const dir = tempDir();
    await cli(dir, 'block', '030 12345670');
    const url = postgres.cluster.url(await postgres.cluster.createDatabase('fromenv'));
    const copied = await runCli(['migrate-store'], homeEnv(dir, { CALLFILTER_DATABASE_URL: url }));
    expect(copied).toMatchObject({ code: 0, err: '' });
    expect(copied.out).toMatch(/^entries +1 row$/m);
  }, 60_000);

  it('says what a --to must be', async () => {
    const dir = tempDir();
    expect(await cli(dir, 'migrate-store')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--to postgres://'),
    });
    expect(await cli(dir, 'migrate-store', '--to', 'mysql://x@y/z')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--to: must start with postgres:// (got mysql://)'),
    });
    expect(await cli(dir, 'migrate-store', '--to', 'not a url')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--to: is not a URL'),
    });
  });
});
