/**
 * The in-process decision time: screenCall() — classify, look up, decide, and commit the call-log row — on the same
 * database and caller mix as the load test, without a socket, and with the WAL checkpointer running as in the service
 * (server.ts). Under load the rows of calls decided in the same turn of the event loop share a commit
 * (group-commit.ts); calls here run one after another, so each commits alone — the dearest case.
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/config.js';
import { createContext } from '../src/context.js';
import { createLogger } from '../src/logger.js';
import { type CallInput, screenCall } from '../src/screen/screen-call.js';
import { type Category, createCallerMix } from './caller-mix.js';
import { DID, FULL_SIZE } from './dataset.js';
import { serviceEnv } from './servers.js';
import { type Summary, summarize } from './stats.js';

export interface DecisionResult {
  calls: number;
  /** screenCall() as a whole, µs. */
  total: Summary;
  /** Up to the decision (screenCall's own latencyUs: classify, look up, decide), µs. */
  evaluate: Summary;
  /** The rest: wording the decision for the log and committing its row (one row per commit here), µs. */
  insert: Summary;
  /** total p99 per caller category, µs. */
  p99ByCategory: Partial<Record<Category, number>>;
}

export async function measureDecision(
  dataDir: string,
  opts: { calls: number; warmup: number; seed: number },
): Promise<DecisionResult> {
  const config = loadConfig({ env: serviceEnv(dataDir), file: {} });
  const ctx = await createContext(config, { logger: createLogger('silent'), walCheckpointer: true });
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
      const screened = await screenCall(ctx, input);
      const totalUs = (performance.now() - t0) * 1000;
      if (i < opts.warmup) continue;
      total.push(totalUs);
      // screenCall measures its own decision time (latencyUs: up to the decision, before the row is written).
      evalOnly.push(screened.latencyUs);
      insertOnly.push(Math.max(0, totalUs - screened.latencyUs));
      let list = byCategory.get(call.category);
      if (!list) byCategory.set(call.category, (list = []));
      list.push(totalUs);
    }
    const p99ByCategory: Partial<Record<Category, number>> = {};
    for (const [category, values] of byCategory) p99ByCategory[category] = summarize(values).p99;
    return {
      calls: opts.calls,
      total: summarize(total),
      evaluate: summarize(evalOnly),
      insert: summarize(insertOnly),
      p99ByCategory,
    };
  } finally {
    ctx.close();
  }
}
