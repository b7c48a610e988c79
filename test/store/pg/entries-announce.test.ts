/**
 * What the entries, contacts and origins do on PostgreSQL that SQLite never had to: announce every change of an entry
 * to the screening replicas (at COMMIT, none on rollback), and stay right with two writers at once, where SQLite had
 * one writer at a time.
 */
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MATCH, OVERLAPPING } from '../../../src/store/pg/entries-operations.js';
import { changePayload, SCREENING_CHANNEL } from '../../../src/store/pg/screening-replica.js';
import { usePostgresDatabase } from '../engines.js';
import { postgresEntriesStore, samePostgres } from '../entries-engines.js';

const postgres = usePostgresDatabase('entries_announce');
const T0 = Date.UTC(2025, 0, 15, 9, 0);
const clock = () => T0;
const entry = (id: number) => changePayload({ entry: id });

/**
 * A LISTEN on the screening channel. `heard()` returns what came since the last call: it sends a marker of its own
 * and waits for it, and notifications arrive in the order their transactions committed, so everything committed
 * before is in.
 */
async function listener(pool: pg.Pool) {
  const client = new pg.Client({ connectionString: pool.options.connectionString as string });
  await client.connect();
  onTestFinished(() => client.end());
  const payloads: string[] = [];
  client.on('notification', (n) => payloads.push(n.payload ?? ''));
  await client.query(`LISTEN ${SCREENING_CHANNEL}`);
  let marks = 0;
  return {
    async heard(): Promise<string[]> {
      const mark = `mark ${++marks}`;
      await pool.query('SELECT pg_notify($1, $2)', [SCREENING_CHANNEL, mark]);
      await expect.poll(() => payloads.includes(mark), { timeout: 5_000, interval: 5 }).toBe(true);
      return payloads.splice(0).filter((p) => p !== mark);
    },
  };
}

async function opened() {
  const pool = await postgres.fresh();
  return { pool, store: postgresEntriesStore(pool, { clock }), listen: await listener(pool) };
}

