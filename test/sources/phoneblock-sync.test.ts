/**
 * The PhoneBlock subscription against a local server that behaves as PhoneBlock's API does, over real HTTP: full
 * and incremental syncs, removals, labels, and every way an answer can be wrong — none of which may replace the list
 * in force.
 */
import { describe, expect, it } from 'vitest';
import { HTTP_ATTEMPTS } from '../../src/sources/http.js';
import { FULL_RESYNC_MS } from '../../src/sources/phoneblock/sync.js';
import { manualClock } from '../helpers/manual-clock.js';
import { subscription } from './helpers.js';

const DAY = 86_400_000;
/** The fake's n-th number (startFakePhoneblock numbers them from +493010000000). */
const phone = (n: number) => `+${493010000000 + n}`;

describe('PhoneBlock subscription', () => {
  it('loads the whole list first, asking as PhoneBlock wants to be asked', async () => {
    const sub = await subscription({ numbers: 20 });
    const report = await sub.sync();
    expect(report).toMatchObject({ outcome: 'synced', rows: 20, cursor: '1' });
    const [req] = sub.pb.blocklistRequests();
    expect(req?.headers.authorization).toBe(`Bearer ${sub.pb.token}`);
    expect(req?.headers['user-agent']).toMatch(/^callfilter\/\d+\.\d+\.\d+ \(Node \d+\.\d+\.\d+; \w+\)$/);
    expect(Object.fromEntries(req!.query)).toEqual({ format: 'json' });
    // Votes are the score, the rating the label (shown as "SPAM: Werbung"), in German for a German line; the list
    // blocks at 4 votes.
    expect((await sub.rows()).get(phone(0))).toEqual([4, 'Werbung']);
    expect((await sub.rows()).get(phone(1))).toEqual([10, 'Betrug']);
    expect(await sub.svc.ctx.store.lists.getByName('PhoneBlock')).toMatchObject({ threshold: 4, entryCount: 20 });
    const source = await sub.source();
    expect(source).toMatchObject({ cursor: '1', rows: 20, failures: 0, state: { lastFullAt: expect.any(Number) } });
    expect(source.lastSuccessAt).toBeDefined();
    expect(source.nextRunAt).toBeGreaterThan(Date.now());
  });

  it('then asks only for the changes: new numbers are added, votes: 0 removes one', async () => {
    const sub = await subscription({ numbers: 20 });
    await sub.sync();
    sub.pb.set(phone(0), 0);
    sub.pb.set('+4930123456789', 50, 'G_FRAUD');
    sub.pb.set(phone(2), 100, 'F_GAMBLE');
    const report = await sub.sync();
    expect(report).toMatchObject({ outcome: 'synced', rows: 20, cursor: '4' });
    expect(Object.fromEntries(sub.pb.blocklistRequests()[1]!.query)).toEqual({ since: '1', format: 'json' });
    const rows = await sub.rows();
    expect(rows.has(phone(0))).toBe(false);
    expect(rows.get('+4930123456789')).toEqual([50, 'Betrug']);
    expect(rows.get(phone(2))).toEqual([100, 'Gewinnspiel']);
    expect(await sub.sync()).toMatchObject({ outcome: 'unchanged', rows: 20 });
  });

  it('labels in English outside the German-speaking countries', async () => {
    const sub = await subscription({
      numbers: 2,
      env: { CALLFILTER_HOME_COUNTRY: 'GB', CALLFILTER_HOME_AREA_CODE: '20' },
    });
    await sub.sync();
    expect([...(await sub.rows()).values()].map(([, label]) => label).sort()).toEqual(['advertising', 'fraud']);
  });

  it('applies a big update as a paced full replace, with the same result', async () => {
    const sub = await subscription({ numbers: 1500 });
    await sub.sync();
    for (let i = 0; i < 1200; i++) sub.pb.set(phone(i), i < 100 ? 0 : 20, 'D_POLL');
    const report = await sub.sync();
    expect(report).toMatchObject({ outcome: 'synced', rows: 1400 });
    const rows = await sub.rows();
    expect(rows.size).toBe(1400);
    expect(rows.has(phone(99))).toBe(false);
    expect(rows.get(phone(100))).toEqual([20, 'Umfrage']);
    expect(rows.get(phone(1499))).toEqual([16, 'Betrug']);
  });

  it('loads the whole list again once a month', async () => {
    const clock = manualClock(Date.now());
    const sub = await subscription({ numbers: 5, clock });
    await sub.sync();
    await clock.advance(DAY);
    await sub.sync();
    await clock.advance(FULL_RESYNC_MS);
    await sub.sync();
    expect(sub.pb.blocklistRequests().map((r) => r.query.get('since'))).toEqual([null, '1', null]);
  });

  it('refuses a wrong API key in words, and keeps the list', async () => {
    const sub = await subscription({ numbers: 5, token: 'not-the-right-key' });
    const report = await sub.sync();
    expect(report).toMatchObject({ outcome: 'failed' });
    expect(report.message).toMatch(/PhoneBlock refused the API key \(401\)/);
    expect(await sub.source()).toMatchObject({ failures: 1, failuresTotal: 1, lastError: report.message });
    expect(sub.pb.blocklistRequests()).toHaveLength(1);
  });

  it('waits as long as a 429 says (Retry-After), then goes on', async () => {
    const sub = await subscription({ numbers: 5 });
    sub.pb.fail({ status: 429, retryAfter: '7' });
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', rows: 5 });
    expect(sub.clock.sleeps).toEqual([7_000]);
    expect(sub.pb.blocklistRequests()).toHaveLength(2);
  });

  it('backs off exponentially with jitter on 5xx, and gives up after a few tries with the list in force', async () => {
    const sub = await subscription({ numbers: 5 });
    await sub.sync();
    sub.pb.set('+4930199999999', 10);
    sub.pb.fail({ status: 503 }, { status: 500 });
    expect(await sub.sync()).toMatchObject({ outcome: 'synced', rows: 6 });
    // random() = 0.5: three quarters of 2 s, then of 4 s.
    expect(sub.clock.sleeps).toEqual([1_500, 3_000]);

    sub.pb.set('+4930188888888', 10);
    sub.pb.fail(...Array.from({ length: HTTP_ATTEMPTS }, () => ({ status: 502 })));
    const before = Date.now();
    const report = await sub.sync();
    expect(report).toMatchObject({
      outcome: 'failed',
      message: expect.stringMatching(/answered 502; gave up after 4 tries/),
    });
    expect((await sub.rows()).size).toBe(6);
    // The next try comes after the sync backoff (5 min, ¾ of it), not a day later.
    expect(report.nextRunAt).toBeGreaterThanOrEqual(before + 225_000);
    expect(report.nextRunAt).toBeLessThan(before + 3_600_000);
  });

  it('does not sit out a long Retry-After: the next run is scheduled after it', async () => {
    const sub = await subscription({ numbers: 5 });
    sub.pb.fail({ status: 429, retryAfter: '7200' });
    const before = Date.now();
    const report = await sub.sync();
    expect(report.outcome).toBe('failed');
    expect(sub.pb.blocklistRequests()).toHaveLength(1);
    expect(report.nextRunAt).toBeGreaterThanOrEqual(before + 7_200_000);
  });

  it.each([
    ['truncated JSON', { truncated: true } as const, /not valid JSON/],
    ['a connection cut halfway', { cut: true } as const, /terminated|aborted|socket|ECONNRESET|other side closed/i],
    ['another shape', { body: '{"items":[]}' } as const, /no "numbers" list/],
    [
      'implausible votes',
      { body: '{"version":9,"numbers":[{"phone":"+4930111","votes":-4}]}' } as const,
      /-4 is not a vote count/,
    ],
    [
      'no phone numbers',
      {
        body: JSON.stringify({
          version: 9,
          numbers: Array.from({ length: 20 }, (_, i) => ({ phone: `call me ${i}`, votes: 4 })),
        }),
      } as const,
      /20 of 20 numbers are no phone numbers/,
    ],
    [
      'a version that is no number',
      { body: '{"version":"x","numbers":[]}' } as const,
      /version "x" is not a whole number/,
    ],
  ])('keeps the list in force on %s', async (_what, fault, message) => {
    const sub = await subscription({ numbers: 150 });
    await sub.sync();
    const before = await sub.rows();
    sub.pb.set('+4930177777777', 10);
    sub.pb.fail(fault);
    const report = await sub.sync();
    expect(report.outcome).toBe('failed');
    expect(report.message).toMatch(message);
    expect(await sub.rows()).toEqual(before);
    expect(await sub.source()).toMatchObject({ cursor: '1', lastError: report.message });
  });

  it('holds back a whole list that suddenly shrank by 90 %, until a person accepts it', async () => {
    const clock = manualClock(Date.now());
    const sub = await subscription({ numbers: 200, clock });
    await sub.sync();
    await clock.advance(FULL_RESYNC_MS);
    sub.pb.fail({ shrinkTo: 15 });
    const held = await sub.sync();
    expect(held).toMatchObject({
      outcome: 'held',
      message: expect.stringContaining('the new list has 15 numbers, 93 % fewer than the 200 in force'),
    });
    expect((await sub.rows()).size).toBe(200);
    expect(await sub.source()).toMatchObject({ heldBack: held.message, cursor: '1' });

    sub.pb.fail({ shrinkTo: 15 });
    expect(await sub.sync({ accept: true })).toMatchObject({ outcome: 'synced', rows: 15 });
    expect((await sub.rows()).size).toBe(15);
    expect((await sub.source()).heldBack).toBeUndefined();
  });

  it('holds back an update that would remove 90 % of the list', async () => {
    const sub = await subscription({ numbers: 120 });
    await sub.sync();
    for (let i = 0; i < 110; i++) sub.pb.set(phone(i), 0);
    expect(await sub.sync()).toMatchObject({
      outcome: 'held',
      message: expect.stringContaining('removes 110 of the 120 numbers'),
    });
    expect((await sub.rows()).size).toBe(120);
  });

  it('holds back a version going backwards; accepting loads the whole list again', async () => {
    const sub = await subscription({ numbers: 10 });
    sub.pb.set('+4930166666666', 10);
    await sub.sync();
    sub.pb.fail({ versionBack: true });
    const held = await sub.sync();
    expect(held).toMatchObject({
      outcome: 'held',
      message: expect.stringContaining('version 1, older than the 2 in force'),
    });
    expect(await sub.sync({ accept: true })).toMatchObject({ outcome: 'synced', rows: 11, cursor: '2' });
    expect(sub.pb.blocklistRequests().at(-1)?.query.get('since')).toBeNull();
  });

  it('screens calls normally while a big list is being written', async () => {
    const sub = await subscription({ numbers: 60_000 });
    let done = false;
    const syncing = sub.sync().finally(() => (done = true));
    const during: string[] = [];
    for (let i = 0; !done; i++) {
      // A new caller each time (the same one calling again would be a repeat caller).
      const call = await sub.svc.call(`0170 ${1_000_000 + i}`);
      if (!done) during.push(call.variables.CALLFILTER_REASON ?? '');
    }
    expect(await syncing).toMatchObject({ outcome: 'synced', rows: 60_000 });
    expect(during.length).toBeGreaterThan(0);
    expect(new Set(during)).toEqual(new Set(['unknown']));
    expect((await sub.svc.call('030 10000001')).variables).toMatchObject({
      CALLFILTER_ACTION: 'announce',
      CALLFILTER_REASON: 'spam-list',
      CALLFILTER_LABEL: 'SPAM: Betrug',
    });
  }, 60_000);
});
