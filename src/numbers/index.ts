// The numbers module: every number callfilter stores or looks up is E.164, made here.
export type { Caller, NumberType, NumberingConfig, TrunkRule } from './types.js';
export { classifyCaller, type CallerFacts, type CallOrigin } from './caller.js';
export {
  describeNumber,
  normaliseDid,
  normaliseEntry,
  normaliseNumber,
  type NormalisedEntry,
  type NormalisedNumber,
} from './normalise.js';
export { displayNumber, nationalNumber, nationalPrefix } from './display.js';
export { allPrefixes } from './prefixes.js';
export { implausible, implausibility, type Implausible } from './plausible.js';
export { areaCodeProblem, assertNumberingConfig, countryProblem, hasLocalNumbers, numberingProblem, type NumberingProblem } from './check.js';
export { isWithheldPresentation } from './withheld.js';
