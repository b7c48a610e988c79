/**
 * The decision with what screening reads held in memory (src/store/memory/screening-index.ts), as a node over a
 * shared PostgreSQL will decide: classify the caller, look it up in the index, decide — no store read, no log write.
 * Loads the benchmark database (1,000,000 exact entries by default) and prints the load time, the heap it took and
 * the decision's percentiles over the load test's caller mix. `npm run bench -- --store postgres` runs the same
 * measurement (measureMemoryIndex) and prints it in its summary.
 *
 *   npm run build && node --expose-gc dist/bench/memory-index.js [calls]
 */
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config/config.js';
import { allPrefixes } from '../src/numbers/index.js';
import { classifyCall, decideClassified } from '../src/policy/decide.js';
import { callFacts } from '../src/screen/screen-call.js';
import { openStore } from '../src/store/index.js';
import { loadScreeningIndex } from '../src/store/memory/screening-index.js';
import { ensureDatabase } from './build-db.js';
import { createCallerMix } from './caller-mix.js';
import { type DatasetSize, DID, FULL_SIZE } from './dataset.js';
import { serviceEnv } from './servers.js';
import { type Summary, summarize } from './stats.js';

const gc = (globalThis as { gc?: () => void }).gc;
const heapMB = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 1e6;
};

export interface MemoryIndexResult {
  /** Entries and list hits in the index. */
  entries: number;
  listHits: number;
  loadMs: number;
  /** Heap the index took (with --expose-gc; without it, a rough figure). */
  heapMB: number;
  calls: number;
  /** Classify, look up, decide, µs. */
  decision: Summary;
}

/** Loads `dbFile` (the bench database) into the in-memory index and times `calls` decisions from it. */
export function measureMemoryIndex(
  dbFile: string,
  opts: { calls: number; warmup?: number; seed?: number; size?: DatasetSize },
): MemoryIndexResult {
  const store = openStore(dbFile, { readonly: true });
  const config = loadConfig({ env: serviceEnv(tmpdir()), file: {} });
  // The configuration only: the data folder is never opened.
  const ctx = { config } as Parameters<typeof callFacts>[0];
  const heapBefore = heapMB();
  const t0 = performance.now();
  let index: ReturnType<typeof loadScreeningIndex>;
  try {
    index = loadScreeningIndex(store.db);
  } finally {
    store.db.close();
  }
  const loadMs = performance.now() - t0;
  const heap = heapMB() - heapBefore;
  const next = createCallerMix(opts.seed ?? 42, opts.size ?? FULL_SIZE);
  const times: number[] = [];
  const warmup = opts.warmup ?? 5_000;
  for (let i = 0; i < warmup + opts.calls; i++) {
    const call = next();
    const started = performance.now();
    const facts = callFacts(ctx, { callerRaw: call.callerid, presentation: call.callingpres, didRaw: DID });
    const { caller } = facts;
    const found =
      caller.kind === 'number' ? index.lookup(caller.e164, allPrefixes(caller.e164)) : { entries: [], lists: [] };
    decideClassified(classifyCall(facts, found, Date.now(), config.policy), [], config.policy);
    if (i >= warmup) times.push((performance.now() - started) * 1000);
  }
  return {
    entries: index.entryCount,
    listHits: index.hitCount,
    loadMs,
    heapMB: heap,
    calls: opts.calls,
    decision: summarize(times),
  };
}

export function formatMemoryIndex(r: MemoryIndexResult): string {
  const s = r.decision;
  return `decision from memory (classify, look up, decide; ${r.calls.toLocaleString('en')} calls, ${r.entries.toLocaleString('en')} entries + ${r.listHits.toLocaleString('en')} list hits held): p50 ${s.p50.toFixed(1)} µs, p95 ${s.p95.toFixed(1)} µs, p99 ${s.p99.toFixed(1)} µs, max ${s.max.toFixed(0)} µs`;
}

async function main(calls: number): Promise<void> {
  const resultsDir = fileURLToPath(new URL('../../bench/results', import.meta.url));
  const db = await ensureDatabase(resultsDir, FULL_SIZE, (l) => console.log(l));
  const r = measureMemoryIndex(db.cached, { calls });
  console.log(
    `index: ${r.entries.toLocaleString('en')} entries, ${r.listHits.toLocaleString('en')} list hits, loaded in ${(r.loadMs / 1000).toFixed(1)} s, ${r.heapMB.toFixed(0)} MB of heap`,
  );
  console.log(formatMemoryIndex(r));
}

// Run as a script, not when bench/run.ts imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  await main(Number(process.argv[2] ?? 100_000));