describe('PostgreSQL: every change of an entry is announced', () => {
  it('entries: create, update, put, remove, bulkInsert, removeExpired — each changed entry once, nothing for no change', async () => {
    const { store, listen } = await opened();
    const a = await store.entries.create({ number: '+4930111', kind: 'allow' });
    expect(await listen.heard()).toEqual([entry(a.id)]);
    await store.entries.update(a.id, { label: 'Anna' });
    expect(await listen.heard()).toEqual([entry(a.id)]);
    await expect(store.entries.create({ number: '+4930111', kind: 'allow' })).rejects.toMatchObject({ code: 'unique' });
    expect(await store.entries.update(9999, { label: 'x' })).toBeUndefined();
    expect(await listen.heard()).toEqual([]);

    const put = await store.entries.put({ number: '+4930111', kind: 'block' });
    expect(await listen.heard()).toEqual([entry(a.id), entry(put.entry.id)]);
    expect(await store.entries.remove(put.entry.id)).toBe(true);
    expect(await store.entries.remove(put.entry.id)).toBe(false);
    expect(await listen.heard()).toEqual([entry(put.entry.id)]);

    await store.entries.create({ number: '+4930222', kind: 'block' });
    await listen.heard();
    expect(
      await store.entries.bulkInsert([
        { number: '+4930222', kind: 'block' },
        { number: '+4930333', kind: 'block', expiresAt: T0 - 1 },
        { number: '+4930444', kind: 'block' },
      ]),
    ).toEqual({ added: 2, skipped: 1 });
    const [expired, kept] = [
      (await store.entries.findByNumber('+4930333', false))[0]?.id as number,
      (await store.entries.findByNumber('+4930444', false))[0]?.id as number,
    ];
    expect(await listen.heard()).toEqual([entry(expired), entry(kept)]);
    expect(await store.entries.removeExpired(T0)).toBe(1);
    expect(await listen.heard()).toEqual([entry(expired)]);
  });

  it('a write that rolls back announces nothing, not even what it had written before it failed', async () => {
    const { store, listen } = await opened();
    const rows = Array.from({ length: 1_500 }, (_, i) => ({ number: `+4930${100_000 + i}`, kind: 'block' as const }));
    // The first 1,000 rows are written (and announced) before the second statement fails.
    await expect(store.entries.bulkInsert([...rows, { number: 'garbage', kind: 'block' }])).rejects.toMatchObject({
      code: 'invalid',
    });
    await expect(
      store.contacts.createManyWithNumbers([
        { contact: { name: 'Anna' }, numbers: [{ number: '+4930555' }] },
        { contact: { name: 'Broken' }, numbers: [{ number: 'not a number' }] },
      ]),
    ).rejects.toMatchObject({ code: 'invalid' });
    expect(await store.entries.count()).toBe(0);
    expect(await listen.heard()).toEqual([]);
  });

  it("contacts: a contact's numbers are announced when added and when the contact's removal takes them along", async () => {
    const { store, listen } = await opened();
    const { contact, entries } = await store.contacts.createWithNumbers({ name: 'Oma' }, [
      { number: '+4930555' },
      { number: '+4930777' },
    ]);
    const ids = entries.map((e) => e.id);
    expect(await listen.heard()).toEqual(ids.map(entry));
    expect(await store.contacts.remove(contact.id)).toBe(true);
    expect(await listen.heard()).toEqual(ids.map(entry));
    expect(await store.entries.count()).toBe(0);
  });

  it('origins: entries a sync creates, changes and removes, and a claim', async () => {
    const { store, listen } = await opened();
    const part = (...numbers: string[]) =>
      new Map([['book:A', numbers.map((number) => ({ number, kind: 'allow' as const, externalId: 'book:A' }))]]);
    await store.origins.sync('fritzbox', { parts: part('+4930111', '+4930222') });
    const [anna, bob] = [
      (await store.entries.findByNumber('+4930111', false))[0]?.id as number,
      (await store.entries.findByNumber('+4930222', false))[0]?.id as number,
    ];
    expect(await listen.heard()).toEqual([entry(anna), entry(bob)]);
    expect(await store.origins.claim(bob)).toBe(true);
    expect(await listen.heard()).toEqual([entry(bob)]);
    await store.origins.sync('fritzbox', { parts: part() });
    expect(await listen.heard()).toEqual([entry(anna)]);
    expect(await store.entries.get(anna)).toBeUndefined();
    expect(await store.entries.get(bob)).toBeDefined();
  });
});

