/** The store's shapes for sources, leases and the outbox (migration 006). */

export const SOURCE_KINDS = ['phoneblock', 'url', 'fritzbox', 'carddav', 'called'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Runs fall on `offsetMs + k × intervalMs` (epoch ms), each moved by a random amount within ± `jitterMs`. */
export interface SourceSchedule {
  intervalMs: number;
  jitterMs: number;
  /** Chosen at random once, when the source is created, and kept. */
  offsetMs: number;
}

export interface SourceStatus {
  lastAttemptAt?: number;
  lastSuccessAt?: number;
  /** The source's own position: a version (PhoneBlock), an ETag (a URL), a sync token (CardDAV). */
  cursor?: string;
  /** Rows the target holds after the last successful sync. */
  rows?: number;
  nextRunAt?: number;
  lastError?: string;
  /** Why the last answer was held back instead of replacing the list; absent when none is. */
  heldBack?: string;
  /** Failures in a row since the last success. */
  failures: number;
  /** Failures ever (callfilter_source_sync_failures_total). */
  failuresTotal: number;
}

/** A source as everyone may see it: its credentials are never part of it, only whether it has some. */
export interface Source extends SourceStatus {
  id: number;
  name: string;
  kind: SourceKind;
  listId?: number;
  entryKind?: 'allow' | 'block';
  settings: Record<string, unknown>;
  hasCredentials: boolean;
  schedule: SourceSchedule;
  enabled: boolean;
  /** The kind's own sync state (Last-Modified, when the last full sync ran…). */
  state: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface NewSource {
  name: string;
  kind: SourceKind;
  listId?: number;
  entryKind?: 'allow' | 'block';
  settings?: Record<string, unknown>;
  credentials?: Record<string, unknown>;
  schedule: SourceSchedule;
  enabled?: boolean;
  /** When the first sync runs (default: at once). */
  nextRunAt?: number;
}

/** A missing key keeps the value; `credentials: null` removes them. */
export interface SourcePatch {
  name?: string;
  settings?: Record<string, unknown>;
  credentials?: Record<string, unknown> | null;
  schedule?: SourceSchedule;
  enabled?: boolean;
  nextRunAt?: number;
}

/** How a sync ended, as the status records it. */
export type SyncResult =
  | {
      outcome: 'success';
      at: number;
      nextRunAt: number;
      cursor?: string | null;
      state?: Record<string, unknown>;
      rows?: number;
    }
  | { outcome: 'held'; at: number; nextRunAt: number; heldBack: string }
  | { outcome: 'failure'; at: number; nextRunAt: number; error: string };

export interface Lease {
  name: string;
  owner: string;
  expiresAt: number;
  acquiredAt: number;
}

export type OutboxStatus = 'pending' | 'done' | 'dead';

export interface OutboxItem {
  id: number;
  kind: string;
  payload: unknown;
  dedupeKey?: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  createdAt: number;
  finishedAt?: number;
}

export interface OutboxQuery {
  kind?: string;
  status?: OutboxStatus;
  /** Default 100, at most 1000. */
  limit?: number;
  /** The `nextCursor` of the previous page (an id): the log runs newest first. */
  cursor?: number;
}
