import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { multipart, startApi } from '../helpers/api.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/import');
const HOME = { env: { CALLFILTER_HOME_AREA_CODE: '30' } };

interface List {
  id: number;
  name: string;
  threshold: number;
  entryCount: number;
  activeVersion: number;
  enabled: boolean;
  label?: string;
  syncCursor?: string;
}
interface Created {
  list: List;
  import?: { format: string; added: number; skipped: number; removed: number; version: number; ignoredCount: number };
}

describe('/api/v1/lists', () => {
  it('creates a list from an uploaded JSON file {phone, votes}, and its threshold decides', async () => {
    const api = await startApi(HOME);
    const file = JSON.stringify([
      { phone: '+4989 1234567-0', votes: 20 },
      { phone: '089 12345671', votes: 2 },
      { phone: '+498912345670', votes: 5 },
    ]);
    const res = await api.upload<Created>(
      '/api/v1/lists?name=Callcenter&threshold=4&label=SPAM',
      file,
      'application/json',
    );
    expect(res.status).toBe(201);
    expect(res.body.list).toMatchObject({
      name: 'Callcenter',
      threshold: 4,
      entryCount: 2,
      activeVersion: 1,
      enabled: true,
      label: 'SPAM',
    });
    expect(res.body.import).toMatchObject({ format: 'json', added: 2, skipped: 1, removed: 0, version: 1 });

    const hit = await api.call('089 12345670');
    expect(hit.variables).toMatchObject({ CALLFILTER_ACTION: 'announce', CALLFILTER_REASON: 'spam-list' });
    expect((await api.call('089 12345671')).variables.CALLFILTER_REASON).toBe('unknown');

    // Threshold per list: 2 votes are now enough.
    const patched = await api.json<List>('PATCH', `/api/v1/lists/${res.body.list.id}`, { threshold: 2 });
    expect(patched.body.threshold).toBe(2);
    expect((await api.call('089 12345671')).variables.CALLFILTER_REASON).toBe('spam-list');

    const rows = await api.json<{ items: { number: string; score: number }[] }>(
      'GET',
      `/api/v1/lists/${res.body.list.id}/entries`,
    );
    expect(rows.body.items.map((r) => [r.number, r.score])).toEqual([
      ['+498912345670', 20],
      ['+498912345671', 2],
    ]);
    expect(
      (await api.json<{ items: List[] }>('GET', `/api/v1/lists/${res.body.list.id}/entries?search=671&limit=1`)).body
        .items,
    ).toHaveLength(1);
  });

  it('creates a list from a PhoneBlock list and a CSV with scores (multipart), and shows counts', async () => {
    const api = await startApi(HOME);
    const pb = await api.upload<Created>(
      '/api/v1/lists?name=PhoneBlock&threshold=4',
      readFileSync(join(FIXTURES, 'phoneblock-blocklist.json')),
      'application/json',
    );
    expect(pb.body.list).toMatchObject({ entryCount: 7, syncCursor: '4718' });
    expect(pb.body.import).toMatchObject({ format: 'phoneblock', ignoredCount: 2 });
    const csv = await api.inject({
      method: 'POST',
      url: '/api/v1/lists?name=Votes',
      ...multipart('file', 'votes.csv', 'votes,phone,label\n12,+49 30 5550001,ping\n3,030 5550002,\n', 'text/csv'),
    });
    expect(csv.statusCode).toBe(201);
    expect(csv.json().list).toMatchObject({ name: 'Votes', entryCount: 2 });
    const lists = await api.json<{ items: List[] }>('GET', '/api/v1/lists');
    expect(lists.body.items.map((l) => [l.name, l.entryCount])).toEqual([
      ['PhoneBlock', 7],
      ['Votes', 2],
    ]);
    expect((await api.json<List>('GET', `/api/v1/lists/${pb.body.list.id}`)).body.name).toBe('PhoneBlock');
  });

  it('creates an empty list without a file, and refuses a name taken', async () => {
    const api = await startApi(HOME);
    expect((await api.json<Created>('POST', '/api/v1/lists?name=Later')).body.list).toMatchObject({
      entryCount: 0,
      activeVersion: 0,
    });
    expect(await api.json('POST', '/api/v1/lists?name=Later')).toMatchObject({
      status: 409,
      body: { error: 'conflict' },
    });
    expect((await api.json('POST', '/api/v1/lists')).body).toMatchObject({ message: 'querystring/name is required' });
    expect((await api.json('POST', '/api/v1/lists?name=x&action=connect')).body).toMatchObject({
      message: 'querystring/action: a spam list cannot connect; use allow entries',
    });
  });

  it('replaces the rows atomically: a file with a bad row leaves the old rows active', async () => {
    const api = await startApi(HOME);
    const created = await api.upload<Created>(
      '/api/v1/lists?name=Spam',
      '+498912345670;alt\n+498912345671;alt\n',
      'text/csv',
    );
    const id = created.body.list.id;
    const bad = await api.upload<{ rejected: { line: number }[] }>(
      `/api/v1/lists/${id}/entries`,
      '+498912345672\nkein Anschluss\n+498912345673\n',
      'text/csv',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.rejected.map((r) => r.line)).toEqual([2]);
    expect((await api.json<List>('GET', `/api/v1/lists/${id}`)).body).toMatchObject({
      entryCount: 2,
      activeVersion: 1,
    });
    expect((await api.call('089 12345670')).variables.CALLFILTER_REASON).toBe('spam-list');

    const good = await api.upload<{ added: number; removed: number; version: number }>(
      `/api/v1/lists/${id}/entries`,
      '+498912345672\n+498912345673\n+498912345674\n',
      'text/csv',
    );
    expect(good.body).toMatchObject({ added: 3, removed: 2, version: 3 });
    expect((await api.json<List>('GET', `/api/v1/lists/${id}`)).body).toMatchObject({
      entryCount: 3,
      activeVersion: 3,
    });
    // (explain for a number of the old version)
    const explain = await api.json<{ decision: { reason: string } }>(
      'GET',
      `/api/v1/explain?number=${encodeURIComponent('089 12345671')}`,
    );
    expect(explain.body.decision.reason).toBe('unknown');
    expect((await api.call('089 12345674')).variables.CALLFILTER_REASON).toBe('spam-list');
  });

  it('does not create a list whose file is refused', async () => {
    const api = await startApi(HOME);
    const res = await api.upload('/api/v1/lists?name=Broken', '+498912345670\nnope\n', 'text/csv');
    expect(res.status).toBe(400);
    expect((await api.json<{ items: List[] }>('GET', '/api/v1/lists')).body.items).toEqual([]);
  });

  it('disables, renames and deletes a list', async () => {
    const api = await startApi(HOME);
    const { list } = (await api.upload<Created>('/api/v1/lists?name=Spam', '+498912345670\n', 'text/csv')).body;
    expect(
      (await api.json<List>('PATCH', `/api/v1/lists/${list.id}`, { enabled: false, name: 'Old spam' })).body,
    ).toMatchObject({ enabled: false, name: 'Old spam' });
    expect((await api.call('089 12345670')).variables.CALLFILTER_REASON).toBe('unknown');
    expect((await api.json('PATCH', `/api/v1/lists/${list.id}`, { threshold: -1 })).body).toMatchObject({
      message: 'body/threshold must be >= 0',
    });
    expect((await api.inject({ method: 'DELETE', url: `/api/v1/lists/${list.id}` })).statusCode).toBe(204);
    expect((await api.json('GET', `/api/v1/lists/${list.id}`)).status).toBe(404);
    expect((await api.json('DELETE', `/api/v1/lists/${list.id}`)).status).toBe(404);
    expect((await api.json('PATCH', `/api/v1/lists/${list.id}`, { threshold: 3 })).status).toBe(404);
    expect((await api.upload(`/api/v1/lists/${list.id}/entries`, '+498912345670\n', 'text/csv')).status).toBe(404);
    expect((await api.json('GET', `/api/v1/lists/${list.id}/entries`)).status).toBe(404);
  });
});
