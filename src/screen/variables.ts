import { AgiError, type AgiSession } from 'asterisk-agi';
import { stripBidi } from '../labels.js';
import type { Logger } from '../logger.js';
import type { Decision } from '../policy/types.js';

/** Channel variable names: the contract with the shipped dialplan (DESIGN.md). The dialplan test reads these. */
export const VARIABLES = {
  action: 'CALLFILTER_ACTION',
  cause: 'CALLFILTER_CAUSE',
  announcement: 'CALLFILTER_ANNOUNCEMENT',
  /** With the default announcement: `de` or `en`, which the dialplan makes the channel's language for Playback. */
  announcementLanguage: 'CALLFILTER_ANNOUNCEMENT_LANGUAGE',
  reason: 'CALLFILTER_REASON',
  label: 'CALLFILTER_LABEL',
  callId: 'CALLFILTER_CALL_ID',
} as const;

/** Phones show about 20–40 characters; a label from an import may hold anything, AGI refuses CR/LF/NUL. */
const MAX_LABEL = 80;

/** What a phone shows: no control characters (AGI refuses CR/LF/NUL) and no bidi controls (labels.ts), cut short. */
export function displayLabel(label: string): string {
  return stripBidi(label)
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, MAX_LABEL);
}

export type Variable = readonly [name: string, value: string];

/**
 * The contract variables of a decision that do not need its call-log row: they go out while the row waits for its
 * commit. closingVariables follow.
 */
export function decisionVariables(decision: Decision, setCallerIdName: boolean): Variable[] {
  const vars: Variable[] = [[VARIABLES.reason, decision.reason]];
  const label = decision.label ? displayLabel(decision.label) : '';
  if (label) vars.push([VARIABLES.label, label]);
  if (decision.action === 'hangup' && decision.cause !== undefined)
    vars.push([VARIABLES.cause, String(decision.cause)]);
  if (decision.action === 'announce' && decision.announcement) {
    vars.push([VARIABLES.announcement, decision.announcement]);
    if (decision.announcementLanguage) vars.push([VARIABLES.announcementLanguage, decision.announcementLanguage]);
  }
  if (setCallerIdName && label) vars.push(['CALLERID(name)', label]);
  return vars;
}

/**
 * The row id, once the row is committed, and CALLFILTER_ACTION last: if the connection dies halfway, the dialplan
 * sees an empty action and connects (fail-open) instead of, say, a hangup without its cause.
 */
export function closingVariables(decision: Decision, callId: number | undefined): Variable[] {
  const vars: Variable[] = [];
  if (callId !== undefined) vars.push([VARIABLES.callId, String(callId)]);
  vars.push([VARIABLES.action, decision.action]);
  return vars;
}

/**
 * Sets `vars` one after another. False when one of them failed with an AgiError (the caller hung up, Asterisk closed
 * the socket or refused the command): the rest is not sent, so CALLFILTER_ACTION stays unset and the dialplan connects.
 */
export async function setVariables(session: AgiSession, vars: readonly Variable[], log: Logger): Promise<boolean> {
  try {
    for (let i = 0; i < vars.length; i++) {
      const [name, value] = vars[i] as Variable;
      await session.setVariable(name, value);
    }
    return true;
  } catch (err) {
    // A caller who hung up, or Asterisk closing the socket: nothing left to tell it. Anything else is a bug.
    // Info, not warn: the AGI session has already warned about a peer that broke the protocol or went silent (and
    // limits those lines under a flood); one warn per call here would undo that.
    if (err instanceof AgiError) log.info({ err, call: session.env.uniqueid }, 'could not set every variable');
    else throw err;
    return false;
  }
}
