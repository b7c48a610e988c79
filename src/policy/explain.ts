/**
 * The one sentence every decision carries, for the log, the CLI and `explain`. Plain English on purpose: the web page
 * translates the reason codes itself; this is for the person reading a log line.
 */
import { isContact, prefixDigits } from './match.js';
import { localDate } from './schedule.js';
import type { Action, Entry, ListHit, Reason } from './types.js';

function day(epochMs: number, timeZone: string): string | undefined {
  return Number.isFinite(epochMs) && epochMs > 0 ? localDate(epochMs, timeZone) : undefined;
}

function quoted(text: string | undefined): string {
  return text ? ` '${text}'` : '';
}

/** `exact entry +4930…, added 2026-05-03, until 2026-06-01` */
function entryDetails(entry: Entry, timeZone: string): string {
  const parts = [entry.prefix ? `prefix ${prefixDigits(entry.number)}*` : `exact entry ${entry.number}`];
  const added = day(entry.createdAt, timeZone);
  if (added) parts.push(`added ${added}`);
  const until = typeof entry.expiresAt === 'number' ? day(entry.expiresAt, timeZone) : undefined;
  if (until) parts.push(`until ${until}`);
  return parts.join(', ');
}

export function explainInternal(extension: string): string {
  return `Internal extension ${extension}.`;
}

export function explainEntry(entry: Entry, timeZone: string): string {
  const vip = entry.kind === 'allow' && entry.vip ? ' (VIP)' : '';
  if (entry.kind === 'allow' && isContact(entry)) {
    return entry.label
      ? `In your contacts as '${entry.label}'${vip}.`
      : `In your contacts (${entryDetails(entry, timeZone)})${vip}.`;
  }
  const list = entry.kind === 'allow' ? 'allowlist' : 'blocklist';
  if (entry.prefix) {
    const label = entry.label ? ` ('${entry.label}')` : '';
    return `Matches prefix ${prefixDigits(entry.number)}* on your ${list}${label}${vip}.`;
  }
  const as = entry.label ? ` as '${entry.label}'` : '';
  return `On your ${list}${as} (${entryDetails(entry, timeZone)})${vip}.`;
}

export function explainListHit(hit: ListHit): string {
  const range = hit.prefix ? ` as range ${prefixDigits(hit.number)}*` : '';
  return `Listed in '${hit.listName}'${range} with score ${hit.score} (threshold ${hit.threshold}).`;
}

export function explainWithheld(): string {
  return 'Withheld number.';
}

export function explainImplausible(e164: string): string {
  return `Implausible number ${e164}: not a possible number for its country (spoofed?).`;
}

export function explainForeign(e164: string, country: string | undefined): string {
  return `Foreign number ${e164} (${country ?? 'country unknown'}).`;
}

export function explainUnknown(e164: string): string {
  return `Unknown number ${e164}.`;
}

export function explainLocalWithoutAreaCode(digits: string): string {
  return `Local number ${digits} without area code: the home area code is not set, so it cannot be read (set it with "callfilter setup --area-code …" or on the web page).`;
}

/** `Unknown number +49….` → `Unknown number +49…, under schedule 'office'.` */
export function underSchedule(sentence: string, schedule: string): string {
  const body = sentence.endsWith('.') ? sentence.slice(0, -1) : sentence;
  return `${body}, under schedule '${schedule}'.`;
}

export function explainRepeatCaller(calls: number, windowMinutes: number): string {
  const minutes = windowMinutes === 1 ? 'minute' : 'minutes';
  return `Called ${calls} times within ${windowMinutes} ${minutes}: connected as a repeat caller.`;
}

export function explainQuietHours(schedule: string, instead: Reason): string {
  const how = instead === 'repeat-caller' ? ' as a repeat caller' : '';
  return `Quiet hours (${schedule}): would have connected${how}.`;
}

/** `hung up (cause 21)`, `gone to voicemail`… (after "would have") */
export function describeAction(action: Action, cause?: number, announcement?: string): string {
  switch (action) {
    case 'connect':
      return 'connected';
    case 'voicemail':
      return 'gone to voicemail';
    case 'hangup':
      return cause === undefined ? 'hung up' : `hung up (cause ${cause})`;
    case 'announce':
      return `played${quoted(announcement)} and hung up`;
  }
}

export function explainMonitor(real: { action: Action; cause?: number; announcement?: string; explanation: string }): string {
  return `Monitor mode, connected; would have ${describeAction(real.action, real.cause, real.announcement)}: ${real.explanation}`;
}
