/**
 * `npm run bench -- --store postgres` (issue 22): our service as a cluster node on PostgreSQL, beside the SQLite one
 * in the same rows, slices interleaved, as `--against` runs a second build. A throw-away PostgreSQL server
 * (test/helpers/postgres-cluster.ts: its own folder, loopback, durability off like the harness's tests) gets the
 * bench database copied in as `callfilter migrate-store` does (src/store/pg/copy.ts); the node then runs as in
 * production — CALLFILTER_DATABASE_URL, one CALLFILTER_ADMIN_TOKEN, a data folder of its own for its spool — and
 * screens from its in-memory replica. Its rows add PostgreSQL's own CPU per call (every server process, from /proc),
 * and the summary compares the node with the SQLite service load by load.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openStore } from '../src/store/index.js';
import { copyToPostgres } from '../src/store/pg/copy.js';
import { type PgCluster, startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import type { MemoryIndexResult } from './memory-index.js';
import { processTreeCpuMs, removeOnExit } from './processes.js';
import type { LoadRow, TargetCheck } from './report.js';
import { type Summary, summarize } from './stats.js';

/** Any token of 20 characters or more: a node on PostgreSQL refuses to start without one. */
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
/** The node loads its replica (all 1,016,000 entries) before it listens: far longer than a SQLite start. */
export const NODE_START_TIMEOUT_MS = 180_000;
/** "Within 20 % of SQLite" (issue 22): the node's CPU per call and p99 at these loads. */
export const WITHIN = 1.2;
export const COMPARED_LOADS = ['c=1', 'c=50'];
export const MEMORY_DECISION_P99_LIMIT_US = 50;

export interface PostgresBench {
  url: string;
  /** The node's data folder (its spool; no SQLite file). */
  dataDir: string;
  /** What the copy took and moved. */
  copy: { ms: number; rows: number; tables: number };
  /** The highest call id after the copy: the node's rows come after it. */
  callsBefore: number;
  /** CALLFILTER_* settings that make the service a node of this database. */
  env: Record<string, string>;
  /** CPU used so far by every PostgreSQL server process (postmaster, backends, background workers), ms. */
  cpuMs(): number | undefined;
  /** What the node logged as its decision time (latency_us) for its calls after the copy. */
  loggedLatency(): Promise<Summary | undefined>;
  /** Stops the server and removes its folder; safe to call twice. */
  close(): Promise<void>;
}

