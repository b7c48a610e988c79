/** What screening reads for one caller, in one go: the store's whole part of deciding a call. */
import type { Matches, RecentCall } from '../policy/types.js';
import type { CallsRepository } from './calls-repository.js';
import type { Database } from './database.js';
import type { EntriesRepository } from './entries-repository.js';
import type { ListsRepository } from './lists-repository.js';

export interface Known {
  matches: Matches;
  /** Earlier calls of the caller since the time asked for, newest first; empty when none was asked for. */
  recent: RecentCall[];
}

const NO_RECENT: RecentCall[] = [];

export function createScreeningRepository(db: Database, parts: { entries: EntriesRepository; lists: ListsRepository; calls: CallsRepository }) {
  const { entries, lists, calls } = parts;
  return {
    /**
     * Every personal entry and list hit for the caller (`prefixes`: its leading parts, numbers/prefixes.ts) and, with
     * `recentSince`, its calls since then — read on one snapshot, so the lookups see one state and take the read lock
     * once. Expired entries come back too: the policy ignores them itself, and says so.
     */
    async lookup(e164: string, prefixes: readonly string[], recentSince?: number): Promise<Known> {
      return db.read(() => ({
        matches: { entries: entries.match(e164, prefixes), lists: lists.match(e164, prefixes) },
        recent: recentSince === undefined ? NO_RECENT : calls.recent(e164, recentSince),
      }));
    },
  };
}

export type ScreeningRepository = ReturnType<typeof createScreeningRepository>;
