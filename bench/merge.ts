/**
 * One row from several slices. A row runs as `rounds` slices that take turns with the other servers' slices of the
 * same load (server A, B, C, A, B, C, …), so a slow spell of this shared machine — minutes long at times, invisible
 * in /proc/stat — lands on every server instead of on whichever row it happened to meet. The slices' calls are
 * pooled: percentiles over every call's latency, calls/s over the summed time.
 */
import { type LoadResult, MAX_ERROR_SAMPLES } from './load-protocol.js';
import { summarize } from './stats.js';

export function mergeResults(parts: readonly LoadResult[]): LoadResult {
  if (parts.length === 0) throw new Error('mergeResults: no slices');
  if (parts.length === 1) return withoutSamples(parts[0] as LoadResult);
  const sum = (f: (r: LoadResult) => number) => parts.reduce((s, r) => s + f(r), 0);
  const calls = sum((r) => r.calls);
  const elapsedMs = sum((r) => r.elapsedMs);
  const reasons: Record<string, number> = {};
  for (const r of parts)
    for (const [reason, n] of Object.entries(r.reasons)) reasons[reason] = (reasons[reason] ?? 0) + n;
  const merged: LoadResult = {
    calls,
    errors: sum((r) => r.errors),
    errorSamples: parts.flatMap((r) => r.errorSamples).slice(0, MAX_ERROR_SAMPLES),
    dropped: sum((r) => r.dropped),
    elapsedMs,
    callsPerSec: elapsedMs > 0 ? calls / (elapsedMs / 1000) : 0,
    latency: summarize(parts.flatMap((r) => r.samples?.latencyMs ?? [])),
    reasons,
    commandsPerCall: calls ? sum((r) => r.commandsPerCall * r.calls) / calls : 0,
    clientCpuMs: sum((r) => r.clientCpuMs),
  };
  if (parts.some((r) => r.lag)) merged.lag = summarize(parts.flatMap((r) => r.samples?.lagMs ?? []));
  const rss = parts.flatMap((r) => (r.scriptRssKiB ? [r.scriptRssKiB] : []));
  if (rss.length > 0) {
    merged.scriptRssKiB = {
      first: (rss[0] as { first: number }).first,
      last: (rss.at(-1) as { last: number }).last,
      max: Math.max(...rss.map((s) => s.max)),
      samples: rss.reduce((s, r) => s + r.samples, 0),
    };
  }
  return merged;
}

/** The result as stored in the run's JSON: summaries only. */
function withoutSamples(result: LoadResult): LoadResult {
  const { samples: _samples, ...rest } = result;
  return rest;
}
