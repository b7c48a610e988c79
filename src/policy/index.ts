export {
  type CallFacts,
  type Classified,
  classifyCall,
  decide,
  decideClassified,
  selectProfile,
} from './decide.js';
export {
  DEFAULT_ANNOUNCEMENT,
  DEFAULT_HANGUP_CAUSE,
  DEFAULT_HOME_COUNTRY,
  DEFAULT_REPEAT_MIN_CALLS,
  DEFAULT_REPEAT_WINDOW_MINUTES,
  defaultPolicyConfig,
  defaultProfile,
} from './defaults.js';
export { activeSchedules, inWindow, type LocalTime, localTime } from './schedule.js';
export * from './types.js';
