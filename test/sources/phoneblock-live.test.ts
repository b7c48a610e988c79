/**
 * The live PhoneBlock check of unknown callers (CALLFILTER_PHONEBLOCK_LIVE) over real FastAGI against a local fake
 * PhoneBlock: a hit gets the PhoneBlock list's action and says so ("checked live"); only the first 4 hex characters
 * of the number's SHA-1 are sent; an answer is remembered (no second request); a late or failing answer leaves the
 * local decision, inside the decision deadline; a caller on an entry or a list is not asked about.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { explain } from '../../src/explain/index.js';
import { callFacts, decideCall } from '../../src/screen/screen-call.js';
import { ensureEnvSources } from '../../src/sources/env-source.js';
import { createLiveCheck, LIVE_CACHE_MS, numberHash, votesIn } from '../../src/sources/phoneblock/live.js';
import { createSources } from '../../src/sources/service.js';
import { startService, type TestService } from '../helpers/service.js';
import { startWeb } from '../helpers/web.js';
import { silent } from './helpers.js';
import { type FakePhoneblock, startFakePhoneblock } from './phoneblock-server.js';

const SPAMMER = '+4930555000111';
const QUIET = '+4930555000222';

async function liveService(
  env: Record<string, string> = {},
): Promise<{ pb: FakePhoneblock; svc: TestService; listId: number; sync: () => Promise<unknown> }> {
  const pb = await startFakePhoneblock();
  pb.set(SPAMMER, 20, 'G_FRAUD');
  const svc = await startService({
    env: {
      CALLFILTER_PHONEBLOCK_TOKEN: pb.token,
      CALLFILTER_PHONEBLOCK_URL: pb.url,
      CALLFILTER_HOME_AREA_CODE: '30',
      CALLFILTER_PHONEBLOCK_LIVE: 'true',
      ...env,
    },
  });
  // The subscription exists (the service creates it from the token at start) but has not synced: its list is empty.
  const sources = createSources(svc.ctx);
  const source = await ensureEnvSources(sources, svc.ctx.config, silent);
  return { pb, svc, listId: source!.listId!, sync: async () => sources.sync((await sources.find('phoneblock'))!) };
}

const hashOf = (e164: string) => createHash('sha1').update(e164).digest('hex').toUpperCase();

describe('the live PhoneBlock check', () => {
  it("gives a caller PhoneBlock knows the list's action, sends only 4 hex characters of the hash, and asks once a day", async () => {
    const { pb, svc } = await liveService();
    const call = await svc.call('030 555000111');
    expect(call.variables).toMatchObject({
      CALLFILTER_ACTION: 'announce',
      CALLFILTER_REASON: 'spam-list',
      CALLFILTER_LABEL: 'SPAM: Betrug',
    });
    const screened = svc.outcomes.at(-1)!;
    expect(screened.explanation).toContain('PhoneBlock: 20 votes, checked live (threshold 4)');
    expect(explain(screened.decision, { language: 'de', timeZone: 'Europe/Berlin' })).toContain(
      'PhoneBlock: 20 Stimmen, live abgefragt (Schwelle 4)',
    );
    expect(screened.decision.because.grounds).toMatchObject({
      step: 'list',
      hit: { listName: 'PhoneBlock', score: 20, live: true },
    });

    // What left the house: the first 4 hex characters of the SHA-1, nothing of the number itself.
    const [asked, ...more] = pb.checkRequests();
    expect(more).toEqual([]);
    expect([...asked!.query.keys()].sort()).toEqual(['format', 'sha1']);
    expect(asked!.query.get('sha1')).toBe(hashOf(SPAMMER).slice(0, 4));
    const sent = `${asked!.path}?${asked!.query.toString()}`;
    expect(sent).not.toMatch(/555000111|4930/);
    expect(asked!.headers).toMatchObject({
      authorization: `Bearer ${pb.token}`,
      'user-agent': expect.stringMatching(/^callfilter\//),
    });

    // The call log keeps the facts: the page and explain word them later.
    const row = (await svc.ctx.store.calls.get(Number(call.variables.CALLFILTER_CALL_ID)))!;
    expect(row).toMatchObject({ action: 'announce', reason: 'spam-list' });
    expect(row.listEntryId).toBeUndefined();

    // Again: from memory, no second request.
    const again = await svc.call('030 555000111');
    expect(again.variables.CALLFILTER_ACTION).toBe('announce');
    expect(pb.checkRequests()).toHaveLength(1);

    // A number PhoneBlock does not know: asked once, voicemail as unknown; the answer is remembered too.
    expect((await svc.call('030 555000222')).variables).toMatchObject({
      CALLFILTER_ACTION: 'voicemail',
      CALLFILTER_REASON: 'unknown',
    });
    await svc.call('030 555000222');
    expect(pb.checkRequests()).toHaveLength(2);
    expect(pb.checkRequests()[1]!.query.get('sha1')).toBe(hashOf(QUIET).slice(0, 4));

    const metrics = await svc.metrics.text();
    expect(metrics).toContain('callfilter_phoneblock_live_checks_total{outcome="hit"} 1');
    expect(metrics).toContain('callfilter_phoneblock_live_checks_total{outcome="miss"} 1');
    expect(metrics).toContain('callfilter_phoneblock_live_checks_total{outcome="cached"} 2');
    expect(metrics).toContain('callfilter_phoneblock_live_remembered 2');
  });

  it('hangs up when the PhoneBlock list says so', async () => {
    const { svc, listId } = await liveService();
    await svc.ctx.store.lists.update(listId, { action: 'hangup', cause: 21 });
    const call = await svc.call('030 555000111');
    expect(call.variables).toMatchObject({
      CALLFILTER_ACTION: 'hangup',
      CALLFILTER_CAUSE: '21',
      CALLFILTER_REASON: 'spam-list',
    });
  });

  it('keeps the local decision when the answer is late, inside the deadline, and remembers the late answer', async () => {
    const { pb, svc } = await liveService({ CALLFILTER_PHONEBLOCK_LIVE_MS: '100' });
    pb.checkDelayMs = 400;
    const started = performance.now();
    const call = await svc.call('030 555000111');
    const ms = performance.now() - started;
    expect(call.variables).toMatchObject({ CALLFILTER_ACTION: 'voicemail', CALLFILTER_REASON: 'unknown' });
    expect(svc.outcomes.at(-1)!.latencyUs).toBeGreaterThanOrEqual(90_000);
    expect(svc.outcomes.at(-1)!.latencyUs).toBeLessThan(300_000);
    expect(ms).toBeLessThan(400);
    expect(await svc.metrics.text()).toContain('callfilter_phoneblock_live_checks_total{outcome="late"} 1');

    // The answer still came, later: the caller's next call has it without asking again.
    await expect.poll(() => svc.ctx.phoneblockLive!.size, { timeout: 2_000 }).toBe(1);
    expect((await svc.call('030 555000111')).variables.CALLFILTER_ACTION).toBe('announce');
    expect(pb.checkRequests()).toHaveLength(1);
  });

  it('ends inside the decision deadline even when its own budget is longer', async () => {
    const { pb, svc } = await liveService({ CALLFILTER_PHONEBLOCK_LIVE_MS: '2000', CALLFILTER_DECISION_MS: '150' });
    pb.checkDelayMs = 1_000;
    const call = await svc.call('030 555000111');
    // Not fail-open: the live check gave up first and the local decision was made in time.
    expect(call.variables).toMatchObject({ CALLFILTER_ACTION: 'voicemail', CALLFILTER_REASON: 'unknown' });
    expect(svc.outcomes.at(-1)!.latencyUs).toBeLessThan(150_000);
  });

  it('keeps the local decision when PhoneBlock fails, and does not ask about a caller on an entry or a list', async () => {
    const { pb, svc, sync } = await liveService();
    pb.checkStatus = 503;
    expect((await svc.call('030 555000111')).variables).toMatchObject({
      CALLFILTER_ACTION: 'voicemail',
      CALLFILTER_REASON: 'unknown',
    });
    expect(await svc.metrics.text()).toContain('callfilter_phoneblock_live_checks_total{outcome="failed"} 1');
    const failed = svc.logs.filter((l) => l.subsystem === 'phoneblock-live');
    expect(failed).toMatchObject([
      { msg: 'live check failed; the local decision stands', error: 'PhoneBlock /check-prefix answered 503' },
    ]);
    expect(JSON.stringify(failed)).not.toContain('555000111');

    const asked = pb.checkRequests().length;
    await svc.ctx.store.entries.create({ number: '+4930777000111', kind: 'allow', source: 'api' });
    expect((await svc.call('030 777000111')).variables.CALLFILTER_ACTION).toBe('connect');
    await sync();
    expect((await svc.call('030 555000111')).variables).toMatchObject({
      CALLFILTER_ACTION: 'announce',
      CALLFILTER_REASON: 'spam-list',
    });
    expect(svc.outcomes.at(-1)!.explanation).not.toContain('checked live');
    expect(pb.checkRequests()).toHaveLength(asked);
  });

  it('is off by default', async () => {
    const pb = await startFakePhoneblock();
    pb.set(SPAMMER, 20, 'G_FRAUD');
    const svc = await startService({
      env: {
        CALLFILTER_PHONEBLOCK_TOKEN: pb.token,
        CALLFILTER_PHONEBLOCK_URL: pb.url,
        CALLFILTER_HOME_AREA_CODE: '30',
      },
    });
    await ensureEnvSources(createSources(svc.ctx), svc.ctx.config, silent);
    expect(svc.ctx.phoneblockLive).toBeUndefined();
    expect((await svc.call('030 555000111')).variables.CALLFILTER_ACTION).toBe('voicemail');
    expect(pb.checkRequests()).toEqual([]);
    expect(await svc.metrics.text()).not.toContain('callfilter_phoneblock_live');
  });
});

describe('what the live check remembers', () => {
  it('explain and the page word a remembered answer without asking again; explain alone never asks', async () => {
    const pb = await startFakePhoneblock();
    pb.set(SPAMMER, 20, 'G_FRAUD');
    const web = await startWeb({
      env: {
        CALLFILTER_PHONEBLOCK_TOKEN: pb.token,
        CALLFILTER_PHONEBLOCK_URL: pb.url,
        CALLFILTER_PHONEBLOCK_LIVE: 'true',
      },
    });
    await ensureEnvSources(createSources(web.ctx), web.ctx.config, silent);
    const facts = callFacts(web.ctx, { callerRaw: '030 555000111' });
    expect((await decideCall(web.ctx, facts, Date.now())).reason).toBe('unknown');
    expect(pb.checkRequests()).toEqual([]);

    await web.call('030 555000111');
    const decision = await decideCall(web.ctx, facts, Date.now());
    expect(decision).toMatchObject({
      action: 'announce',
      reason: 'spam-list',
      because: { grounds: { step: 'list', hit: { live: true, score: 20 } } },
    });
    const res = await web.app.inject({
      method: 'GET',
      url: '/api/v1/explain?number=030%20555000111&lang=de',
      headers: { authorization: `Bearer ${web.token}` },
    });
    expect(res.json()).toMatchObject({
      decision: {
        action: 'announce',
        listHit: { live: true },
        explanation: expect.stringContaining('PhoneBlock: 20 Stimmen, live abgefragt (Schwelle 4)'),
      },
    });
    const page = await web.app.inject({
      method: 'GET',
      url: '/api/v1/web/calls?lang=en',
      headers: { authorization: `Bearer ${web.token}` },
    });
    expect(page.json().items[0]).toMatchObject({
      action: 'announce',
      why: expect.stringContaining('PhoneBlock: 20 votes, checked live'),
    });
    expect(pb.checkRequests()).toHaveLength(1);
  });

  it('keeps at most so many numbers, the oldest asked going first, each for a day', async () => {
    const { pb, svc } = await liveService();
    let now = Date.now();
    const ctx = { ...svc.ctx, clock: () => now };
    const live = createLiveCheck({ ctx, maxRemembered: 2 });
    for (const n of ['+4930555000001', '+4930555000002', '+4930555000003']) await live.check(n, 1_000);
    expect(live.size).toBe(2);
    await live.check('+4930555000003', 1_000);
    expect(pb.checkRequests()).toHaveLength(3);
    await live.check('+4930555000001', 1_000);
    expect(pb.checkRequests()).toHaveLength(4);
    now += LIVE_CACHE_MS;
    await live.check('+4930555000001', 1_000);
    expect(pb.checkRequests()).toHaveLength(5);
  });
});

describe('reading a /check-prefix answer', () => {
  it('picks the caller out of the numbers under the prefix; whitelisted or absent is 0 votes; no list is an error', () => {
    const body = {
      numbers: [
        { phone: '+4930111', votes: 4 },
        { phone: SPAMMER, votes: 50, rating: 'E_ADVERTISING' },
      ],
      range10: [],
      range100: [],
    };
    expect(votesIn(body, SPAMMER)).toEqual({ votes: 50, rating: 'E_ADVERTISING' });
    expect(votesIn(body, QUIET)).toEqual({ votes: 0 });
    expect(votesIn({ numbers: [{ phone: SPAMMER, votes: 50, whiteListed: true }] }, SPAMMER)).toEqual({ votes: 0 });
    expect(votesIn({ numbers: [{ phone: SPAMMER, votes: 'many' }] }, SPAMMER)).toEqual({ votes: 0 });
    expect(() => votesIn({ error: 'nope' }, SPAMMER)).toThrow(
      'PhoneBlock /check-prefix: the answer has no list of numbers',
    );
    // PhoneBlock's own example (phoneblock.json, /check): +4917650642602 hashes to 3D1D76F0….
    expect(numberHash('+4917650642602')).toBe('3D1D76F0C3664E1E818C6ECCFD8843AD1F4091CC');
  });
});
