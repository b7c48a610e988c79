// Numbers the household called: from Asterisk's CDR events (AMI) to "this number was called and answered at T".

export { CallDeduper, DEDUPE_MAX_KEYS, DEDUPE_WINDOW_MS } from './dedupe.js';
export { attachCalledFeed, type CalledCall, type CalledFeedOptions } from './feed.js';
export {
  type CalledConfig,
  type CalledResult,
  type CalledSkip,
  DEFAULT_CALLED_CONTEXTS,
  MIN_OUTSIDE_DIGITS,
  readCalledNumber,
} from './rules.js';
