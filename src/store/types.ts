/**
 * The store's own shapes: inputs, patches and records around the domain types of src/policy/types.ts.
 * Optional fields are left out (never `null`) when the column is NULL. In a patch, `null` clears a field and a
 * missing key leaves it as it is.
 */
import type { Action, Because, Entry, EntryKind, Match, Reason } from '../policy/types.js';

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: number;
}

export interface PageQuery {
  /** Default 100, at most 1000. */
  limit?: number;
  /** The `nextCursor` of the previous page (an id). */
  cursor?: number;
}

/** An entry as stored: the domain Entry plus when it last changed. */
export interface StoredEntry extends Entry {
  updatedAt: number;
}

export interface NewEntry {
  number: string;
  prefix?: boolean;
  kind: EntryKind;
  action?: Action;
  cause?: number;
  announcement?: string;
  label?: string;
  vip?: boolean;
  note?: string;
  /** Default `manual`. */
  source?: string;
  contactId?: number;
  expiresAt?: number;
}

type Nullable<T> = { [K in keyof T]?: T[K] | null };

export type EntryPatch = Partial<Pick<NewEntry, 'number' | 'prefix' | 'kind' | 'vip' | 'source'>> &
  Nullable<Pick<NewEntry, 'action' | 'cause' | 'announcement' | 'label' | 'note' | 'contactId' | 'expiresAt'>>;

export interface EntryQuery extends PageQuery {
  kind?: EntryKind;
  /** Substring of the number, label or note. */
  search?: string;
  source?: string;
  /** Entries holding this origin (entry_origins); `manual`: the person's own, with or without an origin row. */
  origin?: string;
  contactId?: number;
}

export interface Contact {
  id: number;
  name: string;
  note?: string;
  vip: boolean;
  source: string;
  /** vCard UID / FRITZ!Box uniqueid. */
  externalId?: string;
  createdAt: number;
}

export interface NewContact {
  name: string;
  note?: string;
  vip?: boolean;
  /** Default `manual`. */
  source?: string;
  externalId?: string;
}

export interface SpamList {
  id: number;
  name: string;
  kind: 'spam';
  threshold: number;
  action?: Action;
  cause?: number;
  announcement?: string;
  label?: string;
  sourceUrl?: string;
  enabled: boolean;
  /** 0 until the first import; rows of other versions never match. */
  activeVersion: number;
  entryCount: number;
  syncCursor?: string;
  syncedAt?: number;
  syncError?: string;
  updatedAt: number;
  createdAt: number;
}

export interface NewList {
  name: string;
  /** Default 1. */
  threshold?: number;
  action?: Action;
  cause?: number;
  announcement?: string;
  label?: string;
  sourceUrl?: string;
  enabled?: boolean;
}

export type ListPatch = Partial<Pick<NewList, 'name' | 'threshold' | 'enabled'>> &
  Nullable<Pick<NewList, 'action' | 'cause' | 'announcement' | 'label' | 'sourceUrl'>> &
  Nullable<Pick<SpamList, 'syncCursor' | 'syncedAt' | 'syncError'>>;

/** One row of an imported list. */
export interface ListEntryInput {
  number: string;
  prefix?: boolean;
  /** Votes / reports; default 1. */
  score?: number;
  label?: string;
}

export interface ListEntry {
  id: number;
  number: string;
  prefix: boolean;
  score: number;
  label?: string;
}

export interface ReplaceResult {
  listId: number;
  /** The version now active. */
  version: number;
  /** Rows written (= the list's new entry count). */
  added: number;
  /** Input rows dropped because the same number (and prefix flag) came earlier in the input. */
  duplicates: number;
  /** Rows of the previous version deleted afterwards. */
  removed: number;
}

export type CallerKind = 'number' | 'withheld' | 'internal';

/** What a logged call keeps of its decision's facts. */
export interface CallFacts {
  because: Because;
  matches: Match[];
}

/** A decided call, as the AGI handler logs it. */
export interface NewCall {
  at: number;
  callerRaw: string;
  callerNameRaw?: string;
  /** E.164; absent when withheld or internal. */
  caller?: string;
  callerKind: CallerKind;
  presentation?: number;
  did?: string;
  country?: string;
  action: Action;
  reason: Reason;
  cause?: number;
  label?: string;
  entryId?: number;
  listId?: number;
  listEntryId?: number;
  profile?: string;
  uniqueId?: string;
  channel?: string;
  latencyUs?: number;
  explanation?: string;
  /** The facts behind the decision (src/explain words them); absent on rows logged before they were kept. */
  facts?: CallFacts;
  wouldHaveAction?: Action;
  wouldHaveReason?: Reason;
}

export interface CallRecord extends NewCall {
  id: number;
}

export interface CallQuery extends PageQuery {
  action?: Action;
  reason?: Reason;
  /** The normalised caller (E.164), exactly. */
  number?: string;
  did?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
}

export interface DayStats {
  /** `YYYY-MM-DD` in the requested time zone. */
  day: string;
  /** Epoch ms of that day's local midnight. */
  from: number;
  total: number;
  byAction: Record<Action, number>;
  byReason: Partial<Record<Reason, number>>;
}

export interface TopCaller {
  caller: string;
  calls: number;
  lastAt: number;
  /** Label and reason of the latest of those calls. */
  label?: string;
  reason: Reason;
}
