/**
 * What every notification channel consumes: one decided call, as the outbox hands it over after the decision (never
 * on the call path), and the follow-up for the same call once its voicemail message has appeared in the spool.
 * Plain data (JSON-safe) so the outbox can keep it durably and replay it after a restart.
 */
import type { Action, Reason } from '../policy/types.js';
import type { CallerKind } from '../store/types.js';

/** The languages texts for people come in (`CALLFILTER_LANGUAGE`). */
export const NOTIFY_LANGUAGES = ['de', 'en'] as const;
export type NotifyLanguage = (typeof NOTIFY_LANGUAGES)[number];

export interface CallEvent {
  /** `decided` when the call was decided; `voicemail` when its message appeared (same call id, sent later). */
  kind: 'decided' | 'voicemail';
  /** Id of the call-log row: the page's link and the receiver's de-duplication key. */
  callId: number;
  /** When the call came in, epoch ms. */
  at: number;
  /** The caller in E.164; absent when withheld or internal. */
  caller?: string;
  /** The caller as people at home write it (`030 1234567`, `+44 20 …` for foreign numbers). */
  callerNational?: string;
  callerKind: CallerKind;
  /** The contact's name or the list's label (`SPAM: call centre`). */
  label?: string;
  /** The called number (DID), E.164 when it could be normalised. */
  called?: string;
  action: Action;
  reason: Reason;
  /** With kind `voicemail`: the message's length in whole seconds. */
  voicemailSeconds?: number;
  /** Overrides the channel's language for this event (the language in force when the call was decided). */
  language?: NotifyLanguage;
}
