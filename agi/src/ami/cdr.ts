import type { AmiMessage } from './message.js';

/**
 * The fields of `Event: Cdr`, in the order cdr_manager.c's manager_log() writes them (Asterisk 22). Everything after
 * them comes from cdr_manager.conf's `[mappings]` (e.g. `linkedid => LinkedID`).
 */
export const CDR_FIELDS = [
  'AccountCode',
  'Source',
  'Destination',
  'DestinationContext',
  'CallerID',
  'Channel',
  'DestinationChannel',
  'LastApplication',
  'LastData',
  'StartTime',
  'AnswerTime',
  'EndTime',
  'Duration',
  'BillableSeconds',
  'Disposition',
  'AMAFlags',
  'UniqueID',
  'UserField',
] as const;

export type CdrField = (typeof CDR_FIELDS)[number];

/** ast_cdr_disp2str(): every disposition a CDR can end with. */
export type CdrDisposition = 'ANSWERED' | 'NO ANSWER' | 'BUSY' | 'FAILED' | 'CONGESTION';

/**
 * One CDR as cdr_manager sends it. Times are `YYYY-MM-DD HH:MM:SS` in Asterisk's local time zone (DATE_FORMAT,
 * ast_localtime()); `answerTime` is '' when the call was not answered.
 */
export interface CdrEvent {
  accountCode: string;
  /** Party A's caller id number. */
  source: string;
  /** The extension Party A was executing: for a call from a phone, the digits as dialled. */
  destination: string;
  /** The context Party A was executing in. */
  destinationContext: string;
  /** Party A's caller id, `"Name" <number>`. */
  callerId: string;
  /** Party A's channel, e.g. `PJSIP/100-00000001`. */
  channel: string;
  /** Party B's channel, '' when there was none. */
  destinationChannel: string;
  lastApplication: string;
  lastData: string;
  startTime: string;
  answerTime: string;
  endTime: string;
  duration: number;
  billableSeconds: number;
  /** As sent; one of CdrDisposition on any Asterisk we know. */
  disposition: string;
  amaFlags: string;
  /** Party A's unique id. */
  uniqueId: string;
  userField: string;
  /** The mapped fields of cdr_manager.conf `[mappings]`, keys as sent (e.g. `LinkedID`). */
  extra: Record<string, string>;
}

/** Headers manager events carry besides their own fields (__manager_event_sessions_va()). */
const EVENT_HEADERS = new Set([
  'event',
  'privilege',
  'timestamp',
  'systemname',
  'sequencenumber',
  'file',
  'line',
  'func',
]);
const KNOWN = new Set<string>(CDR_FIELDS.map((f) => f.toLowerCase()));
const CDR_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** The CDR in an `Event: Cdr` message, or undefined for any other message. Missing fields read as ''. */
export function parseCdrEvent(message: AmiMessage): CdrEvent | undefined {
  if (message.event?.toLowerCase() !== 'cdr') return undefined;
  const f = (name: CdrField): string => message.get(name) ?? '';
  const extra: Record<string, string> = {};
  for (const [key, value] of message.fields) {
    const k = key.toLowerCase();
    if (key !== '' && !KNOWN.has(k) && !EVENT_HEADERS.has(k) && !(key in extra)) extra[key] = value;
  }
  return {
    accountCode: f('AccountCode'),
    source: f('Source'),
    destination: f('Destination'),
    destinationContext: f('DestinationContext'),
    callerId: f('CallerID'),
    channel: f('Channel'),
    destinationChannel: f('DestinationChannel'),
    lastApplication: f('LastApplication'),
    lastData: f('LastData'),
    startTime: f('StartTime'),
    answerTime: f('AnswerTime'),
    endTime: f('EndTime'),
    duration: toInt(f('Duration')),
    billableSeconds: toInt(f('BillableSeconds')),
    disposition: f('Disposition'),
    amaFlags: f('AMAFlags'),
    uniqueId: f('UniqueID'),
    userField: f('UserField'),
    extra,
  };
}

/**
 * A CDR time (`2025-03-01 14:05:09`) as a Date, read in this process's local time zone — which must be Asterisk's
 * for the result to be exact (set TZ alike). undefined for '' (not answered) and anything malformed.
 */
export function parseCdrTime(text: string): Date | undefined {
  const m = CDR_TIME.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi, s);
  // new Date() rolls 2025-02-30 over into March: such a text is not a time Asterisk wrote.
  return date.getFullYear() === y && date.getMonth() === mo - 1 && date.getDate() === d ? date : undefined;
}

/** A Date as cdr_manager writes it (local time, `%Y-%m-%d %T`). */
export function formatCdrTime(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

function toInt(text: string): number {
  const n = Number.parseInt(text, 10);
  return Number.isFinite(n) ? n : 0;
}
