/**
 * The voicemail beside the call: a read-only index of Asterisk's voicemail spool (spool.ts) and the rule that finds
 * a call's message in it (match.ts). Its own folder, not src/notify: the page and the API use it to play a message,
 * and notifications only use it for their follow-up.
 */

export { type AudioFormat, PLAYABLE_FORMATS, playableFormat } from './formats.js';
export type { CallForVoicemail, VoicemailMatch } from './match.js';
export { CLOCK_SKEW_MS, MAX_DELAY_MS, matchVoicemail } from './match.js';
export { callerIdNumber, type MessageInfo, parseMessageFile } from './message-file.js';
export type { VoicemailAudio, VoicemailMessage, VoicemailSpoolOptions } from './spool.js';
export { DEFAULT_MAX_AGE_MS, MAX_MESSAGES, VoicemailSpool } from './spool.js';
export { parseWavHeader, type WavInfo } from './wav.js';
