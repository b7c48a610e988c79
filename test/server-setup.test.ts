/**
 * The process entry and the settings that are not in the environment: a new data folder starts unattended and says
 * what to set up; a setting kept in the database or the config file is checked before anything listens.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { startPostgres } from './helpers/postgres.js';
import { tempDir } from './helpers/service.js';
import { ENTRY, startChild, startServer } from './reliability/processes.js';

/** pino's JSON lines on stdout. */
const logLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string });

describe('the service on a data folder without home area code', () => {
  it('starts, and logs what to run and where to click', async () => {
    const proc = await startServer({ CALLFILTER_DATA_DIR: tempDir() });
    await proc.waitFor(/the home area code is not set/);
    const hint = logLines(proc.stdout()).find((l) => l.msg.startsWith('the home area code is not set'));
    expect(hint?.level).toBe(40); // warn
    expect(hint?.msg).toContain('callfilter setup --country DE --area-code');
    expect(hint?.msg).toContain(`sign in at ${proc.httpUrl}/`);
    // An answer comes once the start is done and the signal handlers are in place.
    expect((await fetch(`${proc.httpUrl}/healthz`)).status).toBe(200);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });

  it('says nothing of the kind once the area code is stored', async () => {
    const dir = tempDir();
    const store = openStore(join(dir, 'callfilter.db'));
    await store.settings.set({ CALLFILTER_HOME_AREA_CODE: '30' });
    store.db.close();
    const proc = await startServer({ CALLFILTER_DATA_DIR: dir });
    expect((await fetch(`${proc.httpUrl}/healthz`)).status).toBe(200);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(proc.stdout()).not.toContain('area code is not set');
  });
});

describe('settings outside the environment, checked before anything listens', () => {
  it("a stored value that cannot be used: exit 78, naming it as the database's", async () => {
    const dir = tempDir();
    const store = openStore(join(dir, 'callfilter.db'));
    await store.settings.set({ CALLFILTER_HOME_COUNTRY: 'XX' });
    store.db.close();
    const proc = startChild([ENTRY], { CALLFILTER_DATA_DIR: dir, CALLFILTER_AGI_PORT: '0', CALLFILTER_HTTP_PORT: '0' });
    expect((await proc.exited).code).toBe(78);
    expect(proc.stderr()).toBe(
      'callfilter: CALLFILTER_HOME_COUNTRY (database): "XX" is not a country libphonenumber knows (ISO 3166 code, e.g. DE)\n',
    );
    expect(proc.stdout()).not.toContain('callfilter is screening calls');
  });

  it.each([
    [{ homeCountry: 'XX' }, 'homeCountry: "XX" is not a country libphonenumber knows (ISO 3166 code, e.g. DE)'],
    [{ homeAreaCode: '170' }, 'homeAreaCode: "170" is not an area code in DE'],
    [{ trunks: [{ context: '', format: 'national' }] }, 'trunks[0].context: "" is empty: the rule would never apply'],
  ])("the config file's %j: exit 78, naming the file and the key", async (content, message) => {
    const dir = tempDir();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(content));
    const proc = startChild([ENTRY], {
      CALLFILTER_DATA_DIR: dir,
      CALLFILTER_CONFIG: file,
      CALLFILTER_AGI_PORT: '0',
      CALLFILTER_HTTP_PORT: '0',
    });
    expect((await proc.exited).code).toBe(78);
    expect(proc.stderr()).toBe(`callfilter: CALLFILTER_CONFIG (${file}): ${message}\n`);
  });
});

describe('the service with CALLFILTER_DATABASE_URL', () => {
  it('runs as a node of a cluster on that PostgreSQL and says so at start, without the password', async () => {
    const cluster = await startPostgres();
    const url = new URL(cluster.url());
    url.password = 'pw-in-the-url'; // the test server trusts loopback: the password is never asked for
    const proc = await startServer({
      CALLFILTER_DATA_DIR: tempDir(),
      CALLFILTER_HOME_AREA_CODE: '30',
      CALLFILTER_ADMIN_TOKEN: 'cluster-token-0123456789',
      CALLFILTER_DATABASE_URL: url.toString(),
    });
    const line = logLines(proc.stdout()).find((l) => l.msg.startsWith('a node of a cluster')) as {
      level: number;
      msg: string;
      databaseUrl?: string;
    };
    expect(line.level).toBe(30); // info
    expect(line.databaseUrl).toBe(`postgres://${url.username}:***@${url.host}/${url.pathname.slice(1)}`);
    expect(proc.stdout() + proc.stderr()).not.toContain('pw-in-the-url');
    const health = await fetch(`${proc.httpUrl}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', db: 'ok' });
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  }, 60_000);

  it('refuses to start when PostgreSQL cannot be reached, and says why', async () => {
    const proc = startChild([ENTRY], {
      CALLFILTER_DATA_DIR: tempDir(),
      CALLFILTER_AGI_PORT: '0',
      CALLFILTER_HTTP_PORT: '0',
      CALLFILTER_ADMIN_TOKEN: 'cluster-token-0123456789',
      CALLFILTER_DATABASE_URL: 'postgres://callfilter:pw-in-the-url@127.0.0.1:1/callfilter',
    });
    expect((await proc.exited).code).toBe(1);
    expect(proc.stderr()).toMatch(/^callfilter: could not start: PostgreSQL is not reachable: .*ECONNREFUSED/);
    expect(proc.stderr() + proc.stdout()).not.toContain('pw-in-the-url');
  }, 30_000);
});
