/** entries.overlapping: the entries of the other kind that hold some of the same callers (the conflict check's query). */
import { describe, expect, it } from 'vitest';
import { overlappingSql } from '../../src/store/entries-repository.js';
import { usePostgresDatabase } from './engines.js';
import { type EntriesStore, entriesEngines } from './entries-engines.js';
import { queryPlan, tempStore } from './helpers.js';

const postgres = usePostgresDatabase('entries_overlapping');

const T0 = Date.UTC(2025, 0, 15, 9, 0);
const ALL = 1000;

async function seed(store: Pick<EntriesStore, 'entries'>) {
  const e = async (number: string, kind: 'allow' | 'block', prefix = false, expiresAt?: number) =>
    (await store.entries.create({ number, kind, prefix, ...(expiresAt !== undefined && { expiresAt }) })).id;
  const ids = {
    contact: await e('+49301234567', 'allow'),
    twin: await e('+49301234567', 'block'),
    range: await e('+4930123', 'block', true),
    wide: await e('+4930', 'block', true),
    sameRange: await e('+4930123', 'allow', true),
    inner: await e('+493012345', 'allow', true),
    innerExact: await e('+4930123999', 'allow'),
    expired: await e('+4930124', 'block', true, T0 - 1),
    elsewhere: await e('+4940123456', 'allow'),
  };
  return ids;
}

const key = (number: string, kind: 'allow' | 'block', prefix = false) => ({ number, kind, prefix });

describe.each(entriesEngines(postgres))('%s: entries.overlapping', (_, open) => {
  async function seeded() {
    const { store } = await open({ clock: () => T0 });
    return { store, ids: await seed(store) };
  }

  it('an exact number: its twin of the other kind and every prefix of the other kind it lies in', async () => {
    const { store, ids } = await seeded();
    expect((await store.entries.overlapping(key('+49301234567', 'allow'), T0, ALL)).map((e) => e.id)).toEqual([
      ids.twin,
      ids.range,
      ids.wide,
    ]);
    expect((await store.entries.overlapping(key('+49301234567', 'block'), T0, ALL)).map((e) => e.id)).toEqual([
      ids.contact,
      ids.sameRange,
      ids.inner,
    ]);
  });

  it('a prefix: the same prefix of the other kind, the shorter ones it lies in, and everything inside it', async () => {
    const { store, ids } = await seeded();
    expect((await store.entries.overlapping(key('+4930123', 'block', true), T0, ALL)).map((e) => e.id)).toEqual([
      ids.contact,
      ids.sameRange,
      ids.inner,
      ids.innerExact,
    ]);
    expect((await store.entries.overlapping(key('+4930123', 'allow', true), T0, ALL)).map((e) => e.id)).toEqual([
      ids.twin,
      ids.range,
      ids.wide,
    ]);
  });

  it('leaves out expired entries, the same kind and other numbers, and stops at the limit', async () => {
    const { store, ids } = await seeded();
    const found = (await store.entries.overlapping(key('+4930124', 'allow', true), T0, ALL)).map((e) => e.id);
    expect(found).toEqual([ids.wide]);
    expect(await store.entries.overlapping(key('+4940123456', 'allow'), T0, ALL)).toEqual([]);
    expect(await store.entries.overlapping(key('+4940999999', 'block'), T0, ALL)).toEqual([]);
    expect(await store.entries.overlapping(key('+49301234567', 'allow'), T0, 1)).toHaveLength(1);
  });
});

describe('entries.overlapping on SQLite', () => {
  it('probes the entries_number index and the prefix_lengths key; never a table scan', async () => {
    const { store } = tempStore({ clock: () => T0 });
    await seed(store);
    const plan = queryPlan(store, overlappingSql(), [{ number: '+4930123', prefix: 1, kind: 'allow', now: T0 }]).join(
      '\n',
    );
    expect(plan).toMatch(/SEARCH entries USING INDEX entries_number \(number=\?/);
    expect(plan).toMatch(/SEARCH entries USING INDEX entries_number \(number>\? AND number<\?\)/);
    expect(plan).not.toMatch(/SCAN (entries|prefix_lengths)/);
  });
});