describe('PostgreSQL: two writers at once', () => {
  it('put from two nodes at once: the last word wins, never both kinds for one number', async () => {
    const pool = await postgres.fresh();
    const [one, two] = [postgresEntriesStore(pool), postgresEntriesStore(samePostgres(pool))];
    for (let i = 0; i < 20; i++) {
      const number = `+4930${1000 + i}`;
      await Promise.all([
        one.entries.put({ number, kind: 'block' }),
        two.entries.put({ number, kind: 'allow' }),
        one.entries.put({ number, kind: 'allow', prefix: true }),
        two.entries.put({ number, kind: 'block', prefix: true }),
      ]);
      expect((await one.entries.findByNumber(number, false)).length, number).toBe(1);
      expect((await one.entries.findByNumber(number, true)).length, `${number}*`).toBe(1);
    }
  });

  it('two sources each dropping their origin of one entry at once: the entry goes with the last', async () => {
    const pool = await postgres.fresh();
    const [one, two] = [postgresEntriesStore(pool, { clock }), postgresEntriesStore(samePostgres(pool), { clock })];
    const part = (origin: string, ...numbers: string[]) =>
      new Map([[origin, numbers.map((number) => ({ number, kind: 'allow' as const, externalId: origin }))]]);
    const numbers = Array.from({ length: 20 }, (_, i) => `+4930${2000 + i}`);
    await one.origins.sync('fritzbox', { parts: part('book:A', ...numbers) });
    await two.origins.sync('carddav', { parts: part('/a.vcf', ...numbers) });
    const [a, b] = await Promise.all([
      one.origins.sync('fritzbox', { parts: part('book:A') }),
      two.origins.sync('carddav', { parts: part('/a.vcf') }),
    ]);
    expect(a.entriesRemoved + b.entriesRemoved).toBe(numbers.length);
    expect(await one.entries.count()).toBe(0);
  });

  it('two syncs adding the same new number at once: one entry, both origins', async () => {
    const pool = await postgres.fresh();
    const [one, two] = [postgresEntriesStore(pool, { clock }), postgresEntriesStore(samePostgres(pool), { clock })];
    const numbers = Array.from({ length: 20 }, (_, i) => `+4930${3000 + i}`);
    const rows = (externalId: string) => numbers.map((number) => ({ number, kind: 'allow' as const, externalId }));
    const [a, b] = await Promise.all([
      one.origins.sync('fritzbox', { parts: new Map([['book:A', rows('book:A')]]) }),
      two.origins.sync('carddav', { parts: new Map([['/a.vcf', rows('/a.vcf')]]) }),
    ]);
    expect(a.entriesCreated + b.entriesCreated).toBe(numbers.length);
    expect(await one.entries.count()).toBe(numbers.length);
    expect(await one.origins.count('fritzbox')).toBe(numbers.length);
    expect(await one.origins.count('carddav')).toBe(numbers.length);
  });

  it("a sync whose entries a person removes after it read them: no error, and the person's removal not counted as its own", async () => {
    const pool = await postgres.fresh();
    const store = postgresEntriesStore(pool, { clock });
    const person = postgresEntriesStore(samePostgres(pool), { clock });
    const book = (...rows: { number: string; label?: string }[]) =>
      new Map([['book:A', rows.map((r) => ({ ...r, kind: 'allow' as const, externalId: 'book:A' }))]]);
    await store.origins.sync('fritzbox', { parts: book({ number: '+4930111', label: 'A' }, { number: '+4930222' }) });
    const ids = (await store.origins.list('fritzbox')).map((r) => r.entryId);
    // The sync reads the origin's rows on the pool, then writes in a transaction of its own: the person's removal
    // falls in between.
    const query = pool.query.bind(pool);
    let between = true;
    pool.query = (async (...args: Parameters<typeof query>) => {
      const r = await query(...args);
      if (between && String(args[0]).includes('FROM entry_origins o JOIN entries')) {
        between = false;
        for (const id of ids) await person.entries.remove(id);
      }
      return r;
    }) as typeof pool.query;
    const r = await store.origins.sync('fritzbox', { parts: book({ number: '+4930111', label: 'B' }) });
    expect(r).toEqual({ added: 0, changed: 1, removed: 1, entriesCreated: 0, entriesRemoved: 0 });
    expect(between).toBe(false);
    expect(await store.entries.count()).toBe(0);
  });
});

describe('PostgreSQL: the lookups probe the entries_number index', () => {
  it('match and overlapping read index ranges, not the table', async () => {
    const pool = await postgres.fresh();
    const { entries } = postgresEntriesStore(pool, { clock });
    await entries.bulkInsert(
      Array.from({ length: 20_000 }, (_, i) => ({ number: `+49${3_000_000 + i}`, kind: 'block' as const })),
    );
    await entries.create({ number: '+4930', kind: 'allow', prefix: true });
    await pool.query('ANALYZE entries');
    const plan = async (sql: string, params: unknown[]) =>
      (await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    const match = await plan(MATCH, ['+493000123', 10, null]);
    expect(match).toMatch(/Index Scan using entries_number on entries/);
    expect(match).not.toMatch(/Seq Scan on entries/);
    const overlapping = await plan(OVERLAPPING, ['+4930001', 1, 'allow', T0, 1000]);
    expect(overlapping).toMatch(/Index Cond: \(\(number >= '\+4930001'::text\) AND \(number < '\+4930002'::text\)\)/);
    expect(overlapping).not.toMatch(/Seq Scan on entries/);
  });
});
