/**
 * A real PostgreSQL for tests (see ./postgres-cluster.ts), stopped and removed by the test's own teardown, also when
 * the test fails.
 *
 *   const pg = usePostgres();            // one cluster for the file, a fresh database in it
 *   it('…', async () => { connect(pg.url) … });
 *
 *   const cluster = await startPostgres(); // inside one test: a cluster of its own, e.g. to stop and start it
 */
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { type PgCluster, type PgClusterOptions, startPostgresCluster } from './postgres-cluster.js';

export type { PgCluster } from './postgres-cluster.js';

/** initdb for the template on a busy machine is the slow part (seconds); the copy and the start are quick. */
const START_TIMEOUT_MS = 120_000;

export interface PostgresForFile {
  /** URL of this file's fresh database. */
  readonly url: string;
  readonly database: string;
  readonly cluster: PgCluster;
}

/** Call at the top of a test file (or describe): a cluster for the file, with one fresh database. */
export function usePostgres(options: PgClusterOptions = {}): PostgresForFile {
  let cluster: PgCluster | undefined;
  let database: string | undefined;
  beforeAll(async () => {
    cluster = await startPostgresCluster(options);
    // Every cluster is new, and so is its database `test`.
    database = new URL(cluster.url()).pathname.slice(1);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await cluster?.close();
  });
  const ready = (): { cluster: PgCluster; database: string } => {
    if (!cluster || database === undefined)
      throw new Error('usePostgres(): the cluster is not started (use it inside tests)');
    return { cluster, database };
  };
  return {
    get url() {
      const { cluster: c, database: d } = ready();
      return c.url(d);
    },
    get database() {
      return ready().database;
    },
    get cluster() {
      return ready().cluster;
    },
  };
}

/** A cluster of the calling test's own, closed when that test ends. */
export async function startPostgres(options: PgClusterOptions = {}): Promise<PgCluster> {
  const cluster = await startPostgresCluster(options);
  onTestFinished(() => cluster.close());
  return cluster;
}
