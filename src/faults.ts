/**
 * What went wrong, counted by kind: calls that failed open and why, errors by source and kind, FastAGI connections
 * refused, and what happened to the database file. Plain numbers and an 'inc' event — no prom-client here, so the
 * screening path and the store do not depend on the admin API; src/api/metrics.ts turns them into /metrics.
 */

import { EventEmitter } from 'node:events';
import type { AgiRejectReason } from 'asterisk-agi';
import { DeadlineError } from './screen/fail-open.js';
import { StoreError } from './store/errors.js';

export interface FaultLabels {
  /** Calls connected with reason `fail-open`, by why: `deadline`, a StoreError code (`busy`, `full`…), or `error`. */
  failOpens: { why: string };
  /** Failures by where (`screen`, `store`, `agi`) and kind (same vocabulary as `why`, or an AGI error class). */
  errors: { source: 'screen' | 'store' | 'agi'; kind: string };
  /**
   * FastAGI connections closed before anything was answered, by the AgiServer's reason (`allow`, `max-connections`,
   * `max-per-address`, `closing`, `unauthorized`: a wrong or missing key).
   */
  agiRejected: { reason: string };
  /** The database file went missing or was replaced, and what was done about it (store/file-guard.ts). */
  dbFile: { event: 'missing' | 'replaced' | 'recreated' | 'reopened' | 'recovery-failed' };
}

export type FaultCounter = keyof FaultLabels;

export interface FaultCount<C extends FaultCounter = FaultCounter> {
  labels: FaultLabels[C];
  value: number;
}

/** Events: 'inc' (counter, labels) after every increment. */
export class FaultCounters extends EventEmitter {
  private readonly counts = new Map<FaultCounter, Map<string, FaultCount>>();

  inc<C extends FaultCounter>(counter: C, labels: FaultLabels[C]): void {
    let byLabels = this.counts.get(counter);
    if (!byLabels) this.counts.set(counter, (byLabels = new Map()));
    const key = JSON.stringify(labels);
    const entry = byLabels.get(key);
    if (entry) entry.value += 1;
    else byLabels.set(key, { labels: { ...labels }, value: 1 });
    try {
      this.emit('inc', counter, labels);
    } catch {
      // A listener (a metric) must never break the call that counted.
    }
  }

  /** The count for exactly these labels, or the sum over all of them when `labels` is left out or partial. */
  get<C extends FaultCounter>(counter: C, labels: Partial<FaultLabels[C]> = {}): number {
    let sum = 0;
    for (const { labels: l, value } of this.values(counter)) {
      if (Object.entries(labels).every(([k, v]) => (l as Record<string, unknown>)[k] === v)) sum += value;
    }
    return sum;
  }

  values<C extends FaultCounter>(counter: C): FaultCount<C>[] {
    return [...(this.counts.get(counter)?.values() ?? [])] as FaultCount<C>[];
  }
}

/**
 * How a call can fail on its way: the decision deadline, a StoreError code the call path can meet (reads and the
 * call-log write), or `error` (a bug). The admin API's own codes (unique, not-found…) never reach a call.
 */
export const CALL_PATH_FAULTS = [
  'deadline',
  'busy',
  'readonly',
  'full',
  'io',
  'corrupt',
  'cantopen',
  'closed',
  'schema',
  'unknown',
  'error',
] as const;

/** The AGI session errors counted under `errors{source="agi"}` (AgiHangupError is a caller hanging up, not one). */
export const AGI_ERROR_KINDS = [
  'AgiTimeoutError',
  'AgiProtocolError',
  'AgiUnknownCommandError',
  'AgiDeadChannelError',
  'AgiUsageError',
  'AgiError',
  'handler',
] as const;

/** The AgiServer's reasons to close a connection unanswered (agi/src/server.ts AgiRejectReason). */
export const AGI_REJECT_REASONS = [
  'allow',
  'max-connections',
  'max-per-address',
  'unauthorized',
  'closing',
] as const satisfies readonly AgiRejectReason[];
/** Fails to compile when the library gains a reason this list does not name (its counter would not start at 0). */
const everyRejectReason: Exclude<AgiRejectReason, (typeof AGI_REJECT_REASONS)[number]> extends never ? true : never =
  true;
void everyRejectReason;

/**
 * The label sets each error counter shows at 0 from the start. Prometheus' `increase()` needs a series before its
 * first increment to see that increment: an alert on the first fail-open only fires if the series was there at 0.
 */
export const INITIAL_FAULT_LABELS: { [C in Exclude<FaultCounter, 'dbFile'>]: FaultLabels[C][] } = {
  failOpens: CALL_PATH_FAULTS.map((why) => ({ why })),
  errors: [
    ...CALL_PATH_FAULTS.map((kind) => ({ source: 'screen' as const, kind })),
    ...AGI_ERROR_KINDS.map((kind) => ({ source: 'agi' as const, kind })),
  ],
  agiRejected: AGI_REJECT_REASONS.map((reason) => ({ reason })),
};

/** The kind of a failure on the call path: `deadline`, a StoreError code, or `error` (a bug). */
export function faultKind(err: unknown): string {
  if (err instanceof DeadlineError) return 'deadline';
  if (err instanceof StoreError) return err.code;
  return 'error';
}
