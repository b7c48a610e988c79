import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../../bench/load-protocol.js';
import { mergeResults } from '../../bench/merge.js';
import { summarize } from '../../bench/stats.js';

function slice(latencyMs: number[], elapsedMs: number, extra: Partial<LoadResult> = {}): LoadResult {
  return {
    calls: latencyMs.length,
    errors: 0,
    errorSamples: [],
    dropped: 0,
    elapsedMs,
    callsPerSec: latencyMs.length / (elapsedMs / 1000),
    latency: summarize(latencyMs),
    reasons: { unknown: latencyMs.length },
    commandsPerCall: 4,
    clientCpuMs: 10,
    samples: { latencyMs },
    ...extra,
  };
}

describe('mergeResults (a row from its slices)', () => {
  it('pools the calls: percentiles over every latency, calls/s over the summed time', () => {
    const fast = Array.from({ length: 99 }, () => 1);
    const slow = [50];
    const merged = mergeResults([
      slice(fast, 1000),
      slice(slow, 1000, { errors: 2, errorSamples: ['a', 'b'], reasons: { blocklist: 1 }, commandsPerCall: 6 }),
    ]);
    expect(merged.calls).toBe(100);
    expect(merged.errors).toBe(2);
    expect(merged.errorSamples).toEqual(['a', 'b']);
    expect(merged.callsPerSec).toBe(50);
    expect(merged.latency.n).toBe(100);
    expect(merged.latency.p50).toBe(1);
    expect(merged.latency.max).toBe(50);
    expect(merged.reasons).toEqual({ unknown: 99, blocklist: 1 });
    expect(merged.commandsPerCall).toBeCloseTo((99 * 4 + 6) / 100);
    expect(merged.clientCpuMs).toBe(20);
    expect(merged.samples).toBeUndefined();
  });

  it("pools the open loop's start lag and keeps the first and last script RSS sample", () => {
    const a = slice([1, 2], 1000, {
      lag: summarize([0.1]),
      samples: { latencyMs: [1, 2], lagMs: [0.1] },
      scriptRssKiB: { first: 10, last: 11, max: 12, samples: 2 },
    });
    const b = slice([3], 1000, {
      lag: summarize([9]),
      samples: { latencyMs: [3], lagMs: [9] },
      scriptRssKiB: { first: 13, last: 14, max: 15, samples: 1 },
    });
    const merged = mergeResults([a, b]);
    expect(merged.lag?.n).toBe(2);
    expect(merged.lag?.max).toBe(9);
    expect(merged.scriptRssKiB).toEqual({ first: 10, last: 14, max: 15, samples: 3 });
  });

  it('returns a single slice as it is, without its raw samples', () => {
    const one = slice([1, 2, 3], 1000);
    const { samples: _samples, ...summaries } = one;
    expect(mergeResults([one])).toEqual(summaries);
  });
});
