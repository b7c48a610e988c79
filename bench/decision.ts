/**
 * The in-process decision time: normalise, look up, decide (evaluate()) and write the call-log row — on the same
 * database and caller mix as the load test, without a socket, and with the WAL checkpointer running as in the service
 * (server.ts). The handler queues the row and commits it before the call's last two variables, in one transaction
 * with the rows of the calls decided meanwhile (group-commit.ts); a lone call commits at once. Calls here run one
 * after another, so each is a lone call: calls.write(), one commit per call — the dearest case.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/config.js';
import { createContext } from '../src/context.js';
import { createLogger } from '../src/logger.js';
import { callRow } from '../src/screen/call-row.js';
import { evaluate, type CallInput } from '../src/screen/evaluate.js';
import { createCallerMix, type Category } from './caller-mix.js';
import { DID, FULL_SIZE } from './dataset.js';
import { serviceEnv } from './servers.js';
import { summarize, type Summary } from './stats.js';

export interface DecisionResult {
  calls: number;
  /** evaluate() + calls.write(), µs. */
  total: Summary;
  /** evaluate() alone, µs. */
  evaluate: Summary;
  /** calls.write() alone (one row per commit here: calls run one after another), µs. */
  insert: Summary;
  /** total p99 per caller category, µs. */
  p99ByCategory: Partial<Record<Category, number>>;
}

export async function measureDecision(dataDir: string, opts: { calls: number; warmup: number; seed: number }): Promise<DecisionResult> {
  const config = loadConfig({ env: serviceEnv(dataDir), file: {} });
  const ctx = createContext(config, { logger: createLogger('silent'), walCheckpointer: true });
  try {
    const next = createCallerMix(opts.seed, FULL_SIZE);
    const total: number[] = [];
    const evalOnly: number[] = [];
    const insertOnly: number[] = [];
    const byCategory = new Map<Category, number[]>();
    (globalThis as { gc?: () => void }).gc?.();
    for (let i = 0; i < opts.warmup + opts.calls; i++) {
      const call = next();
      const input: CallInput = {
        callerRaw: call.callerid,
        presentation: call.callingpres,
        didRaw: DID,
        context: 'from-trunk',
        channel: `PJSIP/trunk-${i.toString(16).padStart(8, '0')}`,
        uniqueId: `1800000000.${i}`,
      };
      const t0 = performance.now();
      const at = Date.now();
      const ev = await evaluate(ctx, input, at);
      const t1 = performance.now();
      await ctx.store.calls.write(callRow(input, ev, at, Math.round((t1 - t0) * 1000)));
      const t2 = performance.now();
      if (i < opts.warmup) continue;
      total.push((t2 - t0) * 1000);
      evalOnly.push((t1 - t0) * 1000);
      insertOnly.push((t2 - t1) * 1000);
      let list = byCategory.get(call.category);
      if (!list) byCategory.set(call.category, (list = []));
      list.push((t2 - t0) * 1000);
    }
    const p99ByCategory: Partial<Record<Category, number>> = {};
    for (const [category, values] of byCategory) p99ByCategory[category] = summarize(values).p99;
    return { calls: opts.calls, total: summarize(total), evaluate: summarize(evalOnly), insert: summarize(insertOnly), p99ByCategory };
  } finally {
    ctx.close();
  }
}
