import { AgiError, type AgiSession } from 'asterisk-agi';
import type { Logger } from '../logger.js';
import type { Decision } from '../policy/types.js';

/** Channel variable names: the contract with the shipped dialplan (DESIGN.md). The dialplan test reads these. */
export const VARIABLES = {
  action: 'CALLFILTER_ACTION',
  cause: 'CALLFILTER_CAUSE',
  announcement: 'CALLFILTER_ANNOUNCEMENT',
  reason: 'CALLFILTER_REASON',
  label: 'CALLFILTER_LABEL',
  callId: 'CALLFILTER_CALL_ID',
} as const;

/** Phones show about 20–40 characters; a label from an import may hold anything, AGI refuses CR/LF/NUL. */
const MAX_LABEL = 80;

export function displayLabel(label: string): string {
  // eslint-disable-next-line no-control-regex
  return label.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, MAX_LABEL);
}

/**
 * Sets the contract variables. CALLFILTER_ACTION goes last: if the connection dies halfway, the dialplan sees
 * an empty action and connects (fail-open) instead of, say, a hangup without its cause.
 */
export async function setDecisionVariables(session: AgiSession, decision: Decision, callId: number | undefined, setCallerIdName: boolean, log: Logger): Promise<void> {
  const vars: [string, string][] = [[VARIABLES.reason, decision.reason]];
  const label = decision.label ? displayLabel(decision.label) : '';
  if (label) vars.push([VARIABLES.label, label]);
  if (callId !== undefined) vars.push([VARIABLES.callId, String(callId)]);
  if (decision.action === 'hangup' && decision.cause !== undefined) vars.push([VARIABLES.cause, String(decision.cause)]);
  if (decision.action === 'announce' && decision.announcement) vars.push([VARIABLES.announcement, decision.announcement]);
  if (setCallerIdName && label) vars.push(['CALLERID(name)', label]);
  vars.push([VARIABLES.action, decision.action]);
  try {
    for (const [name, value] of vars) await session.setVariable(name, value);
  } catch (err) {
    // A caller who hung up, or Asterisk closing the socket: nothing left to tell it. Anything else is a bug.
    // Info, not warn: the AGI session has already warned about a peer that broke the protocol or went silent (and
    // limits those lines under a flood); one warn per call here would undo that.
    if (err instanceof AgiError) log.info({ err, call: session.env.uniqueid }, 'could not set every variable');
    else throw err;
  }
}
