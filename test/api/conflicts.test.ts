/**
 * Conflicts in the API: an import that puts numbers on both lists says which and who wins; the entries API marks
 * entries in conflict, and adding a single conflicting entry says so in its answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startApi } from '../helpers/api.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/import');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const HOME = { env: { CALLFILTER_HOME_AREA_CODE: '30' } };

interface Side {
  id: number;
  kind: string;
  number: string;
  prefix: boolean;
  label?: string;
  source: string;
  contactId?: number;
}
interface Conflict {
  number: string;
  prefix: boolean;
  wins: Side;
  loses: Side;
  why: string;
}
interface Report {
  added: number;
  conflicts: Conflict[];
  conflictCount: number;
}
interface Entry {
  id: number;
  number: string;
  kind: string;
  conflicts?: Conflict[];
}

describe('conflicts in import reports', () => {
  it('a CSV blocklist of contacts: "11 added" and the 10 numbers both lists hold, each won by the contact', async () => {
    const api = await startApi(HOME);
    expect((await api.upload<Report>('/api/v1/import', fixture('contacts.vcf'), 'text/vcard')).body).toMatchObject({
      conflicts: [],
      conflictCount: 0,
    });
    const res = await api.upload<Report>('/api/v1/import?kind=block', fixture('blocklist-semicolon.csv'), 'text/csv');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ added: 11, conflictCount: 10 });
    expect(res.body.conflicts).toHaveLength(10);
    for (const c of res.body.conflicts) {
      expect(c).toMatchObject({
        prefix: false,
        why: 'allow beats block',
        wins: { kind: 'allow', source: 'vcard', number: c.number },
        loses: { kind: 'block', source: 'csv', number: c.number },
      });
      expect(c.wins.contactId).toEqual(expect.any(Number));
    }
    const boehm = res.body.conflicts.find((c) => c.number === '+493012345670');
    expect(boehm?.wins.label).toBe('Jürgen Böhm');
    expect(boehm?.loses.label).toBe('Gewinnspiel-Hotline');
    // That is how calls go: the contact rings.
    expect((await api.call('030 12345670')).variables).toMatchObject({
      CALLFILTER_ACTION: 'connect',
      CALLFILTER_REASON: 'contact',
    });

    // Importing the same blocklist again adds nothing, but the conflicts are still there and still reported.
    const again = await api.upload<Report>('/api/v1/import?kind=block', fixture('blocklist-semicolon.csv'), 'text/csv');
    expect(again.body).toMatchObject({ added: 0, conflictCount: 10 });
  });

  it('a contact inside an imported blocked range: the contact wins, exact beats prefix', async () => {
    const api = await startApi(HOME);
    await api.upload('/api/v1/import', fixture('contacts.vcf'), 'text/vcard');
    const res = await api.upload<Report>(
      '/api/v1/import?kind=block',
      'number;name\n030 1234567*;Whole block\n',
      'text/csv',
    );
    // +49301234567 0–9 are ten contact numbers (some on one card).
    expect(res.body.conflictCount).toBe(10);
    expect(res.body.conflicts[0]).toMatchObject({
      prefix: false,
      why: 'exact beats prefix',
      wins: { kind: 'allow', prefix: false, source: 'vcard' },
      loses: { kind: 'block', number: '+49301234567', prefix: true, label: 'Whole block' },
    });
    expect((await api.call('030 12345677')).variables.CALLFILTER_REASON).toBe('contact');
  });

  it("the other way round: blocked numbers inside a phone book contact's range win, and a longer prefix wins over a shorter one", async () => {
    const api = await startApi(HOME);
    await api.ctx.store.entries.create({ number: '+498912345671', kind: 'block', label: 'Robot', source: 'api' });
    await api.ctx.store.entries.create({
      number: '+498912',
      kind: 'block',
      prefix: true,
      label: 'Munich range',
      source: 'api',
    });
    const res = await api.upload<Report>('/api/v1/import', fixture('fritzbox-phonebook.xml'), 'application/xml');
    const hausverwaltung = res.body.conflicts.filter(
      (c) => c.wins.number === '+498912345671' || c.loses.number === '+498912345671',
    );
    expect(hausverwaltung).toContainEqual(
      expect.objectContaining({
        number: '+498912345671',
        prefix: false,
        why: 'exact beats prefix',
        wins: expect.objectContaining({ kind: 'block', label: 'Robot' }),
        loses: expect.objectContaining({ kind: 'allow', number: '+49891234567', prefix: true }),
      }),
    );
    expect(res.body.conflicts).toContainEqual(
      expect.objectContaining({
        number: '+49891234567',
        prefix: true,
        why: 'longer prefix',
        wins: expect.objectContaining({ kind: 'allow', prefix: true }),
        loses: expect.objectContaining({ label: 'Munich range' }),
      }),
    );
    expect((await api.call('089 12345671')).variables.CALLFILTER_REASON).toBe('blocklist');
  });

  it('lists the first 100 conflicts and counts them all', async () => {
    const api = await startApi(HOME);
    const numbers = Array.from({ length: 150 }, (_, i) => `+4930555${String(i).padStart(4, '0')}`);
    await api.ctx.store.entries.bulkInsert(
      numbers.map((number) => ({ number, kind: 'allow' as const, source: 'api' })),
    );
    const res = await api.upload<Report>('/api/v1/import?kind=block', `${numbers.join('\n')}\n`, 'text/csv');
    expect(res.body).toMatchObject({ added: 150, conflictCount: 150 });
    expect(res.body.conflicts).toHaveLength(100);
  });
});

describe('conflicts in the entries API', () => {
  it('marks the entries in conflict, and answers an added entry with the entry it conflicts with and who wins', async () => {
    const api = await startApi(HOME);
    const anna = await api.json<Entry>('POST', '/api/v1/entries', {
      number: '0170 1234567',
      kind: 'allow',
      label: 'Anna',
    });
    expect(anna.status).toBe(201);
    expect(anna.body.conflicts).toBeUndefined();

    const block = await api.json<Entry>('POST', '/api/v1/entries', {
      number: '0170 1234567',
      kind: 'block',
      label: 'mistake',
    });
    expect(block.status).toBe(201);
    expect(block.body.conflicts).toEqual([
      {
        number: '+491701234567',
        numberNational: '0170 1234567',
        prefix: false,
        why: 'allow beats block',
        wins: {
          id: anna.body.id,
          kind: 'allow',
          number: '+491701234567',
          numberNational: '0170 1234567',
          prefix: false,
          label: 'Anna',
          source: 'api',
        },
        loses: {
          id: block.body.id,
          kind: 'block',
          number: '+491701234567',
          numberNational: '0170 1234567',
          prefix: false,
          label: 'mistake',
          source: 'api',
        },
      },
    ]);
    const range = await api.json<Entry>('POST', '/api/v1/entries', { number: '0170 12345*', kind: 'block' });
    expect(range.body).toMatchObject({ number: '+4917012345', numberNational: '0170 12345', prefix: true });
    expect(range.body.conflicts).toMatchObject([
      {
        number: '+491701234567',
        why: 'exact beats prefix',
        wins: { id: anna.body.id },
        loses: { numberNational: '0170 12345' },
      },
    ]);

    const { items } = (await api.json<{ items: Entry[] }>('GET', '/api/v1/entries')).body;
    const byId = new Map(items.map((e) => [e.id, e]));
    expect(byId.get(anna.body.id)?.conflicts?.map((c) => c.loses.id)).toEqual([block.body.id, range.body.id]);
    expect(byId.get(block.body.id)?.conflicts).toHaveLength(1);
    expect((await api.json<Entry>('GET', `/api/v1/entries/${range.body.id}`)).body.conflicts).toHaveLength(1);

    // Resolved by removing one side: no conflict left on the other.
    expect((await api.inject({ method: 'DELETE', url: `/api/v1/entries/${block.body.id}` })).statusCode).toBe(204);
    expect((await api.inject({ method: 'DELETE', url: `/api/v1/entries/${range.body.id}` })).statusCode).toBe(204);
    expect((await api.json<Entry>('GET', `/api/v1/entries/${anna.body.id}`)).body.conflicts).toBeUndefined();
  });

  it('leaves expired entries out: they decide nothing', async () => {
    const api = await startApi(HOME);
    await api.ctx.store.entries.create({
      number: '+491701234567',
      kind: 'block',
      expiresAt: Date.now() - 1000,
      source: 'api',
    });
    const live = await api.ctx.store.entries.create({
      number: '+4917012',
      prefix: true,
      kind: 'block',
      expiresAt: Date.now() + 86_400_000,
      source: 'api',
    });
    const anna = await api.json<Entry>('POST', '/api/v1/entries', { number: '0170 1234567', kind: 'allow' });
    expect(anna.body.conflicts?.map((c) => c.loses.id)).toEqual([live.id]);
  });
});
