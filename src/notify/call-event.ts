/**
 * A call-log row as the channels describe it (CallEvent): the caller also in the form people at home write it —
 * national for a number of the home country (`030 1234567`), international for the rest (`+44 20 7946 0958`).
 */
import { type CountryCode, getCountryCallingCode, PhoneNumber } from 'libphonenumber-js/max';
import type { CallRecord } from '../store/index.js';
import type { CallEvent } from './types.js';

/**
 * The number as written at home; undefined when libphonenumber cannot read it. Built from the E.164 number directly
 * (no parse: the call path has read it already), which costs a third of a parse — this runs once per call.
 * `country`: the caller's country as the call path found it; else the calling code decides what is national.
 */
export function nationalForm(e164: string, homeCountry: string, country?: string): string | undefined {
  try {
    const pn = new PhoneNumber(e164 as `+${string}`);
    const home = homeCountry.toUpperCase();
    const national =
      country !== undefined ? country === home : pn.countryCallingCode === getCountryCallingCode(home as CountryCode);
    return national ? pn.formatNational() : pn.formatInternational();
  } catch {
    return undefined;
  }
}

export function callEvent(call: CallRecord, homeCountry: string): CallEvent {
  const event: CallEvent = {
    kind: 'decided',
    callId: call.id,
    at: call.at,
    callerKind: call.callerKind,
    action: call.action,
    reason: call.reason,
  };
  if (call.caller !== undefined) {
    event.caller = call.caller;
    event.callerNational = nationalForm(call.caller, homeCountry, call.country) ?? call.caller;
  } else if (call.callerKind === 'number' && call.callerRaw !== '') {
    // a number that could not be read as E.164 (a local one without the area code): as it came
    event.callerNational = call.callerRaw;
  }
  const label = call.label ?? call.callerNameRaw;
  if (label !== undefined) event.label = label;
  if (call.did !== undefined) event.called = call.did;
  return event;
}
