// The numbers module: every number callfilter stores or looks up is E.164, made here.

export { type CallerFacts, type CallOrigin, classifyCaller } from './caller.js';
export {
  areaCodeProblem,
  assertNumberingConfig,
  countryProblem,
  hasLocalNumbers,
  type NumberingProblem,
  numberingProblem,
} from './check.js';
export { displayNumber, nationalNumber, nationalPrefix } from './display.js';
export {
  describeNumber,
  type NormalisedEntry,
  type NormalisedNumber,
  normaliseDid,
  normaliseEntry,
  normaliseNumber,
} from './normalise.js';
export { type Implausible, implausibility, implausible } from './plausible.js';
export { allPrefixes } from './prefixes.js';
export type { Caller, NumberingConfig, NumberType, TrunkRule } from './types.js';
export { isWithheldPresentation } from './withheld.js';
