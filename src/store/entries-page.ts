/**
 * A page of the entry list, newest first, that does not read through the rows of an unfinished import. Those are
 * hidden (import-visibility.ts) and sit together at the top of the id order — an import writes them one after
 * another — so a page that filtered them row by row would read all of them: some 300 ms on the event loop, calls
 * waiting, while a million-row import runs. Instead the span of ids they take is skipped: the rows above and below
 * it are read as usual, and the visible rows inside it (added meanwhile by hand, or by another process's import)
 * through the entries_import index.
 */
import type { Database } from './database.js';
import { VISIBLE } from './import-visibility.js';

/** The rows of a page: `filters` (SQL, with `params`) narrow them; newest first, at most `limit`. */
export type PageReader<R> = (filters: readonly string[], params: readonly unknown[], limit: number) => R[];

export function createEntriesPage<R extends { id: number }>(db: Database, columns: string): PageReader<R> {
  const unfinished = db
    .prepare<[], number>("SELECT id FROM imports INDEXED BY imports_unfinished WHERE state <> 'done'")
    .pluck();
  const firstId = db.prepare<[number], number | null>('SELECT min(id) FROM entries WHERE import_id = ?').pluck();
  const lastId = db.prepare<[number], number | null>('SELECT max(id) FROM entries WHERE import_id = ?').pluck();

  /** The ids from the first to the last row of any unfinished import; none when no such import has rows. */
  function hiddenSpan(): { lo: number; hi: number } | undefined {
    let lo = Infinity;
    let hi = -Infinity;
    for (const id of unfinished.all()) {
      const [first, last] = [firstId.get(id), lastId.get(id)];
      if (first != null && last != null) [lo, hi] = [Math.min(lo, first), Math.max(hi, last)];
    }
    return lo <= hi ? { lo, hi } : undefined;
  }

  return (filters, params, limit) => {
    const select = (from: string, where: string[], more: unknown[], n: number) =>
      db
        .prepare<unknown[], R>(
          `SELECT ${columns} FROM ${from} WHERE ${[...filters, ...where].join(' AND ')} ORDER BY id DESC LIMIT ?`,
        )
        .all(...params, ...more, n);
    const span = hiddenSpan();
    if (span === undefined) return select('entries', [VISIBLE], [], limit);
    const { lo, hi } = span;
    const rows = select('entries', [VISIBLE, 'id > ?'], [hi], limit);
    if (rows.length < limit) {
      const index = 'entries INDEXED BY entries_import';
      const inside = [
        ...select(index, ['import_id IS NULL', 'id BETWEEN ? AND ?'], [lo, hi], limit - rows.length),
        ...select(
          index,
          ["import_id IN (SELECT id FROM imports WHERE state = 'done')", 'id BETWEEN ? AND ?'],
          [lo, hi],
          limit - rows.length,
        ),
      ];
      rows.push(...inside.sort((a, b) => b.id - a.id).slice(0, limit - rows.length));
    }
    if (rows.length < limit) rows.push(...select('entries', [VISIBLE, 'id < ?'], [lo], limit - rows.length));
    return rows;
  };
}
