/**
 * The in-memory screening index through a long run of the changes a node applies — entries put, changed, removed,
 * lists replaced — on numbers that share keys (allow and block on one number, one number on several lists), numbers
 * whose digits are equal but whose lengths are not, and numbers its number keys cannot hold: after every few changes
 * each caller finds exactly what a plain scan of the same rows finds.
 */
import { describe, expect, it } from 'vitest';
import type { ListHit } from '../../../src/policy/types.js';
import { ScreeningIndex } from '../../../src/store/memory/screening-index.js';
import type { StoredEntry } from '../../../src/store/types.js';

/** A fixed LCG (its high bits): the same changes every run. */
function random(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((x / 2_147_483_648) * n);
  };
}

const EXACT = [
  ...Array.from({ length: 30 }, (_, i) => `+4930123${String(i).padStart(3, '0')}`),
  // Same digits as +4930123 and +4930123001, other lengths.
  '+04930123',
  '+04930123001',
  // More than 15 digits, and no number at all: kept by their text.
  '+4930123001000000',
  '110',
];
const PREFIXES = ['+49', '+493', '+4930', '+49301', '+4930123', '+049', '+04930123', '+4930123001000', '11'];
const CALLERS = [...EXACT, '+4930123999', '+49301239', '+493', '+0493012300', '+4930123001000000', '1100'];

/** Every leading part of a caller of two characters or more: what a lookup is given as its prefixes. */
const leadingParts = (n: string) => Array.from({ length: n.length - 1 }, (_, i) => n.slice(0, i + 2));

describe('the in-memory screening index through many changes', () => {
  it('finds what a scan of the same rows finds, after every few changes', () => {
    const next = random(5);
    const pick = <T>(xs: readonly T[]) => xs[next(xs.length)] as T;
    const index = new ScreeningIndex();
    const entries = new Map<number, StoredEntry>();
    const lists = new Map<number, ListHit[]>();
    let hitId = 0;
    let shared = 0;
    let onTwoLists = 0;

    for (let step = 1; step <= 3_000; step++) {
      const what = next(10);
      if (what < 6) {
        const prefix = next(4) === 0;
        const entry: StoredEntry = {
          id: 1 + next(120),
          number: pick(prefix ? PREFIXES : EXACT),
          prefix,
          kind: next(2) === 0 ? 'allow' : 'block',
          vip: next(5) === 0,
          source: pick(['manual', 'csv', 'fritzbox']),
          createdAt: 1_700_000_000_000 + step,
          updatedAt: 1_800_000_000_000 + step,
          ...(next(3) === 0 && { label: `L${step}` }),
          ...(next(7) === 0 && { action: 'announce' as const, cause: 21 }),
        };
        index.putEntry(entry);
        entries.set(entry.id, entry);
      } else if (what < 9) {
        const id = 1 + next(120);
        index.removeEntry(id);
        entries.delete(id);
      } else {
        const listId = 1 + next(4);
        const hits: ListHit[] = Array.from({ length: next(12) }, () => {
          const prefix = next(5) === 0;
          return {
            listId,
            listName: `list ${listId}`,
            entryId: ++hitId,
            number: pick(prefix ? PREFIXES : EXACT),
            prefix,
            score: next(10),
            threshold: 3,
            ...(next(2) === 0 && { label: pick(['Umfrage', 'Inkasso']) }),
          };
        });
        index.setList(listId, hits);
        lists.set(listId, hits);
      }

      if (step % 25 !== 0) continue;
      expect(index.entryCount).toBe(entries.size);
      expect(index.hitCount).toBe([...lists.values()].reduce((n, hits) => n + hits.length, 0));
      for (const caller of CALLERS) {
        const prefixes = leadingParts(caller);
        const matches = (row: { number: string; prefix: boolean }) =>
          row.number === caller || (row.prefix && prefixes.includes(row.number));
        const found = index.lookup(caller, prefixes);
        if (found.entries.filter((e) => !e.prefix).length > 1) shared++;
        if (new Set(found.lists.map((h) => h.listId)).size > 1) onTwoLists++;
        expect({ caller, entries: [...found.entries].sort((a, b) => a.id - b.id) }).toEqual({
          caller,
          entries: [...entries.values()].filter(matches).sort((a, b) => a.id - b.id),
        });
        expect({ caller, lists: [...found.lists].sort((a, b) => a.entryId - b.entryId) }).toEqual({
          caller,
          lists: [...lists.values()]
            .flat()
            .filter(matches)
            .sort((a, b) => a.entryId - b.entryId),
        });
      }
    }
    // The run reached the cases chains are for, many times: two exact entries of one number, one number on two lists.
    expect(shared).toBeGreaterThan(50);
    expect(onTwoLists).toBeGreaterThan(50);
  });
});
