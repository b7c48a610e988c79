/**
 * Wall-clock dates in a time zone without a time library: the zone's UTC offset at an instant is read back through
 * Intl, and a local time is found by correcting a UTC guess with that offset twice, which settles across a DST
 * change (a day of 23 or 25 hours is still one day).
 */

/** A calendar day; `m` is 0-based, as Date.UTC takes it. */
export interface LocalDate {
  y: number;
  m: number;
  d: number;
}

export interface ZoneClock {
  /** The zone's offset from UTC at instant `t`, ms. */
  offset(t: number): number;
  /** The local calendar day of instant `t`. */
  dateOf(t: number): LocalDate;
  /** The instant whose local time is `hour`:00 of `date`. */
  at(date: LocalDate, hour?: number): number;
}

export function zoneClock(timeZone: string): ZoneClock {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const parts = (t: number): Record<string, number> => {
    const p: Record<string, number> = {};
    for (const part of format.formatToParts(t)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    return p;
  };
  const offset = (t: number): number => {
    const p = parts(t);
    const local = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
    return local - Math.floor(t / 1000) * 1000;
  };
  return {
    offset,
    dateOf(t) {
      const p = parts(t);
      return { y: p.year ?? 1970, m: (p.month ?? 1) - 1, d: p.day ?? 1 };
    },
    at(date, hour = 0) {
      const guess = Date.UTC(date.y, date.m, date.d, hour);
      return guess - offset(guess - offset(guess));
    },
  };
}

/** `date` moved by `days` (calendar arithmetic: Date.UTC carries over months and years). */
export function plusDays(date: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(date.y, date.m, date.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth(), d: t.getUTCDate() };
}

/** `2026-12-24`. */
export function isoDate(date: LocalDate): string {
  return `${String(date.y).padStart(4, '0')}-${String(date.m + 1).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;
}
