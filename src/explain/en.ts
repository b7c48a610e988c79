import { capitalise, type Words } from './words.js';

const q = (text: string) => `“${text}”`;
const times = (n: number) => (n === 2 ? 'twice' : `${n} times`);
const minutes = (n: number) => (n === 1 ? '1 minute' : `${n} minutes`);

export const en: Words = {
  internal: (extension) => `internal call from ${extension}`,
  withheld: () => 'withheld number',
  local: (digits) =>
    `local number ${digits} without its area code, which is not set yet: screened as unknown (set it with “callfilter setup --area-code …” or on the web page)`,
  implausible: (number) => `impossible number ${number}: no such number exists, probably spoofed`,
  foreign: (number, country) => `foreign number ${number}${country ? ` (${country})` : ''}`,
  unknown: (number) => `unknown number ${number}`,
  contact: (label, vip) => `in your contacts${label ? ` as ${q(label)}` : ''}${vip ? ' (VIP)' : ''}`,
  entry: (kind, f) =>
    `on your ${kind === 'allow' ? 'allowlist' : 'blocklist'}${f.label ? ` as ${q(f.label)}` : ''}${f.since ? ` since ${f.since}` : ''}` +
    `${f.until ? `, until ${f.until}` : ''}${f.vip ? ' (VIP)' : ''}`,
  range: (kind, prefix, label) =>
    `the range ${prefix}… is on your ${kind === 'allow' ? 'allowlist' : 'blocklist'}${label ? ` (${q(label)})` : ''}`,
  list: (name, f) =>
    f.live
      ? `${name}: ${f.score} ${f.score === 1 ? 'vote' : 'votes'}, checked live (threshold ${f.threshold})`
      : `on the spam list ${q(name)}${f.range ? ` as the range ${f.range}…` : ''} (${f.score} ${f.score === 1 ? 'report' : 'reports'}, threshold ${f.threshold})`,
  underSchedule: (sentence, schedule) => `${sentence}, under the schedule ${q(schedule)}`,
  repeat: (calls, window) => `called ${times(calls)} within ${minutes(window)}: connected as a repeat caller`,
  quiet: (schedule, asRepeatCaller) =>
    `quiet hours (${schedule}): would have rung${asRepeatCaller ? ' as a repeat caller' : ''}`,
  monitor: (wouldHave, why) => `monitor mode, connected; would have ${wouldHave}: ${why}`,
  did: (action, cause, announcement) => {
    switch (action) {
      case 'connect':
        return 'connected';
      case 'voicemail':
        return 'gone to voicemail';
      case 'hangup':
        return cause === undefined ? 'hung up' : `hung up (cause ${cause})`;
      case 'announce':
        return `played ${announcement ? q(announcement) : 'the announcement'} and hung up`;
    }
  },
  failOpen: (error) => `could not decide (${error}): connected, so that no real call is lost`,
  also: (thing, lost) => `also ${thing}: ${lost}`,
  lost: (why) => {
    switch (why) {
      case 'exact-beats-prefix':
        return 'the exact number decides, not the range';
      case 'longer-prefix':
        return 'the narrower range decides';
      case 'allow-beats-block':
        return 'allow beats block';
      case 'vip-beats-allow':
        return 'the VIP entry decides';
      case 'older-entry':
        return 'the older entry decides';
      case 'entry-beats-list':
        return 'your own entries decide before imported lists';
      case 'higher-score':
        return 'a higher score decides';
      case 'below-threshold':
        return "under the list's threshold";
      case 'expired':
        return 'expired';
    }
  },
  sentence: (text) => `${capitalise(text)}.`,
};
