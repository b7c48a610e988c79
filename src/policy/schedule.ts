import { boundedMemo } from '../memo.js';
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
 * zone's rules), formatting with one a few. The zones in use are the handful in the config, so the caches stay
 * small. Wall-clock time from Intl follows the zone's DST rules, which plain offset arithmetic would not. The clock
 * and the date are separate formatters because each field costs: the clock runs on every call with schedules, the
 * date only for an explanation.
 */
const clocks = new Map<string, Intl.DateTimeFormat>();
const dates = new Map<string, Intl.DateTimeFormat>();

function cached(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
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

/**
 * Since 1972 every zone's offset has been a multiple of 15 minutes (Liberia's -0:44:30 was the last odd one), so the
 * local date is the same throughout a quarter hour of UTC: remembered per zone and quarter (entries imported together
 * share their `added` date in the explanation). Earlier moments are formatted every time.
 */
const QUARTER_HOUR_MS = 15 * 60_000;
const FROM_1972_MS = Date.UTC(1972, 0, 1);
const MAX_REMEMBERED_DATES = 1024;
/** Per zone: quarter hour (epoch ms / 15 min) → its local date, formatted at the quarter's start. */
const rememberedDates = new Map<string, (quarter: number) => string>();

/** The local calendar date, `YYYY-MM-DD`. */
export function localDate(epochMs: number, timeZone: string): string {
  if (!(epochMs >= FROM_1972_MS)) return formatDate(epochMs, timeZone);
  let known = rememberedDates.get(timeZone);
  if (!known) rememberedDates.set(timeZone, (known = boundedMemo(MAX_REMEMBERED_DATES, (q: number) => formatDate(q * QUARTER_HOUR_MS, timeZone))));
  return known(Math.floor(epochMs / QUARTER_HOUR_MS));
}

function formatDate(epochMs: number, timeZone: string): string {
  const f = cached(dates, timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' });
  let y = '';
  let m = '';
  let d = '';
  for (const part of f.formatToParts(epochMs)) {
    if (part.type === 'year') y = part.value;
    else if (part.type === 'month') m = part.value;
    else if (part.type === 'day') d = part.value;
  }
  return `${y}-${m}-${d}`;
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
