/** Lists at a URL, over real HTTP: conditional GET, a file that turns bad halfway, a shrink, a size cap, auth. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServiceJobs } from '../../src/jobs/service-jobs.js';
import type { SourceInput } from '../../src/sources/add.js';
import type { Source } from '../../src/store/index.js';
import { instantSleeps } from '../helpers/manual-clock.js';
import { startService } from '../helpers/service.js';
import { listRows } from './helpers.js';
import { csvList, startListServer } from './list-server.js';

async function urlSource(input: Partial<SourceInput> & { url: string }) {
  const svc = await startService({ env: { CALLFILTER_HOME_AREA_CODE: '30' } });
  const jobs = createServiceJobs(svc.ctx, { clock: instantSleeps(), random: () => 0.5 });
  const added = await jobs.sources.add({ kind: 'url', name: 'spam-de', ...input });
  const source = async () => (await jobs.sources.find('spam-de')) as Source;
  return {
    svc,
    jobs,
    source,
    sync: async (accept = false) => jobs.sources.sync(await source(), { accept }),
    rows: () => listRows(svc, added.listId as number),
  };
}

describe('a list at a URL', () => {
  it('is fetched, imported, and kept when the publisher says it did not change (304)', async () => {
    const ls = await startListServer();
    ls.publish('/spam.csv', csvList(150));
    const src = await urlSource({ url: `${ls.base}/spam.csv` });
    expect(await src.sync()).toMatchObject({ outcome: 'synced', rows: 150 });
    expect((await src.rows()).get('+4940100000004')).toEqual([5, undefined]);
    expect(ls.requests[0]?.headers['user-agent']).toMatch(/^callfilter\//);
    expect(ls.requests[0]?.headers['if-none-match']).toBeUndefined();
    const etag = (await src.source()).cursor;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    expect(await src.svc.ctx.store.lists.getByName('spam-de')).toMatchObject({
      threshold: 1,
      sourceUrl: `${ls.base}/spam.csv`,
    });

    expect(await src.sync()).toMatchObject({ outcome: 'unchanged', rows: 150 });
    expect(ls.requests[1]?.headers).toMatchObject({ 'if-none-match': etag, 'if-modified-since': expect.any(String) });
    expect((await src.rows()).size).toBe(150);
    expect((await src.source()).lastSuccessAt).toBeGreaterThanOrEqual((await src.source()).lastAttemptAt!);

    ls.publish('/spam.csv', csvList(140, 10));
    expect(await src.sync()).toMatchObject({ outcome: 'synced', rows: 140 });
    expect((await src.rows()).has('+4940100000000')).toBe(false);
    expect((await src.source()).cursor).not.toBe(etag);
    // The download went to a temporary file in the data dir, removed afterwards.
    expect(readdirSync(join(src.svc.dataDir, 'tmp'))).toEqual([]);
  });

  it('keeps the list in force when a new file turns bad halfway, and fetches it whole next time', async () => {
    const ls = await startListServer();
    ls.publish('/spam.csv', csvList(150));
    const src = await urlSource({ url: `${ls.base}/spam.csv` });
    await src.sync();
    const good = await src.rows();
    const goodEtag = (await src.source()).cursor;
    const bad = csvList(150, 500).split('\n');
    bad.splice(90, 1, 'not a number;3', '+4940 oops;4');
    ls.publish('/spam.csv', bad.join('\n'));
    const report = await src.sync();
    expect(report).toMatchObject({
      outcome: 'failed',
      message: expect.stringMatching(/2 rows are not valid \(line 91, 92\); the list in force stays$/),
    });
    expect(await src.rows()).toEqual(good);
    expect(await src.source()).toMatchObject({ lastError: report.message, failures: 1 });
    // The bad file's ETag was not taken: the next sync fetches the body again instead of a 304.
    ls.publish('/spam.csv', csvList(150, 500));
    expect(await src.sync()).toMatchObject({ outcome: 'synced', rows: 150 });
    expect(ls.requests.at(-1)?.headers['if-none-match']).toBe(goodEtag);
  });

  it('holds back a file 90 % smaller than the list in force, until accepted', async () => {
    const ls = await startListServer();
    ls.publish('/spam.csv', csvList(300));
    const src = await urlSource({ url: `${ls.base}/spam.csv` });
    await src.sync();
    ls.publish('/spam.csv', csvList(12));
    expect(await src.sync()).toMatchObject({
      outcome: 'held',
      message: expect.stringContaining('the new list has 12 numbers, 96 % fewer than the 300 in force'),
    });
    expect((await src.rows()).size).toBe(300);
    expect(await src.sync(true)).toMatchObject({ outcome: 'synced', rows: 12 });
  });

  it('refuses a file larger than its cap, before it fills the disk', async () => {
    const ls = await startListServer();
    ls.publish('/spam.csv', csvList(150));
    const src = await urlSource({ url: `${ls.base}/spam.csv` });
    await src.sync();
    await src.svc.ctx.store.sources.update((await src.source()).id, {
      settings: { ...(await src.source()).settings, maxBytes: 1000 },
    });
    ls.publish('/spam.csv', csvList(160));
    expect(await src.sync()).toMatchObject({
      outcome: 'failed',
      message: expect.stringContaining('more than the cap of 1000'),
    });
    expect((await src.rows()).size).toBe(150);
  });

  it('sends Basic or bearer credentials, and says so when they are refused', async () => {
    const ls = await startListServer();
    ls.publish(
      '/private.json',
      JSON.stringify([
        { phone: '+4930111222', votes: 3 },
        { phone: '030 333444', score: 7 },
      ]),
      'application/json',
    );
    ls.requireAuth = `Basic ${Buffer.from('anna:s3cret').toString('base64')}`;
    const src = await urlSource({
      url: `${ls.base}/private.json`,
      credentials: { username: 'anna', password: 's3cret' },
    });
    expect(await src.sync()).toMatchObject({ outcome: 'synced', rows: 2 });
    expect((await src.rows()).get('+4930333444')).toEqual([7, undefined]);

    ls.requireAuth = 'Bearer other';
    ls.publish('/private.json', '[]', 'application/json');
    expect(await src.sync()).toMatchObject({ outcome: 'failed', message: expect.stringContaining('HTTP 401') });
    expect(JSON.stringify(await src.source())).not.toContain('s3cret');
  });

  it('reads a PhoneBlock XML list too', async () => {
    const ls = await startListServer();
    ls.publish(
      '/pb.xml',
      '<blocklist version="3"><numbers><phone-info phone="+4930123123" votes="10" rating="G_FRAUD"/></numbers></blocklist>',
      'application/xml',
    );
    const src = await urlSource({ url: `${ls.base}/pb.xml`, format: 'phoneblock' });
    expect(await src.sync()).toMatchObject({ outcome: 'synced', rows: 1 });
    expect((await src.rows()).get('+4930123123')?.[0]).toBe(10);
  });
});
