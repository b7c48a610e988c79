import { describe, expect, it, onTestFinished } from 'vitest';
import { PRUNE_EVERY_MS, pruneCalls } from '../../src/jobs/prune-calls.js';
import { createServiceJobs } from '../../src/jobs/service-jobs.js';
import type { NewCall } from '../../src/store/index.js';
import { manualClock, settle } from '../helpers/manual-clock.js';
import { startService } from '../helpers/service.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 0, 15, 11, 0);

/** One call a day for 40 days, the newest today. */
function calls(): NewCall[] {
  return Array.from({ length: 40 }, (_, i) => ({
    at: NOW - i * DAY,
    callerRaw: `030${i}`,
    caller: `+4930${1_000_000 + i}`,
    callerKind: 'number' as const,
    action: 'voicemail' as const,
    reason: 'unknown' as const,
  }));
}

describe('pruneCalls', () => {
  it('deletes the calls older than CALLFILTER_LOG_RETENTION_DAYS and keeps the newer ones', async () => {
    const svc = await startService({
      env: { CALLFILTER_LOG_RETENTION_DAYS: '30', CALLFILTER_TIMEZONE: 'Europe/Berlin' },
    });
    for (const c of calls()) await svc.ctx.store.calls.insert(c);
    const before = await svc.ctx.store.calls.statsByDay(40, NOW, 'Europe/Berlin');
    // Days 0–29 back are inside the window, and day 30 back exactly on its edge: kept.
    expect(await pruneCalls(svc.ctx, NOW)).toBe(9);
    expect(await svc.ctx.store.calls.count()).toBe(31);
    expect((await svc.ctx.store.calls.list({ limit: 1000 })).items.at(-1)?.at).toBe(NOW - 30 * DAY);
    expect(await svc.ctx.store.calls.statsByDay(40, NOW, 'Europe/Berlin')).toEqual(before);
    expect(svc.logs.find((l) => l.msg === 'call log pruned')).toMatchObject({ removed: 9, retentionDays: 30 });
  });

  it('keeps every call with retention 0', async () => {
    const svc = await startService({ env: { CALLFILTER_LOG_RETENTION_DAYS: '0' } });
    for (const c of calls()) await svc.ctx.store.calls.insert(c);
    expect(await pruneCalls(svc.ctx, NOW + 1000 * DAY)).toBe(0);
    expect(await svc.ctx.store.calls.count()).toBe(40);
  });

  it("runs hourly as one of the service's jobs (365 days by default)", async () => {
    const clock = manualClock(NOW + 340 * DAY);
    const svc = await startService({ overrides: { clock: clock.now } });
    expect(svc.config.logRetentionDays).toBe(365);
    for (const c of calls()) await svc.ctx.store.calls.insert(c);
    const jobs = createServiceJobs(svc.ctx, { clock });
    onTestFinished(() => jobs.close());
    await jobs.start();
    await clock.advance(PRUNE_EVERY_MS - 1);
    expect(await svc.ctx.store.calls.count()).toBe(40);
    await clock.advance(1);
    await settle();
    // 340 days and an hour after the newest call, 365 days back reach 25 days minus an hour before it: days 0–24 stay.
    await expect.poll(() => svc.ctx.store.calls.count()).toBe(25);
    expect(svc.logs.filter((l) => l.msg === 'pruning the call log failed')).toEqual([]);
  });
});
