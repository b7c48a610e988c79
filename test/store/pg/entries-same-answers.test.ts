/**
 * The same entries in both engines give the same answers in the same order: a caller's lookup (`match`), the
 * conflict check's `overlapping` (also where its limit cuts), the list's pages and the other reads — over a few
 * hundred numbers and prefixes of many lengths, rather than the handful the behavioural tests use.
 */
import { describe, expect, it } from 'vitest';
import type { EntryKind } from '../../../src/policy/types.js';
import type { NewEntry } from '../../../src/store/index.js';
import { seededRandom } from '../../helpers/random.js';
import { usePostgresDatabase } from '../engines.js';
import { postgresEntriesStore } from '../entries-engines.js';
import { leadingParts, tempStore } from '../helpers.js';

const postgres = usePostgresDatabase('entries_same');
const T0 = Date.UTC(2025, 0, 15, 9, 0);
const clock = () => T0;

function dataset(seed: number): NewEntry[] {
  const next = seededRandom(seed);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 3)).join('');
  const kind = (): EntryKind => (next() < 0.5 ? 'allow' : 'block');
  const expiry = () => {
    const r = next();
    return r < 0.15 ? { expiresAt: T0 - 1 } : r < 0.3 ? { expiresAt: T0 + 1 } : {};
  };
  const rows = new Map<string, NewEntry>();
  const add = (row: NewEntry) => rows.set(`${row.number}:${row.prefix ? 1 : 0}:${row.kind}`, row);
  // Few digit values, so numbers share leading parts and prefixes hold many of them.
  for (let i = 0; i < 400; i++)
    add({ number: `+49${digits(4 + Math.floor(next() * 4))}`, kind: kind(), label: `n${i}`, ...expiry() });
  for (let i = 0; i < 80; i++)
    add({ number: `+49${digits(Math.floor(next() * 6))}`, prefix: true, kind: kind(), ...expiry() });
  // Prefixes equal to an exact number of the same kind: the index orders them by is_prefix, ids may not.
  for (const row of [...rows.values()].filter((r) => !r.prefix && next() < 0.2)) add({ ...row, prefix: true });
  // In no order of kind or length, so ids do not follow the index either.
  return [...rows.values()]
    .map((row) => ({ row, at: next() }))
    .sort((a, b) => a.at - b.at)
    .map(({ row }) => row);
}

describe('PostgreSQL answers as SQLite does', () => {
  it('match, overlapping and list over the same few hundred entries', async () => {
    const rows = dataset(22);
    const sqlite = tempStore({ clock }).store;
    const pg = postgresEntriesStore(await postgres.fresh(), { clock });
    // One by one, so both engines number them alike (PostgreSQL's identity would skip an id for a duplicate).
    for (const row of rows) {
      const [a, b] = [await sqlite.entries.create(row), await pg.entries.create(row)];
      expect(b).toEqual(a);
    }
    const next = seededRandom(7);
    const callers = [
      ...rows.filter((r) => !r.prefix).map((r) => r.number),
      ...rows.filter((r) => r.prefix).map((r) => `${r.number}${Math.floor(next() * 1000)}`),
    ];
    for (const caller of callers) {
      const parts = leadingParts(caller);
      expect(await pg.entries.match(caller, parts), caller).toEqual(await sqlite.entries.match(caller, parts));
      expect(await pg.entries.match(caller, parts, { now: T0 }), caller).toEqual(
        await sqlite.entries.match(caller, parts, { now: T0 }),
      );
      expect(await pg.entries.match(caller, parts.slice(0, 4)), caller).toEqual(
        await sqlite.entries.match(caller, parts.slice(0, 4)),
      );
    }
    for (const row of rows) {
      for (const kind of ['allow', 'block'] as const) {
        const key = { number: row.number, prefix: row.prefix ?? false, kind };
        for (const limit of [Number.MAX_SAFE_INTEGER, 3, 1]) {
          expect(await pg.entries.overlapping(key, T0, limit), `${JSON.stringify(key)} ${limit}`).toEqual(
            await sqlite.entries.overlapping(key, T0, limit),
          );
        }
      }
    }
    for (const kind of ['allow', 'block'] as const) {
      expect(await pg.entries.count(kind)).toBe(await sqlite.entries.count(kind));
      for (const [after, upTo] of [
        [0, 50],
        [120, 400],
        [0, 10_000],
      ] as const)
        expect(await pg.entries.ofKindBetween(kind, after, upTo)).toEqual(
          await sqlite.entries.ofKindBetween(kind, after, upTo),
        );
    }
    for (const row of rows.slice(0, 50))
      expect(await pg.entries.findByNumber(row.number, row.prefix ?? false)).toEqual(
        await sqlite.entries.findByNumber(row.number, row.prefix ?? false),
      );
    for (const query of [{}, { kind: 'allow' as const, limit: 7 }, { search: '+4901', limit: 5 }, { search: 'N1' }]) {
      let cursor: number | undefined;
      do {
        const q = { ...query, ...(cursor !== undefined && { cursor }) };
        const [a, b] = [await sqlite.entries.list(q), await pg.entries.list(q)];
        expect(b, JSON.stringify(q)).toEqual(a);
        cursor = a.nextCursor;
      } while (cursor !== undefined);
    }
  }, 120_000);
});
