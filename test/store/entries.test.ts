import { describe, expect, it } from 'vitest';
import { matchSql } from '../../src/store/entries-repository.js';
import { StoreError } from '../../src/store/index.js';
import { usePostgresDatabase } from './engines.js';
import { type EntriesStore, entriesEngines } from './entries-engines.js';
import { leadingParts, queryPlan, tempStore } from './helpers.js';

const postgres = usePostgresDatabase('entries');

const T0 = Date.UTC(2025, 0, 15, 9, 0);
const clock = () => T0;
const CALLER = '+49301234567';

/** A caller's exact entries, prefixes it lies in, and entries that are not the caller's. */
async function seedMatch(store: Pick<EntriesStore, 'entries'>) {
  const add = (number: string, kind: 'allow' | 'block', prefix = false, extra = {}) =>
    store.entries.create({ number, kind, prefix, ...extra });
  return {
    exactBlock: (await add(CALLER, 'block')).id,
    exactAllow: (await add(CALLER, 'allow', false, { vip: true })).id,
    prefixLong: (await add('+49301234', 'block', true)).id,
    prefixShort: (await add('+4930', 'allow', true)).id,
    prefixWhole: (await add(CALLER, 'block', true)).id,
    otherExact: (await add('+49301234', 'block')).id, // exact entry for a shorter number: not this caller
    otherPrefix: (await add('+49301235', 'block', true)).id,
    otherNumber: (await add('+49301234568', 'block')).id,
    expired: (await add('+493012', 'block', true, { expiresAt: T0 - 1 })).id,
  };
}

