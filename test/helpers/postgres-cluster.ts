/**
 * A real, throw-away PostgreSQL server (Debian's `postgresql` package) for tests and benchmarks: its own cluster in
 * a temp folder, listening on 127.0.0.1 at a free port, trust auth, durability switched off for speed.
 *
 * No vitest in here, so the benchmark scripts can use it too; test files use `usePostgres()` / `startPostgres()`
 * from ./postgres.ts, which register the teardown.
 *
 * PostgreSQL refuses to run as root. Under root (CI, the dev containers) the server runs as Debian's own `postgres`
 * system account: the package creates it, so the helper changes nothing on the machine, and it is the unprivileged
 * account Debian itself runs PostgreSQL as. `nobody` is only the fallback where that account is missing (a server
 * not installed from Debian's package): it exists everywhere but is meant to own no files.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Postmaster, startPostmaster } from './postgres-process.js';

export interface PgCluster {
  readonly host: string;
  readonly port: number;
  /** The superuser (trust auth on loopback: no password). */
  readonly user: string;
  /** The temp folder: data directory, unix socket, nothing else. */
  readonly dir: string;
  /** Milliseconds from the call to a server that accepts connections, and its parts (`template` is initdb, or 0). */
  readonly startMs: number;
  readonly startParts: { templateMs: number; copyMs: number; serverMs: number };
  /** `postgres://user@127.0.0.1:port/<database>`; the default is the cluster's own empty database `test`. */
  url(database?: string): string;
  /** A new, empty database; returns its name. */
  createDatabase(prefix?: string): Promise<string>;
  /** Runs SQL through psql as the superuser, in `test` unless told (setup, faults: pg_terminate_backend…); returns stdout. */
  psql(sql: string, database?: string): Promise<string>;
  /** Fast shutdown (clients are disconnected); the data stays, `start()` brings the same server back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes the folder; safe to call twice. */
  close(): Promise<void>;
}

export interface PgClusterOptions {
  /** Extra server settings (`-c name=value`), e.g. `{ max_connections: '200' }`. */
  settings?: Record<string, string>;
}

const SUPERUSER = 'postgres';
/** Made in the template, so every cluster starts with a fresh database at no cost (CREATE DATABASE takes ~0.5 s). */
const TEST_DATABASE = 'test';
/** Part of the template's folder name: bump it when the recipe below changes, so a stale template is not reused. */
const TEMPLATE_RECIPE = 1;
/** Settings that trade durability for speed: a test cluster is thrown away, so a crash may lose anything. */
const FAST_SETTINGS: Record<string, string> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  // Tiny queries: the JIT only adds compile time.
  jit: 'off',
  // Nothing should change under a benchmark or a timing-sensitive test.
  autovacuum: 'off',
};
/** A port picked free can be taken by someone else before the server binds it: try a few. */
const BIND_ATTEMPTS = 3;

/** Newest installed server's bin folder (Debian puts them under /usr/lib/postgresql/<major>/bin, not on PATH). */
export function findPostgresBin(): { bin: string; major: string } {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  const major = majors[0];
  if (major === undefined) {
    throw new Error(
      'PostgreSQL server not found under /usr/lib/postgresql: apt-get install -y postgresql (see .ci/run)',
    );
  }
  return { bin: join(root, major, 'bin'), major };
}

