/** The PostgreSQL test helper itself: a real server on loopback, not as root, its own folder, gone afterwards. */
import { existsSync, statSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startPostgres, usePostgres } from './postgres.js';

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('usePostgres()', () => {
  const pg = usePostgres();

  it('gives a fresh database on a loopback server that does not run as root', async () => {
    expect(pg.url).toBe(`postgres://postgres@127.0.0.1:${pg.cluster.port}/${pg.database}`);
    const out = await pg.cluster.psql(
      "SELECT current_database(), current_setting('listen_addresses'), current_setting('fsync'), (SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace)",
      pg.database,
    );
    expect(out.trim()).toBe(`${pg.database}|127.0.0.1|off|0`);
    const owner = statSync(`${pg.cluster.dir}/data`).uid;
    if (process.getuid?.() === 0) expect(owner).not.toBe(0);
    // The unix socket lives in the cluster's folder, not in /var/run/postgresql.
    expect(existsSync(`${pg.cluster.dir}/.s.PGSQL.${pg.cluster.port}`)).toBe(true);
  });

  it('makes databases that do not share tables', async () => {
    const other = await pg.cluster.createDatabase('other');
    await pg.cluster.psql('CREATE TABLE t (id int)', other);
    const out = await pg.cluster.psql("SELECT count(*) FROM pg_class WHERE relname = 't'", pg.database);
    expect(out.trim()).toBe('0');
  });
});

// A cluster started inside the test: seconds on a busy machine, more than the default test timeout allows.
describe('startPostgres()', { timeout: 60_000 }, () => {
  it('stops and starts on the same port with the data kept, and close() removes everything', async () => {
    const cluster = await startPostgres();
    const db = await cluster.createDatabase();
    await cluster.psql("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('x')", db);
    const port = cluster.port;
    await cluster.stop();
    expect(await connects(port)).toBe(false);
    await cluster.start();
    expect(cluster.port).toBe(port);
    expect((await cluster.psql('SELECT v FROM kept', db)).trim()).toBe('x');
    await cluster.close();
    await cluster.close();
    expect(await connects(port)).toBe(false);
    expect(existsSync(cluster.dir)).toBe(false);
  });
});
