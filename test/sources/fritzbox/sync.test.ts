/**
 * The fritzbox source against the fake FRITZ!Box (AVM's X_AVM-DE_OnTel): phone books into allow entries (VIP from
 * category 1), the call-barring list into block entries, unchanged books skipped, a number the box drops removed —
 * unless the person holds it too —, a failing box leaving the entries in force, the certificate pinned on first use,
 * and numbers blocked here written to the box's barring list through the outbox.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createServiceJobs } from '../../../src/jobs/service-jobs.js';
import { ensureEnvSources } from '../../../src/sources/env-source.js';
import type { Source } from '../../../src/store/index.js';
import { type FakeContact, FakeFritzbox } from '../../helpers/fake-fritzbox.js';
import { startService } from '../../helpers/service.js';
import { onPostgres } from '../../helpers/service-store.js';
import { selfSignedCertificate } from '../../helpers/tls.js';
import { sqliteOf } from '../../store/helpers.js';
import { silent } from '../helpers.js';

const ANNA: FakeContact = { realName: 'Anna', numbers: [{ type: 'mobile', value: '0170 1111111' }], category: 1 };
const BOB: FakeContact = {
  realName: 'Bob',
  numbers: [
    { type: 'home', value: '030 2222222' },
    { type: 'intern', value: '**610' },
  ],
};
const WORK: FakeContact = { realName: 'Büro', numbers: [{ type: 'work', value: '089 3333333' }] };
const SPAM: FakeContact = { realName: '030 9999999', numbers: [{ type: 'home', value: '030 9999999' }] };

async function setup(box: FakeFritzbox, env: Record<string, string> = {}) {
  const svc = await startService({
    env: {
      CALLFILTER_HOME_AREA_CODE: '30',
      CALLFILTER_FRITZBOX_URL: box.url,
      CALLFILTER_FRITZBOX_USER: 'callfilter',
      CALLFILTER_FRITZBOX_PASSWORD: 'box-secret',
      ...env,
    },
  });
  const jobs = createServiceJobs(svc.ctx, { random: () => 0.5 });
  onTestFinished(() => jobs.close());
  await ensureEnvSources(jobs.sources, svc.ctx.config, silent);
  const source = async () => (await jobs.sources.find('fritzbox')) as Source;
  const sync = async () => jobs.sources.sync(await source());
  const held = async () =>
    (await svc.ctx.store.origins.list('fritzbox'))
      .map((r) => `${r.kind} ${r.number}${r.vip ? ' VIP' : ''} ${r.label ?? ''}`.trim())
      .sort();
  return { svc, jobs, source, sync, held };
}

describe('FRITZ!Box source', () => {
  it('keeps the phone books as allow entries and the barring list as block entries, skipping unchanged books', async () => {
    const box = await FakeFritzbox.start({
      books: [
        { name: 'Telefonbuch', contacts: [ANNA, BOB] },
        { name: 'Arbeit', contacts: [WORK] },
      ],
      barring: [SPAM],
    });
    const { sync, held, svc, source } = await setup(box);
    let r = await sync();
    expect(r.outcome, r.message).toBe('synced');
    expect(await held()).toEqual([
      'allow +491701111111 VIP Anna',
      'allow +49302222222 Bob',
      'allow +49893333333 Büro',
      'block +49309999999',
    ]);
    expect((await svc.ctx.store.entries.findByNumber('+49309999999', false, 'block'))[0]).toMatchObject({
      source: 'fritzbox',
    });

    const downloads = () => box.requests.filter((q) => q.path === '/phonebook.lua').length;
    const before = downloads();
    r = await sync();
    expect(r.outcome, r.message).toBe('unchanged');
    expect(r.message).toMatch(/^no changes: 4 entries \(3 unchanged lists skipped\)/);
    expect(downloads() - before).toBe(3);

    // Anna leaves the box, Carla joins.
    box.books[0]!.contacts.shift();
    box.addContact(0, { realName: 'Carla', numbers: [{ type: 'home', value: '040 4444444' }] });
    r = await sync();
    expect(r.message).toMatch(/^1 added, 0 changed, 1 removed: 4 entries/);
    expect(await held()).toContain('allow +49404444444 Carla');
    expect(await svc.ctx.store.entries.findByNumber('+491701111111', false, 'allow')).toEqual([]);
    expect((await source()).state.timestamps).toMatchObject({
      'book:Telefonbuch': expect.any(String),
      barring: expect.any(String),
    });
  });

  it('a number from the box and from the person stays when the box drops it; one from the box alone goes', async () => {
    const box = await FakeFritzbox.start({ books: [{ name: 'Telefonbuch', contacts: [ANNA, BOB] }] });
    const { sync, svc } = await setup(box);
    const mine = await svc.ctx.store.entries.create({
      number: '+491701111111',
      kind: 'allow',
      label: 'Anna (mine)',
      source: 'api',
    });
    await sync();
    const bob = (await svc.ctx.store.entries.findByNumber('+49302222222', false, 'allow'))[0]!;
    const origins = await svc.ctx.store.origins.forEntries([mine.id, bob.id]);
    expect(origins.get(mine.id)!.map((o) => o.origin)).toEqual(['manual', 'fritzbox']);
    expect(origins.get(bob.id)!.map((o) => o.origin)).toEqual(['fritzbox']);

    box.books[0]!.contacts.length = 0;
    box.addContact(0, WORK);
    await sync();
    expect(await svc.ctx.store.entries.get(mine.id)).toMatchObject({ label: 'Anna (mine)' });
    expect(await svc.ctx.store.entries.get(bob.id)).toBeUndefined();
  });

  it('only the phone books named; a name the box does not have fails the sync and keeps the entries', async () => {
    const box = await FakeFritzbox.start({
      books: [
        { name: 'Telefonbuch', contacts: [ANNA] },
        { name: 'Arbeit', contacts: [WORK] },
      ],
    });
    const { sync, held, svc, jobs, source } = await setup(box, { CALLFILTER_FRITZBOX_PHONEBOOKS: 'Arbeit' });
    await sync();
    expect(await held()).toEqual(['allow +49893333333 Büro']);
    await svc.ctx.store.sources.update((await source()).id, {
      settings: { ...(await source()).settings, phonebooks: ['Privat'] },
    });
    const r = await jobs.sources.sync(await source());
    expect(r.outcome).toBe('failed');
    expect(r.message).toBe('no phone book named "Privat" on the FRITZ!Box (it has "Telefonbuch", "Arbeit")');
    expect(await held()).toEqual(['allow +49893333333 Büro']);
  });

  it('a wrong password fails without retrying; a locked box (503) is said so; the entries stay in force', async () => {
    const box = await FakeFritzbox.start({ books: [{ name: 'Telefonbuch', contacts: [ANNA] }], failuresBeforeLock: 2 });
    const { sync, held, svc, source } = await setup(box);
    await sync();
    await svc.ctx.store.sources.update((await source()).id, {
      credentials: { username: 'callfilter', password: 'wrong' },
    });
    let r = await sync();
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/refused the login as "callfilter"/);
    expect(r.message).not.toContain('wrong');
    r = await sync();
    r = await sync();
    expect(r.message).toMatch(/refuses logins for a while after failed ones \(HTTP 503/);
    expect(await held()).toEqual(['allow +491701111111 VIP Anna']);
    expect((await source()).failures).toBe(3);
  });

  // Reaches into the SQLite file itself: SQLite only (a node on PostgreSQL: test/cluster).
  it.skipIf(onPostgres)('pins the certificate of an https box on first use and refuses another one later', async () => {
    const cert = selfSignedCertificate();
    const box = await FakeFritzbox.start({ books: [{ name: 'Telefonbuch', contacts: [ANNA] }], tls: cert });
    const { sync, source, svc } = await setup(box);
    expect((await sync()).outcome).toBe('synced');
    expect((await source()).state.certSha256).toBe(cert.sha256);
    const s = await source();
    sqliteOf(svc.ctx.store)
      .db.prepare('UPDATE sources SET state = ? WHERE id = ?')
      .run(JSON.stringify({ ...s.state, certSha256: selfSignedCertificate().sha256 }), s.id);
    const r = await sync();
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/presented a certificate with SHA-256 fingerprint/);
  });

  it('with CALLFILTER_FRITZBOX_WRITE_BARRING, blocking here puts the number on the box and unblocking takes it off', async () => {
    const box = await FakeFritzbox.start({ books: [{ name: 'Telefonbuch', contacts: [] }] });
    const { svc, jobs, sync } = await setup(box, { CALLFILTER_FRITZBOX_WRITE_BARRING: 'true' });
    await sync();
    const { buildApp } = await import('../../../src/api/app.js');
    const app = buildApp(svc.ctx, {
      agiListening: svc.agiListening,
      metrics: svc.metrics,
      token: 'test-token-0123456789',
      jobs,
    });
    onTestFinished(() => app.close());
    const auth = { authorization: 'Bearer test-token-0123456789' };
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/entries',
      headers: auth,
      payload: { number: '030 7777777', kind: 'block', label: 'Lotto' },
    });
    expect(res.statusCode, res.body).toBe(201);
    await jobs.dispatcher.dispatchDue();
    expect(box.barring.contacts.map((c) => [c.realName, c.numbers[0]!.value])).toEqual([['Lotto', '0307777777']]);

    // The next sync finds it on the box: the entry now has both origins.
    await sync();
    const id = (res.json() as { id: number }).id;
    expect((await svc.ctx.store.origins.forEntries([id])).get(id)!.map((o) => o.origin)).toEqual([
      'manual',
      'fritzbox',
    ]);

    expect((await app.inject({ method: 'DELETE', url: `/api/v1/entries/${id}`, headers: auth })).statusCode).toBe(204);
    await jobs.dispatcher.dispatchDue();
    expect(box.barring.contacts).toEqual([]);
    await sync();
    expect(await svc.ctx.store.entries.findByNumber('+49307777777', false, 'block')).toEqual([]);
  });
});
