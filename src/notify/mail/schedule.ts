/**
 * When the digest goes out and which calls it covers (pure): daily at DIGEST_HOUR local time about the day before,
 * weekly on Mondays at DIGEST_HOUR about the week before (Monday to Sunday), in the household's time zone — local
 * midnights and 07:00 found through the zone's offset, so a day of 23 or 25 hours (a DST change) is still a day.
 */
export type DigestSchedule = 'daily' | 'weekly';

/** Early enough to read with breakfast, late enough that yesterday is over everywhere in the zone. */
export const DIGEST_HOUR = 7;

export interface DigestPeriod {
  /** `daily:2026-12-24` (the day covered), `weekly:2026-12-21` (the Monday the week began). */
  key: string;
  /** Epoch ms, inclusive / exclusive: local midnights. */
  from: number;
  to: number;
  /** When the digest of this period is due. */
  sendAt: number;
}

interface LocalDate {
  y: number;
  /** 0-based, as Date.UTC takes it. */
  m: number;
  d: number;
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
}

function parts(format: Intl.DateTimeFormat, t: number): Record<string, number> {
  const p: Record<string, number> = {};
  for (const part of format.formatToParts(t)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return p;
}

/** The zone's offset from UTC at instant `t`, ms. */
function offset(format: Intl.DateTimeFormat, t: number): number {
  const p = parts(format, t);
  return (
    Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0) -
    Math.floor(t / 1000) * 1000
  );
}

/** `date` moved by `days` (calendar arithmetic; Date.UTC carries over months and years). */
function plus(date: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(date.y, date.m, date.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth(), d: t.getUTCDate() };
}

const iso = (date: LocalDate) =>
  `${String(date.y).padStart(4, '0')}-${String(date.m + 1).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;

export function createDigestSchedule(schedule: DigestSchedule, timeZone: string) {
  const format = formatter(timeZone);
  /** The instant whose local time in the zone is `hour`:00 of `date` (corrected twice: settles across a DST change). */
  const at = (date: LocalDate, hour: number): number => {
    const guess = Date.UTC(date.y, date.m, date.d, hour);
    return guess - offset(format, guess - offset(format, guess));
  };
  const today = (now: number): LocalDate => {
    const p = parts(format, now);
    return { y: p.year ?? 1970, m: (p.month ?? 1) - 1, d: p.day ?? 1 };
  };
  /** The day of the send time at or before `now`'s day: today, or for weekly this week's Monday. */
  const sendDay = (now: number): LocalDate => {
    const t = today(now);
    if (schedule === 'daily') return t;
    const weekday = new Date(Date.UTC(t.y, t.m, t.d)).getUTCDay(); // 0 = Sunday
    return plus(t, -((weekday + 6) % 7));
  };
  const step = schedule === 'daily' ? 1 : 7;
  const period = (day: LocalDate): DigestPeriod => {
    const first = plus(day, -step);
    return { key: `${schedule}:${iso(first)}`, from: at(first, 0), to: at(day, 0), sendAt: at(day, DIGEST_HOUR) };
  };
  return {
    /** The latest period whose digest is due at `now` (its send time has come). */
    latest(now: number): DigestPeriod {
      const day = sendDay(now);
      return at(day, DIGEST_HOUR) <= now ? period(day) : period(plus(day, -step));
    },
    /** The first send time after `now`. */
    nextSendAt(now: number): number {
      const day = sendDay(now);
      const t = at(day, DIGEST_HOUR);
      return t > now ? t : at(plus(day, step), DIGEST_HOUR);
    },
  };
}
