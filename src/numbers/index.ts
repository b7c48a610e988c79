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
export { allPrefixes } from './prefixes.js';
export { implausibility } from './plausible.js';
export { assertNumberingConfig } from './home.js';
export { isWithheldPresentation } from './withheld.js';
