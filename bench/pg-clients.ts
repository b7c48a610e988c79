/**
 * Which PostgreSQL client for issue 22, and whether a query builder that speaks both dialects (Kysely) should sit on
 * top: latency and this process's CPU per operation, against a real server from the test harness
 * (test/helpers/postgres-cluster.ts), and Kysely's cost on the SQLite side too.
 *
 * The candidates are not dependencies of the project; install them for a run, without touching package.json:
 *
 *   npm install --no-save pg @types/pg postgres@3 kysely@0.28 && npm run build && node dist/bench/pg-clients.js
 *
 * Options: --rounds N (interleaved rounds, default 3), --n N (operations per round and kind, default 1000).
 * Every client gets one connection and runs one operation at a time (c=1), the rounds interleave the clients so
 * the noise of a shared machine falls on all of them alike. The server runs with fsync off (the harness): commit
 * costs on a real disk are the same for every client and are left out on purpose.
 */
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import {
  type CallRow,
  callRow,
  type Impl,
  kyselyPg,
  kyselySqlite,
  PG_SETUP_SQL,
  pgPlain,
  pgPrepared,
  postgresJs,
  setupSqlite,
  sqliteDirect,
} from './pg-clients-impl.js';
import { summarize } from './stats.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, n: { type: 'string', default: '1000' } },
});
const ROUNDS = Number(values.rounds);
const N = Number(values.n);
/** Batches of 1,000 rows are ~1,000 times the work of one operation: fewer of them. */
const BATCHES = Math.max(5, Math.round(N / 100));
const BATCH_ROWS = 1000;
const WARMUP = 200;

type Op = 'byId' | 'byNumber' | 'insert' | 'batch1000';
const OPS: Op[] = ['byId', 'byNumber', 'insert', 'batch1000'];

interface Samples {
  times: number[];
  cpuUs: number;
  ops: number;
}

async function runOp(impl: Impl, op: Op, count: number, seq: { n: number }, into: Samples | undefined): Promise<void> {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const k = seq.n++;
    const t0 = performance.now();
    switch (op) {
      case 'byId':
        await impl.byId(1 + ((k * 7919) % 100_000));
        break;
      case 'byNumber': {
        const number = `+49301${String((k * 7919) % 100_000).padStart(6, '0')}`;
        await impl.byNumber([number.slice(0, 6), number.slice(0, 9), number], number);
        break;
      }
      case 'insert':
        await impl.insert(callRow(k, impl.name));
        break;
      case 'batch1000': {
        const rows: CallRow[] = [];
        for (let j = 0; j < BATCH_ROWS; j++) rows.push(callRow(k * BATCH_ROWS + j, `${impl.name}-b`));
        await impl.insertBatch(rows);
        break;
      }
    }
    into?.times.push((performance.now() - t0) * 1000);
  }
  if (into) {
    const cpu = process.cpuUsage(cpu0);
    into.cpuUs += cpu.user + cpu.system;
    into.ops += count;
  }
}

async function measure(impls: Impl[]): Promise<Map<string, Map<Op, Samples>>> {
  const results = new Map<string, Map<Op, Samples>>();
  const seqs = new Map<string, { n: number }>();
  for (const impl of impls) {
    results.set(impl.name, new Map(OPS.map((op) => [op, { times: [], cpuUs: 0, ops: 0 }])));
    seqs.set(impl.name, { n: 0 });
    for (const op of OPS) await runOp(impl, op, op === 'batch1000' ? 2 : WARMUP, seqs.get(impl.name)!, undefined);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const op of OPS) {
      for (const impl of impls) {
        await runOp(impl, op, op === 'batch1000' ? BATCHES : N, seqs.get(impl.name)!, results.get(impl.name)!.get(op));
      }
    }
  }
  return results;
}

function print(title: string, results: Map<string, Map<Op, Samples>>): void {
  console.log(
    `\n${title}   (µs: latency p50 / p99, this process's CPU per operation; batch1000 = one INSERT of 1,000 rows)`,
  );
  console.log(`${'client'.padEnd(28)}${OPS.map((op) => op.padStart(COLUMN)).join('')}`);
  for (const [name, ops] of results) {
    const cells = OPS.map((op) => {
      const s = ops.get(op)!;
      if (s.ops === 0) return '-'.padStart(COLUMN);
      const t = summarize(s.times);
      return `${fmt(t.p50)} / ${fmt(t.p99)} / ${fmt(s.cpuUs / s.ops)}`.padStart(COLUMN);
    });
    console.log(`${name.padEnd(28)}${cells.join('')}`);
  }
}

const COLUMN = 30;

function fmt(us: number): string {
  return us >= 10_000 ? `${(us / 1000).toFixed(1)}ms` : us.toFixed(0);
}

const cluster = await startPostgresCluster({ settings: { max_connections: '20' } });
try {
  console.log(
    `PostgreSQL harness up in ${cluster.startMs.toFixed(0)} ms (${JSON.stringify(cluster.startParts)}); rounds ${ROUNDS}, n ${N}`,
  );
  await cluster.psql(PG_SETUP_SQL);
  const url = cluster.url();
  const pgImpls = [await pgPlain(url), await pgPrepared(url), await postgresJs(url), await kyselyPg(url)];
  try {
    print('PostgreSQL', await measure(pgImpls));
  } finally {
    for (const impl of pgImpls) await impl.close();
  }

  const sqlite = new BetterSqlite3(':memory:');
  setupSqlite(sqlite);
  const liteImpls = [sqliteDirect(sqlite), await kyselySqlite(sqlite)];
  print('SQLite (in memory, the same tables)', await measure(liteImpls));
  sqlite.close();
} finally {
  await cluster.close();
}