/** uid/gid to run the server as: ourselves unless root (see the file comment). */
function serverAccount(): { uid: number; gid: number; name: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const res = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    if (res.status !== 0) continue;
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    return { uid: Number(res.stdout.trim()), gid: Number(gid.stdout.trim()), name };
  }
  throw new Error('running as root and neither a postgres nor a nobody account exists to run PostgreSQL as');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function run(
  command: string,
  args: string[],
  options: { uid?: number; gid?: number; cwd: string; input?: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command, args, {
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      env: { PATH: process.env.PATH, LC_ALL: 'C' },
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${err.trim()}`)),
    );
    child.stdin?.end(options.input ?? '');
  });
}

/**
 * initdb costs seconds; copying its result costs a fraction of that. The template is made once per machine, server
 * version and account, in the temp folder, and put in place by an atomic rename so parallel test files never see a
 * half-written one.
 */
async function templateDir(bin: string, major: string, account: ReturnType<typeof serverAccount>): Promise<string> {
  const uid = account?.uid ?? process.getuid?.() ?? 0;
  const template = join(tmpdir(), `callfilter-pg-template-${major}-${uid}-r${TEMPLATE_RECIPE}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const work = mkdtempSync(join(tmpdir(), 'callfilter-pg-initdb-'));
  try {
    if (account) chownSync(work, account.uid, account.gid);
    const data = join(work, 'data');
    // --wal-segsize=1: 1 MB WAL segments instead of 16 MB, so the copy per cluster is smaller.
    await run(
      join(bin, 'initdb'),
      [
        '-D',
        data,
        '-U',
        SUPERUSER,
        '--auth=trust',
        '--no-sync',
        '--no-instructions',
        '--locale=C',
        '--encoding=UTF8',
        '--wal-segsize=1',
      ],
      {
        cwd: work,
        uid: account?.uid,
        gid: account?.gid,
      },
    );
    // Single-user mode: no server to start and stop for one statement.
    await run(join(bin, 'postgres'), ['--single', '-D', data, '-c', 'fsync=off', 'postgres'], {
      cwd: work,
      uid: account?.uid,
      gid: account?.gid,
      input: `CREATE DATABASE ${TEST_DATABASE}\n`,
    });
    try {
      renameSync(data, template);
    } catch (err) {
      // Another test file made it first: use theirs.
      if (!existsSync(join(template, 'PG_VERSION'))) throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return template;
}

export async function startPostgresCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const started = performance.now();
  const { bin, major } = findPostgresBin();
  const account = serverAccount();
  const template = await templateDir(bin, major, account);
  const templateMs = performance.now() - started;
  let copyMs = 0;
  const dir = mkdtempSync(join(tmpdir(), 'callfilter-pg-'));
  const data = join(dir, 'data');
  let postmaster: Postmaster | undefined;
  let port = 0;
  try {
    if (account) chownSync(dir, account.uid, account.gid);
    // cp -a keeps the owner (we are root when there is an account) and the 0700 mode PostgreSQL insists on.
    await run('cp', ['-a', template, data], { cwd: dir });
    copyMs = performance.now() - started - templateMs;
    const settings = {
      ...FAST_SETTINGS,
      ...options.settings,
      listen_addresses: '127.0.0.1',
      unix_socket_directories: dir,
    };
    const launch = async (): Promise<Postmaster> => {
      for (let attempt = 1; ; attempt++) {
        if (port === 0 || attempt > 1) port = await freePort();
        try {
          return await startPostmaster({
            postgres: join(bin, 'postgres'),
            data,
            dir,
            port,
            settings,
            uid: account?.uid,
            gid: account?.gid,
          });
        } catch (err) {
          if (attempt >= BIND_ATTEMPTS || !/could not bind|Address already in use/i.test(String(err))) throw err;
        }
      }
    };
    postmaster = await launch();
    const startMs = performance.now() - started;
    let closed = false;
    const psqlRun = (sql: string, database = TEST_DATABASE): Promise<string> =>
      run(
        join(bin, 'psql'),
        [
          '-X',
          '-q',
          '-A',
          '-t',
          '-v',
          'ON_ERROR_STOP=1',
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          '-U',
          SUPERUSER,
          '-d',
          database,
        ],
        { cwd: dir, input: sql },
      );
    const cluster: PgCluster = {
      host: '127.0.0.1',
      get port() {
        return port;
      },
      user: SUPERUSER,
      dir,
      startMs,
      startParts: { templateMs, copyMs, serverMs: startMs - templateMs - copyMs },
      url: (database = TEST_DATABASE) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`,
      async createDatabase(prefix = 'test') {
        const name = `${prefix}_${randomBytes(4).toString('hex')}`;
        await psqlRun(`CREATE DATABASE "${name}"`);
        return name;
      },
      psql: psqlRun,
      async stop() {
        await postmaster?.stop();
        postmaster = undefined;
      },
      async start() {
        if (closed) throw new Error('cluster closed');
        if (postmaster) return;
        // Same port: clients configured with the URL find the server again.
        postmaster = await startPostmaster({
          postgres: join(bin, 'postgres'),
          data,
          dir,
          port,
          settings,
          uid: account?.uid,
          gid: account?.gid,
        });
      },
      async close() {
        if (closed) return;
        closed = true;
        try {
          // Immediate shutdown: the data is thrown away, so the shutdown checkpoint is wasted time.
          await postmaster?.stop('immediate');
        } finally {
          postmaster = undefined;
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
    return cluster;
  } catch (err) {
    await postmaster?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
