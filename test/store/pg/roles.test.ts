/**
 * docs/scale-out.md "Roles" against a real PostgreSQL: its statements as written there, an owner that migrates with
 * `callfilter migrate`, and a node whose account may read and write the tables but not change the schema — refused
 * with what to do while the schema is behind, working once it is current.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { openPostgresStore } from '../../../src/store/pg/store.js';
import { homeEnv, runCli } from '../../helpers/cli.js';
import { usePostgres } from '../../helpers/postgres.js';
import { tempDir } from '../../helpers/service.js';
import { newCall } from '../helpers.js';

/** The ```sql blocks of the docs' "Roles" section, in order. */
function documentedStatements(): string[] {
  const docs = readFileSync(join(process.cwd(), 'docs', 'scale-out.md'), 'utf8');
  const section = docs.slice(docs.indexOf('### Roles'), docs.indexOf('###', docs.indexOf('### Roles') + 3));
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describe('a node whose account may not change the schema (docs/scale-out.md, "Roles")', () => {
  const postgres = usePostgres();

  it('is refused with what to do until the owner has migrated, and then screens, logs and keeps its jobs', async () => {
    const [asSuperuser, asOwner, ...more] = documentedStatements();
    expect(more).toEqual([]);
    await postgres.cluster.psql(asSuperuser as string);
    // Trust authentication on loopback: the roles' passwords are not asked for, their rights are.
    const url = (role: string) => new URL(`postgres://${role}@127.0.0.1:${postgres.cluster.port}/callfilter`);
    const logger = createLogger('silent');

    await expect(openPostgresStore({ url: url('callfilter_node'), logger })).rejects.toThrow(
      /may not change the schema: run `callfilter migrate` once with the schema owner's account/,
    );

    const migrated = await runCli(
      ['migrate'],
      homeEnv(tempDir(), { CALLFILTER_DATABASE_URL: url('callfilter_owner').toString() }),
    );
    expect(migrated.err).toBe('');
    expect(migrated.out).toMatch(/^schema version \d+ in postgres:\/\/callfilter_owner@127\.0\.0\.1:\d+\/callfilter$/);
    const owner = new pg.Client(url('callfilter_owner').toString());
    await owner.connect();
    try {
      await owner.query(asOwner as string);
    } finally {
      await owner.end();
    }

    const store = await openPostgresStore({ url: url('callfilter_node'), logger, node: { dataDir: tempDir() } });
    onTestFinished(() => store.close());
    const entry = await store.entries.create({ number: '+4930111222', kind: 'block', label: 'Umfrage' });
    const list = await store.lists.create({ name: 'k-tipp' });
    await store.lists.replaceEntries(list.id, [{ number: '+4930111333', score: 5 }]);
    await store.settled();
    const found = await store.screening.lookup('+4930111222', ['+4930111222']);
    expect(found.entries.map((e) => e.id)).toEqual([entry.id]);
    expect(await store.calls.log(newCall(1)).committed()).toBeTypeOf('number');
    expect(await store.outbox.enqueue('test', { a: 1 }, { at: Date.now() })).toBeTypeOf('number');
    expect(await store.leases.acquire('sync', 'node-a', Date.now() + 60_000, Date.now())).toBe(true);
    // And the node made no table of its own on the way.
    const tables = await store.pool.query<{ owner: string }>(
      "SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'",
    );
    expect(tables.rows).toEqual([{ owner: 'callfilter_owner' }]);
  }, 120_000);
});
