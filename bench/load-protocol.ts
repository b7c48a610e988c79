/** The messages between bench/run.ts and the load client it forks (bench/load-client.ts). */
import type { Summary } from './stats.js';

/** A FastAGI server on loopback, or a classic AGI script the client starts per call (stdin/stdout). */
export type Target =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'spawn'; command: string; args: string[] /** agi_request: the script's name. */; request: string };

export interface LoadJob {
  target: Target;
  /** closed: `concurrency` callers, each calling again as soon as its call ends; open: `rate` new calls per second. */
  mode: 'closed' | 'open';
  concurrency: number;
  rate: number;
  /** New calls start until this much time has passed (or maxCalls have started); calls in flight then finish. */
  durationMs: number;
  maxCalls: number;
  /** Open loop: an arrival that finds this many calls in flight is dropped (counted), so an overloaded peer cannot exhaust the machine. */
  maxInFlight: number;
  /** Send a progress message every this many completed calls (0: never). */
  progressEvery: number;
  seed: number;
  /** A call still open after this is destroyed and counted as an error. */
  callTimeoutMs: number;
  /**
   * `block`: the environment in one write (the default: cheap for the client, which shares the CPU with the server).
   * `lines`: one write per line, as res_agi.c's setup_env() does — costs the client ~20 syscalls per call.
   */
  envWrites: 'block' | 'lines';
  /** Spawn targets: read the script's VmRSS on every Nth call, just before its last reply. */
  sampleRssEvery: number;
}

/** Error messages a result keeps as examples. */
export const MAX_ERROR_SAMPLES = 5;

export interface LoadResult {
  /** Calls that ended normally: the server sent CALLFILTER_ACTION and closed. */
  calls: number;
  errors: number;
  errorSamples: string[];
  /** Open loop: arrivals not started because maxInFlight calls were open. */
  dropped: number;
  /** First call started → last call ended. */
  elapsedMs: number;
  callsPerSec: number;
  /** Per call, connect (or spawn) → the server closed (or the script's stdout closed), ms. */
  latency: Summary;
  /** Open loop: how late each call started against its schedule, ms (the client keeping up). */
  lag?: Summary;
  /** CALLFILTER_REASON values seen, to check every server decided the same mix. */
  reasons: Record<string, number>;
  commandsPerCall: number;
  /** CPU time (user + system) the load client itself used, ms — it shares the machine with the server. */
  clientCpuMs: number;
  /** Spawn targets: VmRSS of sampled script processes, KiB. */
  scriptRssKiB?: { first: number; last: number; max: number; samples: number };
  /** Every completed call's latency and (open loop) start lag, ms: for pooling slices (merge.ts); not stored. */
  samples?: { latencyMs: number[]; lagMs?: number[] };
}

export type ClientMessage =
  | { type: 'progress'; completed: number }
  | { type: 'result'; result: LoadResult }
  | { type: 'error'; message: string };
