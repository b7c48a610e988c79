import { Metadata, type PhoneNumber } from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/metadata.max.json';
import type { NumberType } from './types.js';

/**
 * libphonenumber's `getType()` (its helpers/getNumberType.js, which follows Google's phonenumberutil), with each
 * numbering plan's patterns compiled once. libphonenumber builds `new RegExp('^(?:' + pattern + ')$')` on every
 * match, and V8 compiles it again each time: for a British number (fixed-line pattern 1,440 characters) that was
 * ~12 µs of the ~20 µs it took to classify a caller, and ~7 µs for a German one. A compiled pattern answers in
 * ~0.1 µs. test/numbers/number-type.test.ts checks the answers against `getType()` for every numbering plan.
 */

/** libphonenumber's order after the fixed-line check; the first type whose pattern matches is the number's. */
const NON_FIXED_LINE_TYPES = [
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const satisfies readonly NumberType[];

/**
 * What of a numbering plan its getNumberType reads. libphonenumber-js's Metadata has these methods (its own helpers
 * call them) but its typings leave them out.
 */
interface TypeDefinition {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface NumberingPlan {
  nationalNumberPattern(): string;
  leadingDigits(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  type(type: string): TypeDefinition | undefined;
}

/** One number type's test: the lengths it may have (absent: any the plan allows), its pattern. */
interface TypeTest {
  lengths?: readonly number[];
  pattern: RegExp;
}
interface CompiledPlan {
  national: RegExp;
  /** First digits that alone place a number in this country among those sharing its calling code (few have them). */
  leadingDigits?: RegExp;
  /** What libphonenumber strips as the national prefix (`0`; `1` in North America), at the start. */
  nationalPrefix?: RegExp;
  fixedLine?: TypeTest;
  /** Absent when mobile numbers are fixed-line ones (the metadata then has no mobile pattern of its own). */
  mobile?: TypeTest;
  others: { type: NumberType; test: TypeTest }[];
}

const entire = (pattern: string) => new RegExp(`^(?:${pattern})$`);

function typeTest(plan: NumberingPlan, type: NumberType): TypeTest | undefined {
  const definition = plan.type(type);
  const pattern = definition?.pattern();
  if (!definition || !pattern) return undefined;
  const lengths = definition.possibleLengths();
  return lengths ? { lengths, pattern: entire(pattern) } : { pattern: entire(pattern) };
}

function compile(plan: NumberingPlan): CompiledPlan {
  const compiled: CompiledPlan = { national: entire(plan.nationalNumberPattern()), others: [] };
  const leadingDigits = plan.leadingDigits();
  if (leadingDigits) compiled.leadingDigits = new RegExp(`^(?:${leadingDigits})`);
  const nationalPrefix = plan.nationalPrefixForParsing();
  if (nationalPrefix) compiled.nationalPrefix = new RegExp(`^(?:${nationalPrefix})`);
  const fixedLine = typeTest(plan, 'FIXED_LINE');
  if (fixedLine) compiled.fixedLine = fixedLine;
  for (const type of NON_FIXED_LINE_TYPES) {
    const test = typeTest(plan, type);
    if (!test) continue;
    if (type === 'MOBILE') compiled.mobile = test;
    compiled.others.push({ type, test });
  }
  return compiled;
}

const matches = (nationalNumber: string, test: TypeTest | undefined): boolean =>
  test !== undefined &&
  (test.lengths === undefined || test.lengths.includes(nationalNumber.length)) &&
  test.pattern.test(nationalNumber);

/** Per country (or calling code, for non-geographic numbers such as +800): compiled on first use. */
const plans = new Map<string, CompiledPlan>();
const metadata = new Metadata(metadataJson);

function planFor(key: string): CompiledPlan {
  let plan = plans.get(key);
  if (!plan) {
    metadata.selectNumberingPlan(key as Parameters<Metadata['selectNumberingPlan']>[0]);
    plans.set(key, (plan = compile(metadata.numberingPlan as unknown as NumberingPlan)));
  }
  return plan;
}

/** The number's type, as `pn.getType()` says it; undefined when the number is in no assigned range (not valid). */
export function numberType(pn: PhoneNumber): NumberType | undefined {
  return typeIn(planFor(pn.country ?? pn.countryCallingCode), pn.nationalNumber);
}

function typeIn(plan: CompiledPlan, nationalNumber: string): NumberType | undefined {
  if (!plan.national.test(nationalNumber)) return undefined;
  if (matches(nationalNumber, plan.fixedLine)) {
    return !plan.mobile || matches(nationalNumber, plan.mobile) ? 'FIXED_LINE_OR_MOBILE' : 'FIXED_LINE';
  }
  return plan.others.find(({ test }) => matches(nationalNumber, test))?.type;
}

/**
 * Which of the countries sharing a calling code a national number belongs to, as libphonenumber's
 * getCountryByNationalNumber says: the first (the main country comes first) whose leading digits begin the number,
 * or — for a country without leading digits — whose number types include it. Undefined when none does.
 */
export function countryAmong(countries: readonly string[], nationalNumber: string): string | undefined {
  return countries.find((country) => {
    const plan = planFor(country);
    return plan.leadingDigits ? plan.leadingDigits.test(nationalNumber) : typeIn(plan, nationalNumber) !== undefined;
  });
}

/** Whether the digits begin with what libphonenumber would take for the country's national prefix. */
export function beginsWithNationalPrefix(country: string, digits: string): boolean {
  return planFor(country).nationalPrefix?.test(digits) ?? false;
}
