import { describe, expect, it } from 'vitest';
import type { NewCall, Pace, Store } from '../../src/store/index.js';
import { tempStore } from './helpers.js';

const DAY = 86_400_000;
/** Wednesday 15 Jan 2025, 12:00 in Berlin (UTC+1). */
const NOW = Date.UTC(2025, 0, 15, 11, 0);
const ZONE = 'Europe/Berlin';
/** Tiny transactions, no rest: the batching shows in a few hundred calls. */
const SMALL: Pace = { budgetMs: 0.01, restFactor: 0 };

/** 30 days of calls, a few each hour with a mix of outcomes, oldest first; one just after local midnight of each day. */
async function seed(store: Store): Promise<NewCall[]> {
  const calls: NewCall[] = [];
  const outcomes = [
    ['voicemail', 'unknown'],
    ['hangup', 'blocklist'],
    ['connect', 'contact'],
    ['announce', 'spam-list'],
  ] as const;
  for (let t = NOW - 30 * DAY, i = 0; t <= NOW; t += 37 * 60_000, i++) {
    const [action, reason] = outcomes[i % outcomes.length] as (typeof outcomes)[number];
    calls.push({
      at: t,
      callerRaw: `030${i}`,
      caller: `+4930${1_000_000 + i}`,
      callerKind: 'number',
      action,
      reason,
      label: 'x',
    });
  }
  for (const c of calls) await store.calls.insert(c);
  return calls;
}

const rows = (store: Store) => store.db.handle.prepare('SELECT at FROM calls ORDER BY at').pluck().all() as number[];

describe('call-log retention', () => {
  it('deletes the calls before the cutoff in small batches and keeps the daily stats of the days it emptied', async () => {
    const { store } = tempStore();
    const calls = await seed(store);
    const before = await store.calls.statsByDay(31, NOW, ZONE);
    const cutoff = NOW - 10 * DAY;
    const removed = await store.calls.prune(cutoff, ZONE, { pace: SMALL });
    const kept = calls.filter((c) => c.at >= cutoff).map((c) => c.at);
    expect(removed).toBe(calls.length - kept.length);
    expect(rows(store)).toEqual(kept);
    // Every day, the emptied ones and the one the cutoff cut in two included, counts as before.
    expect(await store.calls.statsByDay(31, NOW, ZONE)).toEqual(before);
    // What is kept of them: counts by day, action and reason — no number, no name.
    const columns = store.db.handle.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('call_days');
    expect(columns).toEqual(['day', 'action', 'reason', 'calls']);
    // Again: nothing left to do, nothing counted twice.
    expect(await store.calls.prune(cutoff, ZONE, { pace: SMALL })).toBe(0);
    expect(await store.calls.statsByDay(31, NOW, ZONE)).toEqual(before);
  });

  it('counts a call of the same day in the log and in the kept counts together', async () => {
    const { store } = tempStore();
    const midday = Date.UTC(2025, 0, 10, 11, 0);
    await store.calls.insert({
      at: midday - 60_000,
      callerRaw: '1',
      caller: '+49301',
      callerKind: 'number',
      action: 'hangup',
      reason: 'blocklist',
    });
    await store.calls.insert({
      at: midday + 60_000,
      callerRaw: '2',
      caller: '+49302',
      callerKind: 'number',
      action: 'hangup',
      reason: 'blocklist',
    });
    await store.calls.prune(midday, ZONE);
    expect(rows(store)).toEqual([midday + 60_000]);
    const day = (await store.calls.statsByDay(6, NOW, ZONE)).find((d) => d.day === '2025-01-10');
    expect(day).toMatchObject({ total: 2, byAction: { hangup: 2 }, byReason: { blocklist: 2 } });
  });
});
