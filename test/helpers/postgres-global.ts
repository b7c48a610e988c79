/**
 * vitest globalSetup of the `postgres` project (vitest.config.ts): one real PostgreSQL for the run, whose URL the
 * tests get with `inject('postgresUrl')`; each service a test starts gets a database of its own in it
 * (./service-store.ts). Stopped and removed when the run ends.
 */
import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from './postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startPostgresCluster({ settings: { max_connections: '300' } });
  project.provide('postgresUrl', cluster.url());
  return () => cluster.close();
}
