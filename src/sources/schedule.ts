/**
 * When a source syncs. Runs fall on `offset + k × interval` (epoch ms), each moved by a random amount within ±
 * jitter. The offset is random, chosen once when the source is created and kept, so every installation syncs at its
 * own time of day (PhoneBlock: "randomise synchronisation times … 23–25 hours"): a daily interval with 30 minutes of
 * jitter puts 23–25 hours between two runs.
 */
import type { SourceKind, SourceSchedule } from '../store/index.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** PhoneBlock's own clients: daily, ± 30 minutes (their dongle), at a random time of day chosen once (their app). */
const DAILY_JITTER_MS = 30 * MINUTE;
/** A list at a URL is fetched no more often: every fetch costs the publisher, and a conditional GET still is one. */
export const MIN_INTERVAL_MS = 15 * MINUTE;
/** Contacts come from the household's own box and servers: a sync every few minutes costs nobody else anything. */
export const CONTACTS_MIN_INTERVAL_MS = 5 * MINUTE;
const CONTACT_KINDS: readonly SourceKind[] = ['fritzbox', 'carddav', 'called'];
/** PhoneBlock allows an incremental sync at most once a day. */
export const PHONEBLOCK_MIN_INTERVAL_MS = DAY;

export function defaultSchedule(
  kind: SourceKind,
  random: () => number = Math.random,
  intervalMs = DAY,
): SourceSchedule {
  const interval = Math.max(
    intervalMs,
    kind === 'phoneblock'
      ? PHONEBLOCK_MIN_INTERVAL_MS
      : CONTACT_KINDS.includes(kind)
        ? CONTACTS_MIN_INTERVAL_MS
        : MIN_INTERVAL_MS,
  );
  return {
    intervalMs: interval,
    jitterMs: Math.min(DAILY_JITTER_MS, Math.floor(interval / 8)),
    offsetMs: Math.floor(random() * interval),
  };
}

/**
 * The next run: the first slot more than one jitter after `now`, jittered. A run that came early or late by up to
 * the jitter thus never finds its own slot again, and two runs are interval ± 2 × jitter apart.
 */
export function nextRun(schedule: SourceSchedule, now: number, random: () => number = Math.random): number {
  const { intervalMs, offsetMs, jitterMs } = schedule;
  const k = Math.floor((now + jitterMs - offsetMs) / intervalMs) + 1;
  const jitter = Math.round((random() * 2 - 1) * jitterMs);
  return offsetMs + k * intervalMs + jitter;
}

const UNITS: Record<string, number> = { m: MINUTE, h: HOUR, d: DAY };

/** `30m`, `6h`, `1d` → milliseconds; undefined when it does not read. */
export function parseInterval(text: string): number | undefined {
  const m = /^(\d{1,5})\s*([mhd])$/.exec(text.trim());
  return m ? Number(m[1]) * (UNITS[m[2] as string] as number) : undefined;
}

/** Milliseconds as a person says them: `1d`, `6h`, `90m`. */
export function intervalText(ms: number): string {
  if (ms % DAY === 0) return `${ms / DAY}d`;
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  return `${Math.round(ms / MINUTE)}m`;
}
