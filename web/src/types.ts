/** The shapes of the API's answers, as far as the page uses them (see the OpenAPI document at /api/v1/openapi.json). */

export type Action = 'connect' | 'voicemail' | 'hangup' | 'announce';
export type Reason =
  | 'internal'
  | 'contact'
  | 'allowlist'
  | 'blocklist'
  | 'spam-list'
  | 'anonymous'
  | 'implausible'
  | 'foreign'
  | 'unknown'
  | 'repeat-caller'
  | 'quiet-hours'
  | 'monitor'
  | 'fail-open';
export type Kind = 'allow' | 'block';

export interface Page<T> {
  items: T[];
  nextCursor?: number;
}

/** GET /api/v1/web/calls items and the data of the "call" events. */
export interface Call {
  id: number;
  at: number;
  callerRaw: string;
  callerNameRaw?: string;
  caller?: string;
  /** `caller` and `did` as people at home write them (the server's display form; numbers.ts). */
  callerNational?: string;
  callerKind: 'number' | 'withheld' | 'internal';
  did?: string;
  didNational?: string;
  country?: string;
  action: Action;
  reason: Reason;
  label?: string;
  /** Why, in the page's language (the server words it from the facts the call keeps). */
  why?: string;
  /** A sentence per entry or list hit that matched but did not decide. */
  others?: string[];
  /** The kind of the entry that decides this caller's calls now. */
  current?: Kind;
  /** Both lists hold the caller: which entry decides, over which, and why. */
  both?: Conflict;
  /** The voicemail message the call left (GET /api/v1/calls/{id}/voicemail plays it when playable). */
  voicemail?: { seconds?: number; playable: boolean };
}

/** One side of a conflict (GET /api/v1/entries, import reports, call rows). */
export interface ConflictSide {
  id: number;
  kind: Kind;
  number: string;
  numberNational?: string;
  prefix: boolean;
  label?: string;
  source: string;
  contactId?: number;
}

/** An allow and a block entry that hold the same callers: only `wins` decides their calls. */
export interface Conflict {
  number: string;
  numberNational?: string;
  prefix: boolean;
  wins: ConflictSide;
  loses: ConflictSide;
  why: 'allow beats block' | 'exact beats prefix' | 'longer prefix';
}

export interface Entry {
  id: number;
  number: string;
  numberNational?: string;
  prefix: boolean;
  kind: Kind;
  label?: string;
  note?: string;
  vip: boolean;
  source: string;
  expiresAt?: number;
  createdAt: number;
  /** Where it comes from: manual (the person) and each source that holds it. */
  origins?: EntryOrigin[];
  conflicts?: Conflict[];
}

export interface EntryOrigin {
  origin: string;
  label?: string;
  expiresAt?: number;
}

export interface Source {
  id: number;
  name: string;
  kind: 'phoneblock' | 'url' | 'fritzbox' | 'carddav' | 'called';
  listId?: number;
  enabled: boolean;
  rows?: number;
  lastSuccessAt?: number;
  nextRunAt?: number;
  lastError?: string;
  /** Why the last answer was held back (the list in force stayed); a sync with accept=true takes it. */
  heldBack?: string;
  /** No success for 3 days. */
  stale: boolean;
  state: { conflictCount?: number };
}

export interface SpamList {
  id: number;
  name: string;
  threshold: number;
  enabled: boolean;
  entryCount: number;
  updatedAt: number;
}

/** A row of a file refused or left out: the server's English and its message code (i18n.ts `message()`). */
export interface RowProblem {
  line: number;
  error?: string;
  why?: string;
  code?: string;
  params?: Record<string, string | number>;
}

export interface ImportReport {
  format: string;
  added: number;
  skipped: number;
  contacts: number;
  ignored: (RowProblem & { why: string })[];
  ignoredCount: number;
  /** Imports into the entries only. */
  conflicts?: Conflict[];
  conflictCount?: number;
}

export interface Explained {
  caller: {
    kind: 'number' | 'withheld' | 'internal' | 'local';
    raw: string;
    e164?: string;
    e164National?: string;
    country?: string;
    type?: string;
    plausible?: boolean;
    extension?: string;
  };
  did?: string;
  didNational?: string;
  at: number;
  decision: {
    action: Action;
    reason: Reason;
    label?: string;
    profile: string;
    schedule?: string;
    /** Why, in the page's language. */
    explanation: string;
    /** A sentence per entry or list hit that matched but did not decide. */
    others: string[];
  };
}

export interface Stats {
  days: { day: string; from: number; total: number; byAction: Record<Action, number> }[];
  topBlocked: {
    caller: string;
    callerNational?: string;
    calls: number;
    lastAt: number;
    label?: string;
    reason: Reason;
  }[];
}

/** GET and PUT /api/v1/settings: one setting in force, and where it comes from. */
export interface Setting {
  key: string;
  value?: string;
  source: 'env' | 'file' | 'database' | 'default' | 'unset';
  stored?: string;
}

export interface Settings {
  country: Setting;
  areaCode: Setting;
  needsSetup: boolean;
}
