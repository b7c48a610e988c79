/**
 * What one abuse scenario reports: each figure beside its target, so the printout says at a glance what held.
 * Scenarios live one per file in bench/abuse/ and are listed in run.ts.
 */

export interface Figure {
  /** What was measured, e.g. "real calls decided during the flood". */
  what: string;
  /** The measured value as printed, e.g. "20 of 20" or "38.2 ms". */
  value: string;
  /** The target as printed, e.g. "all" or "≤ 50 ms"; absent for a figure given only for context. */
  target?: string;
  /** Whether the target was met; absent when there is no target. */
  pass?: boolean;
}

export interface Scenario {
  name: string;
  /** Runs against loopback only, bounded in count and time; stops everything it started before it returns. */
  run(): Promise<Figure[]>;
}