describe.each(entriesEngines(postgres))('%s', (_, open) => {
  describe('entries', () => {
    it('create, get, update, remove', async () => {
      const { store } = await open({ clock });
      const e = await store.entries.create({
        number: '+4930123456',
        kind: 'block',
        action: 'hangup',
        cause: 21,
        label: 'Umfrage',
        note: 'called twice',
      });
      expect(e).toEqual({
        id: e.id,
        number: '+4930123456',
        prefix: false,
        kind: 'block',
        action: 'hangup',
        cause: 21,
        label: 'Umfrage',
        note: 'called twice',
        vip: false,
        source: 'manual',
        createdAt: T0,
        updatedAt: T0,
      });
      expect(await store.entries.get(e.id)).toEqual(e);

      const updated = await store.entries.update(e.id, {
        action: 'announce',
        announcement: 'custom/no-ads',
        cause: null,
        note: null,
      });
      expect(updated).toMatchObject({ action: 'announce', announcement: 'custom/no-ads', label: 'Umfrage' });
      expect(updated).not.toHaveProperty('cause');
      expect(updated).not.toHaveProperty('note');
      expect(await store.entries.update(9999, { label: 'x' })).toBeUndefined();

      expect(await store.entries.remove(e.id)).toBe(true);
      expect(await store.entries.remove(e.id)).toBe(false);
      expect(await store.entries.get(e.id)).toBeUndefined();
    });

    it('a duplicate (number, prefix, kind) is a "unique" StoreError naming the existing entry', async () => {
      const { store } = await open();
      const first = await store.entries.create({ number: '+49301234', prefix: true, kind: 'block' });
      let caught: unknown;
      try {
        await store.entries.create({ number: '+49301234', prefix: true, kind: 'block' });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(StoreError);
      expect(caught).toMatchObject({
        code: 'unique',
        message: `a block entry for +49301234* already exists (id ${first.id})`,
        details: { existingId: first.id },
      });
      // same number as an exact entry, or as an allow entry, is a different entry
      await store.entries.create({ number: '+49301234', kind: 'block' });
      await store.entries.create({ number: '+49301234', prefix: true, kind: 'allow' });
      // an update onto an existing key is refused the same way
      const other = await store.entries.create({ number: '+49309999', kind: 'block' });
      await expect(store.entries.update(other.id, { number: '+49301234', prefix: true })).rejects.toThrow(
        expect.objectContaining({ code: 'unique' }),
      );
    });

    it('refuses numbers that are not E.164 and kinds that do not exist, saying which rule', async () => {
      const { store } = await open();
      await expect(store.entries.create({ number: '030123456', kind: 'block' })).rejects.toThrow(
        expect.objectContaining({ code: 'invalid', message: expect.stringContaining('entry_number_must_be_e164') }),
      );
      await expect(store.entries.create({ number: '+49301234*', kind: 'block' })).rejects.toThrow(
        expect.objectContaining({ code: 'invalid' }),
      );
      await expect(store.entries.create({ number: '+4930', kind: 'maybe' as 'block' })).rejects.toThrow(
        expect.objectContaining({ code: 'invalid' }),
      );
      await expect(store.entries.create({ number: '+4930', kind: 'block', contactId: 42 })).rejects.toThrow(
        expect.objectContaining({ code: 'foreign-key' }),
      );
    });

    it('findByNumber, count and list with filters, search and cursor paging (newest first)', async () => {
      const { store } = await open();
      for (let i = 0; i < 25; i++)
        await store.entries.create({
          number: `+4930100${String(i).padStart(2, '0')}`,
          kind: i % 5 === 0 ? 'allow' : 'block',
          source: i < 10 ? 'csv' : 'manual',
          label: i === 7 ? 'Energie 100%' : undefined,
        });
      expect(await store.entries.count()).toBe(25);
      expect(await store.entries.count('allow')).toBe(5);
      expect(await store.entries.findByNumber('+493010007', false)).toHaveLength(1);
      expect(await store.entries.findByNumber('+493010007', false, 'allow')).toEqual([]);

      const seen: number[] = [];
      let cursor: number | undefined;
      do {
        const page = await store.entries.list({ limit: 10, ...(cursor !== undefined && { cursor }) });
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(seen).toHaveLength(25);
      expect(seen).toEqual([...seen].sort((a, b) => b - a));

      expect((await store.entries.list({ kind: 'allow', source: 'csv' })).items.map((e) => e.number)).toEqual([
        '+493010005',
        '+493010000',
      ]);
      expect((await store.entries.list({ search: '100%' })).items.map((e) => e.label)).toEqual(['Energie 100%']);
      expect((await store.entries.list({ search: '1002' })).items.map((e) => e.number)).toEqual([
        '+493010024',
        '+493010023',
        '+493010022',
        '+493010021',
        '+493010020',
      ]);
    });

    it('bulkInsert adds in one transaction and skips duplicates', async () => {
      const { store } = await open();
      await store.entries.create({ number: '+4930111', kind: 'block' });
      const result = await store.entries.bulkInsert([
        { number: '+4930111', kind: 'block' },
        { number: '+4930222', kind: 'block', source: 'csv' },
        { number: '+4930222', kind: 'block', source: 'csv' },
        { number: '+4930333', kind: 'allow', source: 'csv' },
      ]);
      expect(result).toEqual({ added: 2, skipped: 2 });
      // all or nothing: an invalid row aborts the batch
      await expect(
        store.entries.bulkInsert([
          { number: '+4930444', kind: 'block' },
          { number: 'garbage', kind: 'block' },
        ]),
      ).rejects.toThrow(expect.objectContaining({ code: 'invalid' }));
      expect(await store.entries.findByNumber('+4930444', false)).toEqual([]);
      await expect(
        store.entries.bulkInsert(
          [
            { number: '+4930555', kind: 'block' },
            { number: '+4930111', kind: 'block' },
          ],
          { onDuplicate: 'error' },
        ),
      ).rejects.toThrow(expect.objectContaining({ code: 'unique' }));
      expect(await store.entries.count()).toBe(3);
    });

    it('put: the last word wins — the entry of the other kind for the same number or prefix goes, one of the same kind is updated and keeps its source', async () => {
      const { store } = await open({ clock });
      const allow = await store.entries.create({ number: CALLER, kind: 'allow', label: 'Anna', source: 'vcard' });
      const range = await store.entries.create({ number: '+4930', prefix: true, kind: 'allow', source: 'api' });
      const blocked = await store.entries.put({ number: CALLER, kind: 'block', label: 'Sales', source: 'call-log' });
      expect(blocked).toMatchObject({
        created: true,
        entry: { number: CALLER, kind: 'block', label: 'Sales', source: 'call-log' },
        removed: [{ id: allow.id }],
      });
      // Another number or a prefix of the other kind stays: only the same number and prefix flag is replaced.
      expect(await store.entries.get(range.id)).toBeDefined();
      const again = await store.entries.put({ number: CALLER, kind: 'block', label: 'Sales again', source: 'cli' });
      expect(again).toMatchObject({
        created: false,
        entry: { id: blocked.entry.id, label: 'Sales again', source: 'call-log' },
        removed: [],
      });
      expect((await store.entries.findByNumber(CALLER, false)).map((e) => e.kind)).toEqual(['block']);
    });

    it('removeExpired deletes what has expired by then', async () => {
      const { store } = await open();
      await store.entries.create({ number: '+4930111', kind: 'block', expiresAt: T0 - 1 });
      await store.entries.create({ number: '+4930222', kind: 'block', expiresAt: T0 });
      await store.entries.create({ number: '+4930333', kind: 'block', expiresAt: T0 + 1 });
      await store.entries.create({ number: '+4930444', kind: 'block' });
      expect(await store.entries.removeExpired(T0)).toBe(2);
      expect((await store.entries.list()).items.map((e) => e.number).sort()).toEqual(['+4930333', '+4930444']);
    });
  });

  describe('entries.match', () => {
    async function seeded() {
      const t = await open({ clock });
      return { ...t, ids: await seedMatch(t.store) };
    }

    it('returns the exact entries of the number and the prefix entries of its leading parts, nothing else', async () => {
      const { store, ids } = await seeded();
      const found = await store.entries.match(CALLER, leadingParts(CALLER));
      expect(found.map((e) => e.id)).toEqual([
        ids.exactAllow,
        ids.exactBlock,
        ids.prefixWhole,
        ids.prefixLong,
        ids.expired,
        ids.prefixShort,
      ]);
      expect(found[0]).toMatchObject({ number: CALLER, prefix: false, kind: 'allow', vip: true });
    });

    it('works without the whole number among the parts, and with no parts at all (exact only)', async () => {
      const { store, ids } = await seeded();
      const parts = leadingParts(CALLER).slice(0, -1);
      expect((await store.entries.match(CALLER, parts)).map((e) => e.id)).toContain(ids.exactBlock);
      expect((await store.entries.match(CALLER, [])).map((e) => e.id)).toEqual([
        ids.exactAllow,
        ids.exactBlock,
        ids.prefixWhole,
      ]);
    });

    it('returns expired entries (the policy filters by its clock) unless `now` is passed', async () => {
      const { store, ids } = await seeded();
      expect((await store.entries.match(CALLER, leadingParts(CALLER))).map((e) => e.id)).toContain(ids.expired);
      expect((await store.entries.match(CALLER, leadingParts(CALLER), { now: T0 })).map((e) => e.id)).not.toContain(
        ids.expired,
      );
    });

    it('handles a number longer than E.164 allows', async () => {
      const { store } = await open();
      const long = '+4930123456789012345678';
      await store.entries.create({ number: long, kind: 'block' });
      expect(await store.entries.match(long, leadingParts(long))).toHaveLength(1);
    });

    it('finds prefixes of every length, and a prefix added, changed or removed by another connection on the next lookup', async () => {
      const { store, reopen } = await open({ clock });
      const other = reopen();
      const numbers = async () =>
        (await store.entries.match(CALLER, leadingParts(CALLER))).map((e) => `${e.number}${e.prefix ? '*' : ''}`);
      await store.entries.create({ number: CALLER, kind: 'allow' });
      expect(await numbers()).toEqual([CALLER]);
      for (const number of ['+49', '+49301', '+4930123456'])
        await store.entries.create({ number, kind: 'block', prefix: true });
      expect(await numbers()).toEqual([CALLER, '+4930123456*', '+49301*', '+49*']);

      const added = await other.entries.create({ number: '+4930123', kind: 'block', prefix: true });
      expect(await numbers()).toContain('+4930123*');
      await other.entries.update(added.id, { number: '+493012345' });
      expect(await numbers()).toEqual([CALLER, '+4930123456*', '+493012345*', '+49301*', '+49*']);
      await other.entries.update(added.id, { prefix: false });
      expect(await numbers()).not.toContain('+493012345*');
      await other.entries.update(added.id, { prefix: true });
      await other.entries.remove(added.id);
      expect(await numbers()).toEqual([CALLER, '+4930123456*', '+49301*', '+49*']);
    });
  });

  describe('contacts', () => {
    it('createWithNumbers adds the contact and its allow entries; removing the contact removes them', async () => {
      const { store } = await open({ clock });
      await store.entries.create({ number: '+4930555', kind: 'allow', label: 'shared landline' });
      const { contact, entries, skipped } = await store.contacts.createWithNumbers(
        { name: 'Oma Gisela', vip: true, source: 'fritzbox', externalId: '3' },
        [{ number: '+4930555' }, { number: '+491701234560', label: 'Oma mobil' }, { number: '+4930777' }],
      );
      expect(contact).toEqual({
        id: contact.id,
        name: 'Oma Gisela',
        vip: true,
        source: 'fritzbox',
        externalId: '3',
        createdAt: T0,
      });
      expect(skipped).toBe(1);
      expect(entries.map((e) => [e.number, e.kind, e.label, e.vip, e.source, e.contactId])).toEqual([
        ['+491701234560', 'allow', 'Oma mobil', true, 'fritzbox', contact.id],
        ['+4930777', 'allow', 'Oma Gisela', true, 'fritzbox', contact.id],
      ]);
      expect((await store.contacts.findByExternalId('fritzbox', '3')).map((c) => c.id)).toEqual([contact.id]);
      expect((await store.contacts.list({ search: 'gisela' })).items).toHaveLength(1);

      expect(await store.contacts.remove(contact.id)).toBe(true);
      expect(await store.contacts.get(contact.id)).toBeUndefined();
      expect((await store.entries.list()).items.map((e) => e.number)).toEqual(['+4930555']);
    });

    it('createWithNumbers is all or nothing', async () => {
      const { store } = await open();
      await expect(
        store.contacts.createWithNumbers({ name: 'Broken' }, [{ number: '+4930111' }, { number: 'not a number' }]),
      ).rejects.toThrow(expect.objectContaining({ code: 'invalid' }));
      expect((await store.contacts.list()).items).toEqual([]);
      expect(await store.entries.count()).toBe(0);
    });
  });
});

describe('entries.match on SQLite', () => {
  async function seeded() {
    const { store } = tempStore({ clock });
    await seedMatch(store);
    return { store };
  }

  it('uses the entries_number index, one probe per key, and the prefix_lengths key; never a table scan', async () => {
    const { store } = await seeded();
    const plan = queryPlan(store, matchSql(), [CALLER, CALLER.length, CALLER, CALLER, null, null]).join('\n');
    expect(plan).toMatch(/SEARCH entries USING INDEX entries_number \(number=\?/);
    expect(plan).toMatch(/SEARCH prefix_lengths USING PRIMARY KEY \(tbl=\? AND len<\?\)/);
    expect(plan).not.toMatch(/SCAN (entries|prefix_lengths)/);
    // Hiding unfinished imports reads only them, not the history of every import.
    expect(plan).toMatch(/SCAN imports USING INDEX imports_unfinished/);
  });
});
