import type { ActionSpec, PolicyConfig, Profile, Step } from './types.js';

/** Q.850 21 "call rejected" (PJSIP: 403): a personal block means "never ring again", said plainly. */
export const DEFAULT_HANGUP_CAUSE = 21;

/** Played to call-centre / spam numbers: "a polite announcement is nicer than a rude hang-up" (DESIGN.md). */
export const DEFAULT_ANNOUNCEMENT = 'callfilter/polite-decline';

/** DESIGN.md "Policy": a caller of steps 5–7 who called within the last 5 minutes gets through. */
export const DEFAULT_REPEAT_WINDOW_MINUTES = 5;

/** One earlier call within the window is enough: the second try rings. */
export const DEFAULT_REPEAT_MIN_CALLS = 1;

export const DEFAULT_HOME_COUNTRY = 'DE';

/** The table in DESIGN.md "Who uses it and what they want", step by step. */
function defaultActions(): Record<Step, ActionSpec> {
  return {
    internal: { action: 'connect' },
    allow: { action: 'connect' },
    block: { action: 'hangup', cause: DEFAULT_HANGUP_CAUSE },
    // No sound named: the decision plays the default one in the language in force (decide.ts).
    list: { action: 'announce' },
    withheld: { action: 'voicemail' },
    implausible: { action: 'voicemail' },
    foreign: { action: 'voicemail' },
    unknown: { action: 'voicemail' },
  };
}

/** A fresh copy each call, so a caller may change it without touching anyone else's. */
export function defaultProfile(): Profile {
  return {
    name: 'default',
    dids: [],
    actions: defaultActions(),
    repeatCaller: { enabled: true, windowMinutes: DEFAULT_REPEAT_WINDOW_MINUTES, minCalls: DEFAULT_REPEAT_MIN_CALLS },
    schedules: [],
  };
}

/** The host's time zone, or UTC when the runtime does not know one. */
function hostTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function defaultPolicyConfig(): PolicyConfig {
  return {
    monitor: false,
    timeZone: hostTimeZone(),
    homeCountry: DEFAULT_HOME_COUNTRY,
    defaultProfile: defaultProfile(),
    profiles: [],
  };
}

/** The built-in action of a step: the fallback when a profile loaded from somewhere lacks one. */
export const BUILTIN_ACTIONS: Readonly<Record<Step, Readonly<ActionSpec>>> = (() => {
  const actions = defaultActions();
  for (const spec of Object.values(actions)) Object.freeze(spec);
  return Object.freeze(actions);
})();
