/**
 * When the digest goes out and which calls it covers (pure): daily at DIGEST_HOUR local time about the day before,
 * weekly on Mondays at DIGEST_HOUR about the week before (Monday to Sunday), in the household's time zone — local
 * midnights and 07:00 found through the zone's offset, so a day of 23 or 25 hours (a DST change) is still a day.
 */
import { isoDate, type LocalDate, plusDays, zoneClock } from '../../zone-time.js';

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

export function createDigestSchedule(schedule: DigestSchedule, timeZone: string) {
  const clock = zoneClock(timeZone);
  const at = (date: LocalDate, hour: number): number => clock.at(date, hour);
  const today = (now: number): LocalDate => clock.dateOf(now);
  /** The day of the send time at or before `now`'s day: today, or for weekly this week's Monday. */
  const sendDay = (now: number): LocalDate => {
    const t = today(now);
    if (schedule === 'daily') return t;
    const weekday = new Date(Date.UTC(t.y, t.m, t.d)).getUTCDay(); // 0 = Sunday
    return plusDays(t, -((weekday + 6) % 7));
  };
  const step = schedule === 'daily' ? 1 : 7;
  const period = (day: LocalDate): DigestPeriod => {
    const first = plusDays(day, -step);
    return { key: `${schedule}:${isoDate(first)}`, from: at(first, 0), to: at(day, 0), sendAt: at(day, DIGEST_HOUR) };
  };
  return {
    /** The latest period whose digest is due at `now` (its send time has come). */
    latest(now: number): DigestPeriod {
      const day = sendDay(now);
      return at(day, DIGEST_HOUR) <= now ? period(day) : period(plusDays(day, -step));
    },
    /** The first send time after `now`. */
    nextSendAt(now: number): number {
      const day = sendDay(now);
      const t = at(day, DIGEST_HOUR);
      return t > now ? t : at(plusDays(day, step), DIGEST_HOUR);
    },
  };
}
