import { describe, expect, it } from 'vitest';
import { RESCAN_MS } from '../../src/jobs/runner.js';
import { DAY, defaultSchedule, intervalText, nextRun, parseInterval } from '../../src/sources/schedule.js';
import { manualClock } from '../helpers/manual-clock.js';
import { subscription } from './helpers.js';

const HOUR = 3_600_000;
const MIN = 60_000;

function seeded(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

describe('source schedules', () => {
  it('pick a random time of day once, and keep it', () => {
    const a = defaultSchedule('phoneblock', () => 0.25);
    const b = defaultSchedule('phoneblock', () => 0.75);
    expect(a).toEqual({ intervalMs: DAY, jitterMs: 30 * MIN, offsetMs: 6 * HOUR });
    expect(b.offsetMs).toBe(18 * HOUR);
    // Without jitter, every run falls on the same time of day.
    const t = Date.UTC(2026, 11, 6, 12, 0);
    expect(nextRun(a, t, () => 0.5)).toBe(Date.UTC(2026, 11, 7, 6, 0));
    expect(nextRun(a, Date.UTC(2026, 11, 7, 6, 0), () => 0.5)).toBe(Date.UTC(2026, 11, 8, 6, 0));
  });

  it('put 23 to 25 hours between two runs (daily ± 30 minutes)', () => {
    const schedule = defaultSchedule('phoneblock', () => 0.4);
    const random = seeded(7);
    let at = nextRun(schedule, Date.UTC(2026, 0, 1), random);
    const gaps: number[] = [];
    for (let i = 0; i < 500; i++) {
      const next = nextRun(schedule, at, random);
      gaps.push(next - at);
      at = next;
    }
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(23 * HOUR);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(25 * HOUR);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeGreaterThan(HOUR);
  });

  it('never fall due at once again when the jitter would put the slot before now', () => {
    const schedule = { intervalMs: DAY, jitterMs: 30 * MIN, offsetMs: 0 };
    const justAfterSlot = Date.UTC(2026, 11, 6, 0, 10);
    expect(nextRun(schedule, justAfterSlot, () => 0)).toBe(Date.UTC(2026, 11, 6, 23, 30));
  });

  it('read intervals as a person writes them', () => {
    expect([parseInterval('30m'), parseInterval('6h'), parseInterval('1d'), parseInterval('soon')]).toEqual([
      30 * MIN,
      6 * HOUR,
      DAY,
      undefined,
    ]);
    expect([intervalText(DAY), intervalText(6 * HOUR), intervalText(90 * MIN)]).toEqual(['1d', '6h', '90m']);
    expect(defaultSchedule('url', () => 0, 5 * MIN).intervalMs).toBe(15 * MIN);
    expect(defaultSchedule('phoneblock', () => 0, HOUR).intervalMs).toBe(DAY);
  });
});

describe('the job runner syncing PhoneBlock on a clock the test moves', () => {
  it('syncs the whole list at start, then the changes once a day at the chosen time', async () => {
    const start = Date.UTC(2026, 11, 6, 12, 0);
    const clock = manualClock(start);
    const sub = await subscription({ numbers: 10, clock });
    await sub.jobs.start();
    await clock.advance(0);
    await expect.poll(async () => (await sub.source()).lastSuccessAt).toBe(start);
    const first = await sub.source();
    expect(first.nextRunAt).toBeGreaterThan(start);
    expect(first.nextRunAt! - start).toBeLessThanOrEqual(DAY + 30 * MIN);

    const runs: number[] = [start];
    for (let day = 0; day < 4; day++) {
      sub.pb.set(`+4930155500${day}`, 10);
      const due = (await sub.source()).nextRunAt!;
      await clock.advanceTo(due - MIN);
      expect((await sub.source()).lastSuccessAt).toBe(runs.at(-1));
      await clock.advanceTo(due + RESCAN_MS);
      await expect.poll(async () => (await sub.source()).lastSuccessAt).toBeGreaterThanOrEqual(due);
      runs.push((await sub.source()).lastSuccessAt!);
    }
    const gaps = runs.slice(2).map((t, i) => t - (runs[i + 1] as number));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(23 * HOUR);
    expect(sub.pb.blocklistRequests().map((r) => r.query.get('since'))).toEqual([null, '1', '2', '3', '4']);
    expect((await sub.rows()).size).toBe(14);
    await sub.jobs.close();
  });
});
