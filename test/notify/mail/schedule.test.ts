/** When the digest is due and which calls it covers: local 07:00, local midnights, across a DST change. */
import { describe, expect, it } from 'vitest';
import { createDigestSchedule } from '../../../src/notify/mail/schedule.js';

const BERLIN = 'Europe/Berlin';
/** An instant given as Berlin wall-clock time in winter (UTC+1) or summer (UTC+2). */
const winter = (iso: string) => Date.parse(`${iso}+01:00`);
const summer = (iso: string) => Date.parse(`${iso}+02:00`);

describe('the digest schedule', () => {
  it('daily: at 07:00 local time, about the day before; before 07:00 the day before that', () => {
    const s = createDigestSchedule('daily', BERLIN);
    expect(s.latest(winter('2026-12-24T07:00:00'))).toEqual({
      key: 'daily:2026-12-23',
      from: winter('2026-12-23T00:00:00'),
      to: winter('2026-12-24T00:00:00'),
      sendAt: winter('2026-12-24T07:00:00'),
    });
    expect(s.latest(winter('2026-12-24T06:59:59')).key).toBe('daily:2026-12-22');
    expect(s.nextSendAt(winter('2026-12-24T06:59:59'))).toBe(winter('2026-12-24T07:00:00'));
    expect(s.nextSendAt(winter('2026-12-24T07:00:00'))).toBe(winter('2026-12-25T07:00:00'));
    // across the year's end
    expect(s.latest(winter('2027-01-01T12:00:00')).key).toBe('daily:2026-12-31');
  });

  it('weekly: Mondays at 07:00, about Monday to Sunday before', () => {
    const s = createDigestSchedule('weekly', BERLIN);
    // Monday 28 December 2026
    expect(s.latest(winter('2026-12-28T07:30:00'))).toEqual({
      key: 'weekly:2026-12-21',
      from: winter('2026-12-21T00:00:00'),
      to: winter('2026-12-28T00:00:00'),
      sendAt: winter('2026-12-28T07:00:00'),
    });
    // Sunday 3 January 2027: still the week of 21 December; the next send is Monday the 4th
    expect(s.latest(winter('2027-01-03T23:00:00')).key).toBe('weekly:2026-12-21');
    expect(s.nextSendAt(winter('2027-01-03T23:00:00'))).toBe(winter('2027-01-04T07:00:00'));
    expect(s.latest(winter('2026-12-28T06:00:00')).key).toBe('weekly:2026-12-14');
  });

  it('keeps local times across a change to summer time: a 23-hour day, and 07:00 at UTC+2', () => {
    const s = createDigestSchedule('daily', BERLIN);
    // 29 March 2026: clocks go from 02:00 to 03:00 in Berlin
    const p = s.latest(summer('2026-03-30T08:00:00'));
    expect(p).toEqual({
      key: 'daily:2026-03-29',
      from: winter('2026-03-29T00:00:00'),
      to: summer('2026-03-30T00:00:00'),
      sendAt: summer('2026-03-30T07:00:00'),
    });
    expect(p.to - p.from).toBe(23 * 3_600_000);
    expect(s.nextSendAt(winter('2026-03-29T01:00:00'))).toBe(summer('2026-03-29T07:00:00'));
  });

  it("uses the household's zone, not the machine's", () => {
    const s = createDigestSchedule('daily', 'America/New_York');
    expect(s.latest(Date.parse('2026-12-24T12:00:00Z'))).toMatchObject({
      key: 'daily:2026-12-23',
      sendAt: Date.parse('2026-12-24T12:00:00Z'),
    });
  });
});
