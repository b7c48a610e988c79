/** Values the JSON schema can only bound, checked the way the rest of callfilter checks them. */
import type { AppContext } from '../context.js';
import { about, coded } from '../messages/index.js';
import { implausible, normaliseDid, normaliseEntry, normaliseNumber } from '../numbers/index.js';
import { badRequest } from './errors.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch milliseconds, or an ISO 8601 date / date-time (a date without time: midnight UTC, as Date.parse reads it). */
export function parseTime(value: string, field: string): number {
  const s = value.trim();
  if (/^\d{1,15}$/.test(s)) return Number(s);
  if (ISO_DATE.test(s)) {
    const t = Date.parse(s.replace(' ', 'T'));
    if (!Number.isNaN(t)) return t;
  }
  throw badRequest(coded('request.time', { field, value }));
}

/**
 * A number or prefix for an entry, through the same normaliser as the screening path, so the entry matches the
 * caller it names. An exact number must be plausible unless `short` says it is deliberately short (a service
 * number); it is then stored as the screening path reads such a caller.
 */
export function entryNumber(
  ctx: AppContext,
  text: string,
  prefix: boolean | undefined,
  field: string,
  short?: boolean,
): { number: string; prefix: boolean } {
  let s = text.trim();
  if (prefix === true && !s.endsWith('*')) s += '*';
  const n = normaliseEntry(s, ctx.config.numbering);
  if (!n.ok) throw badRequest(about(n, field));
  if (prefix === false && n.prefix) throw badRequest(coded('number.prefix_unexpected', { field, value: text }));
  const why = n.prefix || short === true ? undefined : implausible(n.number);
  if (why !== undefined) throw badRequest(coded('number.implausible', { field, value: text, ...why }));
  return { number: n.number, prefix: n.prefix };
}

/** A caller's number (a filter of the call log): E.164. */
export function callerNumber(ctx: AppContext, text: string, field: string): string {
  const n = normaliseNumber(text, ctx.config.numbering);
  if (!n.ok) throw badRequest(about(n, field));
  return n.e164;
}

/** A called number (DID), normalised like the screening path does. */
export function didNumber(ctx: AppContext, text: string): string {
  return normaliseDid(text, ctx.config.numbering);
}
