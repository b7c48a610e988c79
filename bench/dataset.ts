/**
 * The benchmark's numbers, made by formula instead of stored: entry i of the blocklist, contact c, spam-list entry s
 * are always the same number, so the database builder, the load client and the in-process decision bench agree on
 * who is blocked without sharing a file. Every range is disjoint from the others (checked by the categories the
 * service reports back: a "contact" caller must come back with reason `contact`).
 */

/** Bump when a formula below changes: the cached database is keyed by it. */
export const DATASET_VERSION = 1;

/** The line being screened: a Berlin number; local callers may omit the area code. */
export const HOME_COUNTRY = 'DE';
export const HOME_AREA_CODE = '30';
/** The called number the dialplan passes as agi_arg_1. */
export const DID = '+4930999000';
export const SPAM_LIST_NAME = 'PhoneBlock (bench)';
export const SPAM_THRESHOLD = 4;
/** Repeat callers: a small pool of unknown numbers that call again and again (DESIGN.md: "calls again within minutes"). */
export const REPEAT_POOL = 300;

export interface DatasetSize {
  /** Exact personal block entries. */
  exact: number;
  prefixes: number;
  contacts: number;
  /** Entries of the imported spam list. */
  spam: number;
  /** Call-log rows written before the run (history). */
  callLog: number;
}

export const FULL_SIZE: DatasetSize = {
  exact: 1_000_000,
  prefixes: 10_000,
  contacts: 5_000,
  spam: 10_000,
  callLog: 100_000,
};

/** A bijection of [0, mod) for mod = 10^k (7919 is prime, so coprime to 2 and 5): spreads consecutive indices. */
function scramble(j: number, mod: number): number {
  return (j * 7919 + 12345) % mod;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Mobile ranges of the blocklist (robots and call centres call from mobiles and VoIP numbers alike). */
const BLOCK_MOBILE = ['151', '152', '155', '157', '159', '160', '162', '163'] as const;
const BLOCK_LABELS = ['Gewinnspiel', 'Umfrage', 'Energieversorger', 'Zeitschriften-Abo', 'Versicherung'] as const;

/** Exact block entry i: `+49 1xx` + 8 digits; 125,000 per range, so up to 1,000,000 distinct numbers. */
export function blockedNumber(i: number): string {
  const range = BLOCK_MOBILE[i % BLOCK_MOBILE.length] as string;
  return `+49${range}${pad(scramble(Math.floor(i / BLOCK_MOBILE.length), 100_000_000), 8)}`;
}

export function blockedLabel(i: number): string | undefined {
  return i % 3 === 0 ? BLOCK_LABELS[i % BLOCK_LABELS.length] : undefined;
}

/** Cities whose call centres are blocked by prefix (4 digits of the subscriber number: 10,000 numbers each). */
const PREFIX_AREAS = ['40', '69', '211', '711', '621'] as const;

/** Prefix entry k: `+49 <area> <1000 + m>`, 2,000 per area. */
export function blockedPrefix(k: number): string {
  const area = PREFIX_AREAS[k % PREFIX_AREAS.length] as string;
  return `+49${area}${1000 + Math.floor(k / PREFIX_AREAS.length)}`;
}

const FIRST = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Emma',
  'Felix',
  'Greta',
  'Hannes',
  'Ida',
  'Jonas',
  'Karla',
  'Lukas',
  'Mia',
  'Noah',
  'Oma',
  'Opa',
] as const;
const LAST = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Koch',
  'Groß',
] as const;

export function contactName(c: number): string {
  return `${FIRST[c % FIRST.length]} ${LAST[Math.floor(c / FIRST.length) % LAST.length]} ${c}`;
}

/** Contact c's numbers: a Berlin landline (`030 2…`), and every fifth contact a mobile too. */
export function contactNumbers(c: number): string[] {
  const landline = `+49302${pad(scramble(c, 10_000_000), 7)}`;
  return c % 5 === 0 ? [landline, `+49176${pad(scramble(c, 100_000_000), 8)}`] : [landline];
}

const SPAM_LABELS = ['Werbung', 'Inkasso', 'Ping-Anruf', 'Kostenfalle'] as const;

/** Spam-list entry s: Munich numbers (`089` + 8 digits). */
export function spamNumber(s: number): string {
  return `+4989${pad(scramble(s, 100_000_000), 8)}`;
}

/** Votes 1…40; with threshold 4, 37 of 40 entries count. */
export function spamScore(s: number): number {
  return 1 + (s % 40);
}

export function spamLabel(s: number): string | undefined {
  return s % 3 === 0 ? SPAM_LABELS[s % SPAM_LABELS.length] : undefined;
}

export function repeatNumber(r: number): string {
  return `+49351${pad(scramble(r, 100_000_000), 8)}`;
}

/** The seedable PRNG (mulberry32): the same seed gives every server the same callers. */
export { seededRandom as prng } from 'asterisk-agi/testing';

export const randomInt = (rng: () => number, n: number): number => Math.floor(rng() * n);
export const randomDigits = (rng: () => number, width: number): string => pad(randomInt(rng, 10 ** width), width);

/**
 * How trunks write a German number (DESIGN.md "Numbers"): national `0…` most often, `+49…`, `0049…`, and a Berlin
 * caller now and then without the area code.
 */
export function asTrunkWrites(e164: string, rng: () => number): string {
  const national = e164.slice(3);
  const r = rng();
  if (r < 0.6) return `0${national}`;
  if (r < 0.85) return e164;
  if (r < 0.95) return `0049${national}`;
  return e164.startsWith(`+49${HOME_AREA_CODE}`) ? e164.slice(3 + HOME_AREA_CODE.length) : `0${national}`;
}
