/**
 * The phrases a decision is told in, one table per language (en.ts, de.ts) behind one interface, so a language
 * cannot lack one. The renderer (index.ts) chooses and joins them; the tables only word facts.
 */
import type { Action, LostBecause } from '../policy/types.js';

export type Language = 'de' | 'en';

export interface Words {
  internal(extension: string): string;
  withheld(): string;
  local(digits: string): string;
  implausible(number: string): string;
  foreign(number: string, country: string | undefined): string;
  unknown(number: string): string;
  /** Noun phrases for a personal entry or a list hit, e.g. "on your blocklist since 3 May 2026". */
  contact(label: string | undefined, vip: boolean): string;
  entry(kind: 'allow' | 'block', facts: { label?: string; since?: string; until?: string; vip: boolean }): string;
  range(kind: 'allow' | 'block', prefix: string, label: string | undefined): string;
  /** `live`: PhoneBlock answered during the call, the score is its votes ("PhoneBlock: 20 votes, checked live"). */
  list(name: string, facts: { range?: string; score: number; threshold: number; live?: boolean }): string;
  underSchedule(sentence: string, schedule: string): string;
  repeat(calls: number, windowMinutes: number): string;
  quiet(schedule: string, asRepeatCaller: boolean): string;
  monitor(wouldHave: string, why: string): string;
  /** "hung up (cause 21)" — what an action did, after "would have". */
  did(action: Action, cause?: number, announcement?: string): string;
  /** No decision could be made; `error` says why (technical, in English: for whoever looks into it). */
  failOpen(error: string): string;
  /** One match that did not decide: "Also on your blocklist since …: the exact number decides, not the range." */
  also(thing: string, lost: string): string;
  lost(why: LostBecause): string;
  sentence(text: string): string;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
