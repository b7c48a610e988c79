/**
 * The "calls kept away today" counter (hangup and announce). Today is the calendar day in the household's time
 * zone (CALLFILTER_TIMEZONE), so the count falls to 0 at local midnight — also across a DST change — whether or not
 * a call comes then: the publisher asks `msUntilNextDay()` and publishes the 0 at that moment. A call delivered
 * late (the outbox retrying after midnight) counts for the day it came in, so it never adds to the new day.
 */
import type { Action } from '../../policy/types.js';

/** What counts as kept away: the caller was turned away, not sent to voicemail (as in the page's stats). */
export const KEPT_AWAY_ACTIONS: readonly Action[] = ['hangup', 'announce'];

export class DayCounter {
  private readonly format: Intl.DateTimeFormat;
  private day: string;
  private n: number;

  constructor(
    readonly timeZone: string,
    now: number,
    /** The count so far today (the service reads it from the call log at start). */
    initial = 0,
  ) {
    this.format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    this.day = this.dayOf(now);
    this.n = Math.max(0, Math.floor(initial));
  }

  /** `YYYY-MM-DD` of an instant in the time zone. */
  dayOf(at: number): string {
    return this.format.format(at);
  }

  /** The count for the day of `now`; moves to a new day (count 0) when `now` is past the last one. */
  value(now: number): number {
    const today = this.dayOf(now);
    if (today !== this.day) {
      this.day = today;
      this.n = 0;
    }
    return this.n;
  }

  /** Counts a call if it was kept away today; returns whether the count changed. */
  add(action: Action, at: number, now: number): boolean {
    this.value(now);
    if (!KEPT_AWAY_ACTIONS.includes(action) || this.dayOf(at) !== this.day) return false;
    this.n++;
    return true;
  }

  /**
   * Milliseconds from `now` until the next local midnight, to the second: bisected over the next 26 hours (no local
   * day is longer than 25 h), which needs no knowledge of the zone's offsets or their changes.
   */
  msUntilNextDay(now: number): number {
    const today = this.dayOf(now);
    let lo = now;
    let hi = now + 26 * 3_600_000;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.dayOf(mid) === today) lo = mid;
      else hi = mid;
    }
    return hi - now;
  }
}
