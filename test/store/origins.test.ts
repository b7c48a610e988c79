import { describe, expect, it } from 'vitest';
import { ORIGIN_SMALL_CHANGES, type OriginRow } from '../../src/store/index.js';
import { usePostgresDatabase } from './engines.js';
import { entriesEngines } from './entries-engines.js';

const postgres = usePostgresDatabase('origins');

const T0 = Date.UTC(2025, 0, 15, 9, 0);
let now = T0;
const clock = () => now;

const part = (externalId: string, ...rows: Omit<OriginRow, 'externalId'>[]) =>
  new Map([[externalId, rows.map((r) => ({ ...r, externalId }))]]);

describe.each(entriesEngines(postgres))('%s: entry origins', (_, open) => {
  it('a sync adds and removes only its own origin; an entry goes with its last origin', async () => {
    const { store } = await open({ clock });
    const anna = { number: '+4930111111', kind: 'allow' as const, label: 'Anna' };
    const bob = { number: '+4930222222', kind: 'allow' as const, label: 'Bob', vip: true };
    let r = await store.origins.sync('fritzbox', { parts: part('book:Telefonbuch', anna, bob) });
    expect(r).toEqual({ added: 2, changed: 0, removed: 0, entriesCreated: 2, entriesRemoved: 0 });
    now = T0 + 60_000;
    r = await store.origins.sync('carddav', { parts: part('/anna.vcf', { ...anna, label: 'Anna Schmidt' }) });
    now = T0;
    expect(r.entriesCreated).toBe(0);
    const annaEntry = (await store.entries.findByNumber('+4930111111', false, 'allow'))[0]!;
    expect(annaEntry).toMatchObject({ label: 'Anna', source: 'fritzbox' });
    expect((await store.origins.forEntries([annaEntry.id])).get(annaEntry.id)!.map((o) => o.origin)).toEqual([
      'fritzbox',
      'carddav',
    ]);

    // The box drops Anna: CardDAV still has her, and names her now.
    r = await store.origins.sync('fritzbox', { parts: part('book:Telefonbuch', bob) });
    expect(r).toMatchObject({ removed: 1, entriesRemoved: 0 });
    expect(await store.entries.get(annaEntry.id)).toMatchObject({ label: 'Anna Schmidt' });
    // CardDAV drops her too: the entry goes.
    r = await store.origins.sync('carddav', { parts: part('/anna.vcf') });
    expect(r).toMatchObject({ removed: 1, entriesRemoved: 1 });
    expect(await store.entries.get(annaEntry.id)).toBeUndefined();
    expect((await store.entries.findByNumber('+4930222222', false, 'allow'))[0]).toMatchObject({
      vip: true,
      label: 'Bob',
    });
  });

  it("never removes the person's entry: one they had, one they edited or kept", async () => {
    const { store } = await open({ clock });
    const own = await store.entries.create({ number: '+4930333333', kind: 'allow', label: 'Mine', source: 'api' });
    await store.origins.sync('fritzbox', {
      parts: part(
        'book:A',
        { number: '+4930333333', kind: 'allow', label: 'Box name' },
        { number: '+4930444444', kind: 'allow' },
      ),
    });
    const synced = (await store.entries.findByNumber('+4930444444', false, 'allow'))[0]!;
    expect(await store.origins.claim(synced.id)).toBe(true);
    expect(await store.origins.claim(synced.id)).toBe(false);
    expect(await store.origins.claim(own.id)).toBe(false);
    expect((await store.entries.get(own.id))!.label).toBe('Mine');

    await store.origins.sync('fritzbox', { parts: part('book:A') });
    expect(await store.entries.get(own.id)).toMatchObject({ label: 'Mine' });
    expect(await store.entries.get(synced.id)).toBeDefined();
    expect((await store.origins.forEntries([own.id, synced.id])).get(own.id)!.map((o) => o.origin)).toEqual(['manual']);
    expect(await store.origins.count('fritzbox')).toBe(0);
  });

  it('a full resync clears what the origin no longer has under a prefix; other books stay', async () => {
    const { store } = await open({ clock });
    await store.origins.sync('carddav', {
      parts: new Map([
        ['/a/1.vcf', [{ number: '+4930100001', kind: 'allow', externalId: '' }]],
        ['/b/1.vcf', [{ number: '+4930100002', kind: 'allow', externalId: '' }]],
      ]),
    });
    await store.origins.sync('carddav', { parts: new Map(), clearPrefixes: ['/a/'] });
    expect((await store.origins.list('carddav')).map((r) => r.number)).toEqual(['+4930100002']);
  });

  it('called: expires unless called again; keeping it makes it permanent', async () => {
    const { store } = await open({ clock });
    now = T0;
    const day = 86_400_000;
    expect(
      await store.origins.touch('called', {
        number: '+4930555555',
        kind: 'allow',
        externalId: '',
        expiresAt: T0 + 180 * day,
      }),
    ).toBe('added');
    const e = (await store.entries.findByNumber('+4930555555', false, 'allow'))[0]!;
    expect(e.expiresAt).toBe(T0 + 180 * day);
    now = T0 + 100 * day;
    expect(
      await store.origins.touch('called', {
        number: '+4930555555',
        kind: 'allow',
        externalId: '',
        expiresAt: now + 180 * day,
      }),
    ).toBe('refreshed');
    expect((await store.entries.get(e.id))!.expiresAt).toBe(T0 + 280 * day);
    expect((await store.origins.removeExpired('called', T0 + 200 * day)).removed).toBe(0);
    expect((await store.origins.removeExpired('called', T0 + 281 * day)).entriesRemoved).toBe(1);
    expect(await store.entries.get(e.id)).toBeUndefined();

    await store.origins.touch('called', { number: '+4930666666', kind: 'allow', externalId: '', expiresAt: T0 + day });
    const kept = (await store.entries.findByNumber('+4930666666', false, 'allow'))[0]!;
    await store.origins.claim(kept.id);
    expect((await store.entries.get(kept.id))!.expiresAt).toBeUndefined();
    await store.origins.removeExpired('called', T0 + 2 * day);
    expect(await store.entries.get(kept.id)).toBeDefined();
    now = T0;
  });

  it('applies a big sync in paced steps with the same result, and filters entries by origin', async () => {
    const { store } = await open({ clock });
    const rows = Array.from({ length: ORIGIN_SMALL_CHANGES + 500 }, (_, i) => ({
      number: `+49301${String(i).padStart(6, '0')}`,
      kind: 'allow' as const,
    }));
    const r = await store.origins.sync('carddav', { parts: part('/big.vcf', ...rows) });
    expect(r.entriesCreated).toBe(rows.length);
    expect(await store.origins.count('carddav')).toBe(rows.length);
    await store.entries.create({ number: '+4940123456', kind: 'block' });
    expect((await store.entries.list({ origin: 'manual' })).items.map((e) => e.number)).toEqual(['+4940123456']);
    expect((await store.entries.list({ origin: 'carddav', limit: 5 })).items).toHaveLength(5);
    expect((await store.entries.list({ origin: 'fritzbox' })).items).toHaveLength(0);
  });
});
