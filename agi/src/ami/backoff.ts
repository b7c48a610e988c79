import { RECONNECT_FACTOR, RECONNECT_INITIAL_MS, RECONNECT_JITTER, RECONNECT_MAX_MS } from './limits.js';

export interface BackoffOptions {
  /** First delay. */
  initialMs: number;
  /** Delays grow up to this and stay there. */
  maxMs: number;
  /** Each attempt multiplies the delay by this. */
  factor: number;
  /** Each delay is spread by ±this fraction (0 for none). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: RECONNECT_INITIAL_MS,
  maxMs: RECONNECT_MAX_MS,
  factor: RECONNECT_FACTOR,
  jitter: RECONNECT_JITTER,
};

/**
 * The delay before reconnect attempt `attempt` (0 for the first after a loss): exponential, capped at maxMs, spread by
 * ±jitter; never negative and never above maxMs. `random` returns [0, 1) like Math.random.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt));
  const spread = base * options.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(options.maxMs, Math.round(base + spread)));
}