/** The postmaster's pid: the first line of postmaster.pid in its data folder. */
function postmasterPid(cluster: PgCluster): number {
  const pid = Number(readFileSync(join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`PostgreSQL: no pid in ${cluster.dir}/data/postmaster.pid`);
  return pid;
}

/** Starts the server and copies `dbFile` (the cached bench database, opened read-only) into its database. */
export async function preparePostgres(dbFile: string, log: (line: string) => void): Promise<PostgresBench> {
  const cluster = await startPostgresCluster();
  try {
    const url = cluster.url();
    const started = performance.now();
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const store = openStore(dbFile, { readonly: true });
    let copied: Awaited<ReturnType<typeof copyToPostgres>>;
    let callsBefore: number;
    try {
      copied = await copyToPostgres(store.db, pool);
      // The database as a node meets it long after `migrate-store`, not in the copy's wake: the harness runs without
      // autovacuum, so without VACUUM the planner would guess (no statistics) and the first reads would set every
      // copied row's hint bits; and without CHECKPOINT the server would write the copy's dirty pages out during the
      // load rows (its first timed checkpoint, five minutes in), taking CPU from the two cores the services share.
      await pool.query('VACUUM ANALYZE');
      await pool.query('CHECKPOINT');
      const r = await pool.query<{ id: string | null }>('SELECT max(id) AS id FROM calls');
      callsBefore = Number(r.rows[0]?.id ?? 0);
    } finally {
      store.db.close();
      await pool.end();
    }
    const ms = performance.now() - started;
    const rows = copied.tables.reduce((n, t) => n + t.rows, 0);
    log(
      `PostgreSQL: server up in ${(cluster.startMs / 1000).toFixed(1)} s, bench database copied (migrate-store) in ${(ms / 1000).toFixed(1)} s: ${rows.toLocaleString('en')} rows in ${copied.tables.length} tables`,
    );
    const pid = postmasterPid(cluster);
    const dataDir = removeOnExit(mkdtempSync(join(tmpdir(), 'callfilter-bench-pg-node-')));
    return {
      url,
      dataDir,
      copy: { ms, rows, tables: copied.tables.length },
      callsBefore,
      env: { CALLFILTER_DATABASE_URL: url, CALLFILTER_ADMIN_TOKEN: ADMIN_TOKEN },
      cpuMs: () => processTreeCpuMs(pid),
      async loggedLatency() {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const r = await client.query<{ latency_us: number }>(
            'SELECT latency_us FROM calls WHERE id > $1 AND explanation IS NOT NULL AND latency_us IS NOT NULL',
            [callsBefore],
          );
          return r.rows.length ? summarize(r.rows.map((x) => x.latency_us)) : undefined;
        } finally {
          await client.end();
        }
      },
      close: () => cluster.close(),
    };
  } catch (err) {
    await cluster.close();
    throw err;
  }
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
const pct = (r: number | undefined) => (r === undefined ? 'n/a' : `${(r * 100).toFixed(0)} %`);
const us = (n: number | undefined) => (n === undefined ? '?' : n.toFixed(0));

/** Per load: the node against the SQLite service — its CPU per call, PostgreSQL's beside it, and p99. */
export function formatPostgres(rows: LoadRow[], sqlite: string, node: string): string | undefined {
  const pairs = rows
    .filter((r) => r.server === node)
    .map((n) => [n, rows.find((r) => r.server === sqlite && r.load === n.load)] as const);
  if (pairs.length === 0) return undefined;
  const lines = [`${node} vs ${sqlite} (same rows, slices interleaved):`];
  for (const [n, s] of pairs) {
    if (!s) continue;
    lines.push(
      `  ${n.load.padEnd(7)} callfilter CPU/call ${pct(ratio(n.serverCpuUsPerCall, s.serverCpuUsPerCall)).padStart(5)} of SQLite's` +
        ` (${us(n.serverCpuUsPerCall)} vs ${us(s.serverCpuUsPerCall)} µs), PostgreSQL's own ${us(n.postgresCpuUsPerCall)} µs/call;` +
        ` p99 ${pct(ratio(n.result.latency.p99, s.result.latency.p99)).padStart(5)} (${n.result.latency.p99.toFixed(2)} vs ${s.result.latency.p99.toFixed(2)} ms);` +
        ` calls/s ${n.result.callsPerSec.toFixed(0)} vs ${s.result.callsPerSec.toFixed(0)}; errors ${n.result.errors} vs ${s.result.errors}`,
    );
    const rounds = byRound(n, s);
    if (rounds) lines.push(`  ${''.padEnd(7)} by round (the node's slice right after SQLite's): ${rounds}`);
  }
  return lines.join('\n');
}

/**
 * The node's slice against SQLite's of the same round, CPU per call and p99: the two run one after the other, so a
 * slow spell of the machine shows as one round out of line rather than as a difference between the engines.
 */
function byRound(n: LoadRow, s: LoadRow): string | undefined {
  const count = Math.min(n.slices?.length ?? 0, s.slices?.length ?? 0);
  if (count < 2) return undefined;
  const cpu: string[] = [];
  const p99: string[] = [];
  for (let i = 0; i < count; i++) {
    const [a, b] = [n.slices?.[i], s.slices?.[i]];
    cpu.push(pct(ratio(a?.serverCpuUsPerCall, b?.serverCpuUsPerCall)));
    p99.push(pct(ratio(a?.p99, b?.p99)));
  }
  return `CPU/call ${cpu.join(', ')}; p99 ${p99.join(', ')}`;
}

/** Issue 22's targets: within 20 % of SQLite at c=1 and c=50 (the node's own CPU and p99), and the memory decision. */
export function postgresTargets(
  rows: LoadRow[],
  sqlite: string,
  node: string,
  memory: MemoryIndexResult | undefined,
): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const load of COMPARED_LOADS) {
    const n = rows.find((r) => r.server === node && r.load === load);
    const s = rows.find((r) => r.server === sqlite && r.load === load);
    const target = `on PostgreSQL at ${load}: callfilter CPU/call and p99 ≤ ${Math.round(WITHIN * 100)} % of SQLite's`;
    if (!n || !s) {
      out.push({ target, pass: null, detail: 'not measured' });
      continue;
    }
    const cpu = ratio(n.serverCpuUsPerCall, s.serverCpuUsPerCall);
    const p99 = ratio(n.result.latency.p99, s.result.latency.p99);
    out.push({
      target,
      pass: cpu !== undefined && p99 !== undefined && cpu <= WITHIN && p99 <= WITHIN && n.result.errors === 0,
      detail: `CPU ${us(n.serverCpuUsPerCall)} vs ${us(s.serverCpuUsPerCall)} µs/call (${pct(cpu)}), p99 ${n.result.latency.p99.toFixed(2)} vs ${s.result.latency.p99.toFixed(2)} ms (${pct(p99)}); PostgreSQL's own CPU ${us(n.postgresCpuUsPerCall)} µs/call${n.result.errors ? `; ${n.result.errors} errors` : ''}`,
    });
  }
  const limit = `decision from memory p99 ≤ ${MEMORY_DECISION_P99_LIMIT_US} µs`;
  out.push(
    memory
      ? {
          target: limit,
          pass: memory.decision.p99 <= MEMORY_DECISION_P99_LIMIT_US,
          detail: `p50 ${memory.decision.p50.toFixed(1)} µs, p95 ${memory.decision.p95.toFixed(1)} µs, p99 ${memory.decision.p99.toFixed(1)} µs at ${memory.entries.toLocaleString('en')} entries`,
        }
      : { target: limit, pass: null, detail: 'not measured' },
  );
  return out;
}
