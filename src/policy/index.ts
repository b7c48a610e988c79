export { decide, recentWindowMinutes, selectProfile, type CallFacts } from './decide.js';
export {
  defaultPolicyConfig,
  defaultProfile,
  DEFAULT_ANNOUNCEMENT,
  DEFAULT_HANGUP_CAUSE,
  DEFAULT_HOME_COUNTRY,
  DEFAULT_REPEAT_MIN_CALLS,
  DEFAULT_REPEAT_WINDOW_MINUTES,
} from './defaults.js';
export { activeSchedules, inWindow, localTime, type LocalTime } from './schedule.js';
export * from './types.js';
