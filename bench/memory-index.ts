/**
 * The decision with what screening reads held in memory (src/store/memory/screening-index.ts), as a node over a
 * shared PostgreSQL will decide: classify the caller, look it up in the index, decide — no store read, no log write.
 * Loads the benchmark database (1,000,000 exact entries by default) and prints the load time, the heap it took and
 * the decision's percentiles over the load test's caller mix.
 *
 *   npm run build && node --expose-gc dist/bench/memory-index.js [calls]
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/config.js';
import { allPrefixes } from '../src/numbers/index.js';
import { classifyCall, decideClassified } from '../src/policy/decide.js';
import { callFacts } from '../src/screen/screen-call.js';
import { openStore } from '../src/store/index.js';
import { loadScreeningIndex } from '../src/store/memory/screening-index.js';
import { ensureDatabase } from './build-db.js';
import { createCallerMix } from './caller-mix.js';
import { DID, FULL_SIZE } from './dataset.js';
import { serviceEnv } from './servers.js';
import { summarize } from './stats.js';

const gc = (globalThis as { gc?: () => void }).gc;
const heapMB = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 1e6;
};

async function main(calls: number): Promise<void> {
  const resultsDir = fileURLToPath(new URL('../../bench/results', import.meta.url));
  const db = await ensureDatabase(resultsDir, FULL_SIZE, (l) => console.log(l));
  const store = openStore(db.cached, { readonly: true });
  const config = loadConfig({ env: serviceEnv(resultsDir), file: {} });
  const ctx = { config } as Parameters<typeof callFacts>[0];
  const heapBefore = heapMB();
  const t0 = performance.now();
  const index = loadScreeningIndex(store.db);
  const loadMs = performance.now() - t0;
  const heap = heapMB() - heapBefore;
  store.db.close();
  console.log(
    `index: ${index.entryCount.toLocaleString('en')} entries, ${index.hitCount.toLocaleString('en')} list hits, loaded in ${(loadMs / 1000).toFixed(1)} s, ${heap.toFixed(0)} MB of heap`,
  );
  const next = createCallerMix(42, FULL_SIZE);
  const times: number[] = [];
  const warmup = 5_000;
  for (let i = 0; i < warmup + calls; i++) {
    const call = next();
    const started = performance.now();
    const facts = callFacts(ctx, { callerRaw: call.callerid, presentation: call.callingpres, didRaw: DID });
    const { caller } = facts;
    const found =
      caller.kind === 'number' ? index.lookup(caller.e164, allPrefixes(caller.e164)) : { entries: [], lists: [] };
    decideClassified(classifyCall(facts, found, Date.now(), config.policy), [], config.policy);
    if (i >= warmup) times.push((performance.now() - started) * 1000);
  }
  const s = summarize(times);
  console.log(
    `decision from memory (classify, look up, decide; ${calls.toLocaleString('en')} calls): p50 ${s.p50.toFixed(1)} µs, p95 ${s.p95.toFixed(1)} µs, p99 ${s.p99.toFixed(1)} µs, max ${s.max.toFixed(0)} µs`,
  );
}

await main(Number(process.argv[2] ?? 100_000));
