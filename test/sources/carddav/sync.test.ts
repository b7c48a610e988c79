/**
 * The CardDAV source against a real CardDAV server (Radicale): cards added, changed and deleted upstream are
 * reflected after a sync — incrementally with a sync token, through the ETag comparison when forced, and after the
 * server forgot the token.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createServiceJobs } from '../../../src/jobs/service-jobs.js';
import { defaultSchedule } from '../../../src/sources/schedule.js';
import type { Source } from '../../../src/store/index.js';
import { type Radicale, startRadicale } from '../../helpers/radicale.js';
import { startService } from '../../helpers/service.js';
import { onPostgres } from '../../helpers/service-store.js';
import { sqliteOf } from '../../store/helpers.js';

async function setup(settings: Record<string, unknown> = {}, credentials?: Record<string, string>) {
  const dav = await startRadicale();
  const svc = await startService({ env: { CALLFILTER_HOME_AREA_CODE: '30' } });
  const jobs = createServiceJobs(svc.ctx);
  onTestFinished(() => jobs.close());
  const source = await svc.ctx.store.sources.create({
    name: 'carddav',
    kind: 'carddav',
    settings: { url: dav.url, ...settings },
    credentials: credentials ?? { username: dav.username, password: dav.password },
    schedule: defaultSchedule('carddav', () => 0.5, 15 * 60_000),
  });
  const sync = async () => jobs.sources.sync((await svc.ctx.store.sources.get(source.id)) as Source);
  const held = async () =>
    (await svc.ctx.store.origins.list('carddav')).map((r) => `${r.number} ${r.label ?? ''}`).sort();
  return { dav, svc, sync, held, source };
}

async function addressBookFlow(
  dav: Radicale,
  sync: () => Promise<{ outcome: string; message: string }>,
  held: () => Promise<string[]>,
) {
  const book = await dav.addressBook('contacts', 'Kontakte');
  await dav.putCard(book, 'anna', { fn: 'Anna Schmidt', tel: ['030 1111111', '+49 170 2222222'] });
  await dav.putCard(book, 'bob', { fn: 'Bob', tel: ['030 3333333'] });
  let r = await sync();
  expect(r.outcome, r.message).toBe('synced');
  expect(await held()).toEqual(['+49301111111 Anna Schmidt', '+49303333333 Bob', '+491702222222 Anna Schmidt'].sort());

  // Change Anna (a new mobile number), delete Bob, add Carla.
  await dav.putCard(book, 'anna', { fn: 'Anna Schmidt', tel: ['030 1111111', '+49 171 4444444'] });
  await dav.deleteCard(book, 'bob');
  await dav.putCard(book, 'carla', { fn: 'Carla', tel: ['040 5555555'] });
  r = await sync();
  expect(r.outcome, r.message).toBe('synced');
  expect(await held()).toEqual(
    ['+49301111111 Anna Schmidt', '+49405555555 Carla', '+491714444444 Anna Schmidt'].sort(),
  );

  r = await sync();
  expect(r.message).toMatch(/^no changes: 3 entries/);
  return book;
}

describe('CardDAV source against Radicale', () => {
  it('reflects cards added, changed and deleted upstream (sync-collection with a token)', async () => {
    const { dav, sync, held, svc, source } = await setup();
    await addressBookFlow(dav, sync, held);
    const state = (await svc.ctx.store.sources.get(source.id))!.state as {
      books: Record<string, { token?: string; etags?: unknown }>;
    };
    expect(Object.values(state.books)[0]).toMatchObject({ name: 'Kontakte', token: expect.stringMatching(/^http/) });
    expect(Object.values(state.books)[0]!.etags).toBeUndefined();
    // The entries are allow entries, named after the card.
    expect((await svc.ctx.store.entries.findByNumber('+49405555555', false, 'allow'))[0]).toMatchObject({
      label: 'Carla',
      source: 'carddav',
    });
  }, 60_000);

  it('reflects the same through the ETag comparison when forced (a server without sync-collection)', async () => {
    const { dav, sync, held, svc, source } = await setup({ mode: 'etag' });
    await addressBookFlow(dav, sync, held);
    const state = (await svc.ctx.store.sources.get(source.id))!.state as {
      books: Record<string, { token?: string; etags?: Record<string, string> }>;
    };
    const book = Object.values(state.books)[0]!;
    expect(book.token).toBeUndefined();
    expect(Object.keys(book.etags ?? {}).sort()).toEqual(['/anna/contacts/anna.vcf', '/anna/contacts/carla.vcf']);
  }, 60_000);

  // Reaches into the SQLite file itself: SQLite only (a node on PostgreSQL: test/cluster).
  it.skipIf(onPostgres)(
    'starts a book over when the server no longer knows the token',
    async () => {
      const { dav, sync, held, svc, source } = await setup();
      const book = await dav.addressBook('contacts', 'Kontakte');
      await dav.putCard(book, 'anna', { fn: 'Anna', tel: ['030 1111111'] });
      expect((await sync()).outcome).toBe('synced');
      const current = (await svc.ctx.store.sources.get(source.id))!;
      const books = (current.state as { books: Record<string, { name: string; token: string }> }).books;
      for (const b of Object.values(books))
        b.token = 'http://radicale.org/ns/sync/0000000000000000000000000000000000000000000000000000000000000000';
      sqliteOf(svc.ctx.store)
        .db.prepare('UPDATE sources SET state = ? WHERE id = ?')
        .run(JSON.stringify({ books }), source.id);
      await dav.deleteCard(book, 'anna');
      await dav.putCard(book, 'bob', { fn: 'Bob', tel: ['030 3333333'] });
      const r = await sync();
      expect(r.outcome, r.message).toBe('synced');
      expect(await held()).toEqual(['+49303333333 Bob']);
    },
    60_000,
  );

  it('only the chosen books; a wrong password fails and keeps the entries in force', async () => {
    const { dav, sync, held, svc, source } = await setup({ books: ['Familie'] });
    const work = await dav.addressBook('work', 'Arbeit');
    const family = await dav.addressBook('family', 'Familie');
    await dav.putCard(work, 'boss', { fn: 'Boss', tel: ['030 9999999'] });
    await dav.putCard(family, 'mum', { fn: 'Mum', tel: ['030 8888888'] });
    expect((await sync()).outcome).toBe('synced');
    expect(await held()).toEqual(['+49308888888 Mum']);

    await svc.ctx.store.sources.update(source.id, { credentials: { username: dav.username, password: 'wrong' } });
    const r = await sync();
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/refused the login/);
    expect(r.message).not.toContain('wrong');
    expect(await held()).toEqual(['+49308888888 Mum']);
    expect((await svc.ctx.store.sources.get(source.id))!.lastError).toMatch(/refused the login/);
  }, 60_000);
});
