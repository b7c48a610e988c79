/** Entries' origins in the API: listed per entry, filtered by, kept with POST /entries/{id}/keep, claimed by an edit. */
import { describe, expect, it } from 'vitest';
import { startApi, TOKEN } from '../helpers/api.js';

const auth = { authorization: `Bearer ${TOKEN}` };

describe('entry origins in the API', () => {
  it("shows every origin, filters by origin, and keep or an edit makes a synced entry the person's", async () => {
    const api = await startApi();
    const { store } = api.ctx;
    await store.origins.sync('fritzbox', {
      parts: new Map([
        [
          'book:Telefonbuch',
          [
            { number: '+4930111111', kind: 'allow', externalId: 'book:Telefonbuch', label: 'Anna' },
            { number: '+4930222222', kind: 'allow', externalId: 'book:Telefonbuch', label: 'Bob' },
          ],
        ],
      ]),
    });
    const mine = await api.app.inject({
      method: 'POST',
      url: '/api/v1/entries',
      headers: auth,
      payload: { number: '030 333333', kind: 'block' },
    });
    expect(mine.json()).toMatchObject({ origins: [{ origin: 'manual' }] });

    const synced = await api.app.inject({ method: 'GET', url: '/api/v1/entries?origin=fritzbox', headers: auth });
    const items = synced.json().items as {
      id: number;
      number: string;
      origins: { origin: string; label?: string; externalId?: string }[];
    }[];
    expect(items.map((e) => e.number)).toEqual(['+4930222222', '+4930111111']);
    expect(items[0]!.origins).toEqual([
      { origin: 'fritzbox', label: 'Bob', externalId: 'book:Telefonbuch', vip: false, addedAt: expect.any(Number) },
    ]);
    const manual = await api.app.inject({ method: 'GET', url: '/api/v1/entries?origin=manual', headers: auth });
    expect(manual.json().items.map((e: { number: string }) => e.number)).toEqual(['+4930333333']);

    const bob = items[0]!.id;
    const anna = items[1]!.id;
    const kept = await api.app.inject({ method: 'POST', url: `/api/v1/entries/${bob}/keep`, headers: auth });
    expect(kept.statusCode).toBe(200);
    expect(kept.json().origins.map((o: { origin: string }) => o.origin)).toEqual(['fritzbox', 'manual']);
    expect(
      (await api.app.inject({ method: 'POST', url: `/api/v1/entries/${bob}/keep`, headers: auth })).statusCode,
    ).toBe(200);
    expect((await api.app.inject({ method: 'POST', url: '/api/v1/entries/999/keep', headers: auth })).statusCode).toBe(
      404,
    );
    const edited = await api.app.inject({
      method: 'PATCH',
      url: `/api/v1/entries/${anna}`,
      headers: auth,
      payload: { note: 'my aunt' },
    });
    expect(edited.json().origins.map((o: { origin: string }) => o.origin)).toEqual(['fritzbox', 'manual']);

    // The box drops both: both stay, now the person's.
    await store.origins.sync('fritzbox', { parts: new Map([['book:Telefonbuch', []]]) });
    expect(await store.entries.get(bob)).toBeDefined();
    expect(await store.entries.get(anna)).toMatchObject({ note: 'my aunt' });
  });

  it('adds a FRITZ!Box or CardDAV source through POST /sources, credentials write-only', async () => {
    const api = await startApi();
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/sources',
      headers: auth,
      payload: {
        kind: 'carddav',
        name: 'nextcloud',
        url: 'https://cloud.example/remote.php/dav',
        books: ['Kontakte'],
        credentials: { username: 'anna', password: 'app-pw' },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      kind: 'carddav',
      settings: { url: 'https://cloud.example/remote.php/dav', books: ['Kontakte'] },
      hasCredentials: true,
      schedule: { interval: '15m' },
    });
    expect(res.body).not.toContain('app-pw');
    const bad = await api.app.inject({
      method: 'POST',
      url: '/api/v1/sources',
      headers: auth,
      payload: { kind: 'fritzbox', name: 'manual', url: 'http://fritz.box:49000' },
    });
    expect(bad.statusCode).toBe(400);
  });
});
