/** Schedule windows in a time zone: weekdays, midnight crossing, DST. */
import { describe, expect, it } from 'vitest';
import { activeSchedules, inWindow, localTime, parseClock } from '../../src/policy/schedule.js';
import type { Schedule, TimeWindow } from '../../src/policy/types.js';
import { profile } from './fixtures.js';

const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];

describe('localTime', () => {
  it.each([
    // instant (UTC)              zone               day  minute      date
    ['2026-05-20T10:00:00Z', 'Europe/Berlin', 3, 12 * 60],
    ['2026-05-20T22:30:00Z', 'Europe/Berlin', 4, 30],
    ['2026-03-29T00:59:00Z', 'Europe/Berlin', 0, 1 * 60 + 59],
    ['2026-03-29T01:00:00Z', 'Europe/Berlin', 0, 3 * 60],
    ['2026-10-25T00:30:00Z', 'Europe/Berlin', 0, 2 * 60 + 30],
    ['2026-10-25T01:30:00Z', 'Europe/Berlin', 0, 2 * 60 + 30],
    ['2026-05-20T23:30:00Z', 'UTC', 3, 23 * 60 + 30],
    ['2026-05-20T00:00:00Z', 'UTC', 3, 0],
    ['2026-05-20T10:00:00Z', 'America/New_York', 3, 6 * 60],
    ['2026-05-20T10:00:00Z', 'Asia/Kathmandu', 3, 15 * 60 + 45],
  ] as const)('%s in %s → day %i, minute %i', (iso, zone, day, minute) => {
    expect(localTime(Date.parse(iso), zone)).toEqual({ day, minute });
  });

  it('throws for a zone the runtime does not know', () => {
    expect(() => localTime(0, 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('parseClock', () => {
  it.each([
    ['00:00', 0],
    ['07:30', 450],
    ['7:30', 450],
    ['23:59', 1439],
    ['24:00', -1],
    ['12:60', -1],
    ['noon', -1],
    ['', -1],
  ] as const)('%s → %i', (text, minutes) => {
    expect(parseClock(text)).toBe(minutes);
  });
});

describe('inWindow', () => {
  const night: TimeWindow = { days: [5], from: '22:00', to: '06:00' }; // Friday night into Saturday
  const office: TimeWindow = { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' };
  const allDay: TimeWindow = { days: [0], from: '00:00', to: '00:00' };
  const rows: [why: string, window: TimeWindow, day: number, minute: number, active: boolean][] = [
    ['start is inclusive', office, 3, 8 * 60, true],
    ['last minute', office, 3, 18 * 60 - 1, true],
    ['end is exclusive', office, 3, 18 * 60, false],
    ['before start', office, 3, 7 * 60 + 59, false],
    ['Saturday is not a weekday', office, 6, 12 * 60, false],
    ['Friday 22:00', night, 5, 22 * 60, true],
    ['Friday 21:59', night, 5, 21 * 60 + 59, false],
    ['Saturday 03:00 belongs to Friday night', night, 6, 3 * 60, true],
    ['Saturday 06:00: over', night, 6, 6 * 60, false],
    ['Saturday 23:00: Saturday is not in days', night, 6, 23 * 60, false],
    ['Friday 03:00 belongs to Thursday night', night, 5, 3 * 60, false],
    ['from = to: all of Sunday', allDay, 0, 0, true],
    ['from = to: Sunday 23:59', allDay, 0, 1439, true],
    ['from = to: not Monday', allDay, 1, 0, false],
    ['a window that is not a time is never active', { days: EVERY_DAY, from: '8:00', to: 'late' }, 3, 12 * 60, false],
  ];
  it.each(rows)('%s', (_, window, day, minute, active) => {
    expect(inWindow(window, { day, minute })).toBe(active);
  });
});

describe('activeSchedules', () => {
  const night: Schedule = { name: 'night', days: EVERY_DAY, from: '22:00', to: '07:00', quiet: true };
  const late: Schedule = { name: 'late', days: EVERY_DAY, from: '23:00', to: '23:59', quiet: true };
  const office: Schedule = {
    name: 'office',
    days: [1, 2, 3, 4, 5],
    from: '08:00',
    to: '18:00',
    actions: { unknown: { action: 'connect' } },
  };
  const p = profile('p', [], (x) => (x.schedules = [office, night, late]));

  it.each([
    ['2026-05-20T10:00:00Z', 'Europe/Berlin', ['office']],
    ['2026-05-20T21:30:00Z', 'Europe/Berlin', ['night', 'late']],
    ['2026-05-20T20:30:00Z', 'Europe/Berlin', ['night']],
    ['2026-05-20T20:30:00Z', 'UTC', []],
    ['2026-05-21T05:30:00Z', 'Europe/Berlin', []],
    ['2026-05-21T05:30:00Z', 'UTC', ['night']],
  ] as const)('%s in %s → %j (profile order)', (iso, zone, names) => {
    expect(activeSchedules(p, Date.parse(iso), zone).map((s) => s.name)).toEqual(names);
  });

  it('a profile without schedules never formats a date (an unknown zone does not matter)', () => {
    expect(activeSchedules(profile('none', []), 0, 'Not/A_Zone')).toEqual([]);
  });
});
