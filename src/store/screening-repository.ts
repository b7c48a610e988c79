/** What screening reads for one caller: the store's whole part of deciding a call. */
import type { Matches, RecentCall } from '../policy/types.js';
import type { CallsRepository } from './calls-repository.js';
import type { Database } from './database.js';
import type { EntriesOperations } from './entries-repository.js';
import type { ListsOperations } from './lists-repository.js';

export function createScreeningRepository(
  db: Database,
  parts: { entries: EntriesOperations; lists: ListsOperations; calls: CallsRepository },
) {
  const { entries, lists, calls } = parts;
  return {
    /**
     * Every personal entry and list hit for the caller (`prefixes`: its leading parts, numbers/prefixes.ts), read on
     * one snapshot, so both lookups see one state and take the read lock once. Expired entries come back too: the
     * policy ignores them itself, and says so.
     */
    async lookup(e164: string, prefixes: readonly string[]): Promise<Matches> {
      return db.read(() => ({ entries: entries.match(e164, prefixes), lists: lists.match(e164, prefixes) }));
    },

    /** The caller's calls since `since` (epoch ms), newest first: the repeat-caller rule's input. */
    async recent(e164: string, since: number): Promise<RecentCall[]> {
      return calls.recent(e164, since);
    },
  };
}

export type ScreeningRepository = ReturnType<typeof createScreeningRepository>;
