import type { Profile, Schedule, TimeWindow } from './types.js';

/** A moment as a clock on the wall in the configured zone shows it. */
export interface LocalTime {
  /** 0 = Sunday … 6 = Saturday. */
  day: number;
  /** Minutes since local midnight, 0…1439. */
  minute: number;
}

const MINUTES_PER_DAY = 24 * 60;
const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/**
 * Formatters per zone for the life of the process: building an Intl.DateTimeFormat costs tens of µs (it loads the
 * zone's rules), formatting with one a few. The zones in use are the handful in the config, so the cache stays
 * small. Wall-clock time from Intl follows the zone's DST rules, which plain offset arithmetic would not.
 */
const clocks = new Map<string, Intl.DateTimeFormat>();

function cached(
  cache: Map<string, Intl.DateTimeFormat>,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  let f = cache.get(timeZone);
  if (f === undefined) {
    // Throws RangeError for a zone the runtime does not know; config validation should have caught that.
    f = new Intl.DateTimeFormat('en-US', { ...options, timeZone });
    cache.set(timeZone, f);
  }
  return f;
}

export function localTime(epochMs: number, timeZone: string): LocalTime {
  const f = cached(clocks, timeZone, { hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' });
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const part of f.formatToParts(epochMs)) {
    if (part.type === 'weekday') day = WEEKDAYS[part.value] ?? 0;
    // Some ICU versions still print midnight as 24 despite h23.
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { day, minute: hour * 60 + minute };
}

/** `HH:MM` → minutes since midnight, or -1 when it is not a time (such a window is never active). */
export function parseClock(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (m === null) return -1;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return -1;
  return h * 60 + min;
}

/**
 * Whether a local time falls inside a window. The window starts at `from` on each of its `days` and runs to `to`,
 * end exclusive; `to` < `from` runs past midnight and still belongs to the day it started (Friday 22:00–06:00 covers
 * Saturday 03:00). `from` = `to` is a whole 24 hours.
 */
export function inWindow(window: TimeWindow, at: LocalTime): boolean {
  const from = parseClock(window.from);
  const to = parseClock(window.to);
  if (from < 0 || to < 0) return false;
  const length = (to - from + MINUTES_PER_DAY) % MINUTES_PER_DAY || MINUTES_PER_DAY;
  if (at.minute >= from) return window.days.includes(at.day) && at.minute - from < length;
  const startedYesterday = (at.day + 6) % 7;
  return window.days.includes(startedYesterday) && at.minute + MINUTES_PER_DAY - from < length;
}

/** The profile's schedules whose window contains `now`, in profile order. */
export function activeSchedules(profile: Profile, now: number, timeZone: string): Schedule[] {
  if (profile.schedules.length === 0) return [];
  const at = localTime(now, timeZone);
  return profile.schedules.filter((s) => inWindow(s, at));
}
