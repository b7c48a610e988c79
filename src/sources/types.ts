/** What a kind of source provides to the sync, and what a sync reports. */

import type { Language } from '../config/language.js';
import type { AppContext } from '../context.js';
import type { Conflict } from '../import/conflicts.js';
import type { JobClock } from '../jobs/clock.js';
import type { Source } from '../store/index.js';

/** What every kind's sync may use: the context (store, config, logger), time, the network. */
export interface SyncEnv {
  ctx: AppContext;
  clock: JobClock;
  fetch: typeof fetch;
  random: () => number;
  language: Language;
}

export interface SyncOptions {
  /** Accept an answer that would be held back (a real shrink): `callfilter sync --accept`. */
  accept?: boolean;
  signal?: AbortSignal;
  /** Progress for a person watching (the command line). */
  onProgress?: (message: string) => void;
}

/** How a kind's sync ended when it did not throw. Held-back answers throw HeldBackError; failures any error. */
export interface KindOutcome {
  /** `unchanged`: the source had nothing new (304, or no changes since the last version). */
  outcome: 'synced' | 'unchanged';
  /** Rows the target holds now. */
  rows: number;
  /** The new cursor (version, ETag); undefined keeps the old one, null clears it. */
  cursor?: string | null;
  /** The kind's new sync state; undefined keeps the old one. */
  state?: Record<string, unknown>;
  /** One line for a person: what changed. */
  message: string;
}

export type KindSync = (
  env: SyncEnv,
  source: Source,
  credentials: Record<string, unknown> | undefined,
  options: SyncOptions & { signal: AbortSignal },
) => Promise<KindOutcome>;

/** What `sync` reports for one source (API, command line). */
export interface SyncReport {
  id: number;
  source: string;
  outcome: 'synced' | 'unchanged' | 'held' | 'failed' | 'busy';
  message: string;
  rows?: number;
  cursor?: string;
  nextRunAt?: number;
  /** Contact sources: the numbers both lists hold (the first few), as an import reports them. */
  conflicts?: Conflict[];
  conflictCount?: number;
}
