/**
 * The /screen handler: the AGI environment in, the decision out as channel variables. Screening itself is
 * screen-call.ts; this file only speaks the dialplan contract. It never executes the action — the dialplan branches on
 * CALLFILTER_ACTION — and every failure has already become `connect` (fail-open) by the time it sees the decision.
 */
import type { AgiHandler, AgiSession } from 'asterisk-agi';
import type { AppContext } from '../context.js';
import { callPathLogger } from '../logger.js';
import type { Decision } from '../policy/types.js';
import { createBurstLogger } from './error-burst.js';
import { type CallInput, type Screened, screenCall } from './screen-call.js';
import { closingVariables, decisionVariables, setVariables } from './variables.js';

export interface ScreenHandlerOptions {
  /** Called once per call with what was decided (metrics, live updates, notifications). Must not throw. */
  onScreened?: (screened: Screened) => void;
}

/** Asterisk sends the literal `unknown` for an absent value (res_agi.c, setup_env). */
function present(value: string | undefined): string | undefined {
  return value && value !== 'unknown' ? value : undefined;
}

export function callInput(session: AgiSession): CallInput {
  const { env, request } = session;
  const input: CallInput = {
    callerRaw: env.callerid,
    context: env.context,
    channel: env.channel,
    uniqueId: env.uniqueid,
    // The shipped dialplans pass the origin as the second argument. Only the exact word counts: an old dialplan
    // that passes nothing, or a typo, gets every call screened — nothing skips the filter by mistake.
    origin: request.args[1] === 'internal' ? 'internal' : 'trunk',
  };
  // NaN when Asterisk sent no agi_callingpres.
  if (Number.isInteger(env.callingpres)) input.presentation = env.callingpres;
  const name = present(env.calleridname);
  if (name) input.callerName = name;
  // The shipped dialplan passes the called number as the first argument; fall back to what Asterisk knows.
  const did = present(request.args[0]) ?? present(env.dnid) ?? present(env.extension);
  if (did) input.didRaw = did;
  return input;
}

export function createScreenHandler(ctx: AppContext, options: ScreenHandlerOptions = {}): AgiHandler {
  const log = callPathLogger(ctx.logger, { subsystem: 'screen' });
  const failures = createBurstLogger(log);
  const { setCallerIdName } = ctx.config;
  /**
   * Calls in this handler now, from their environment to their last variable: a lone call's row is committed at
   * once; under load rows wait to share a commit with the calls still sending variables.
   */
  let active = 0;

  async function screen(session: AgiSession): Promise<void> {
    // The variables that do not need the row id go out while the row waits for its commit; if the commit then fails,
    // the call fails open and its reason is set again (ACTION always comes last).
    let sent: { decision: Decision; connected: boolean } | undefined;
    const meanwhile = async (decided: Decision) => {
      sent = {
        decision: decided,
        connected: await setVariables(session, decisionVariables(decided, setCallerIdName), log),
      };
    };
    const screened = await screenCall(ctx, callInput(session), { meanwhile, alone: active === 1 });
    const { input, decision, callId, latencyUs, error } = screened;
    if (error === undefined) failures.success();
    else failures.failure(error, { call: input.uniqueId, caller: input.callerRaw }, 'screening failed; failing open');
    // One line per call, with the call's id in the fields rather than a child logger per call (allocations on
    // the hot path; pino builds a child's bindings eagerly).
    log.info(
      {
        call: input.uniqueId,
        caller: input.callerRaw,
        did: input.didRaw,
        action: decision.action,
        reason: decision.reason,
        label: decision.label,
        callId,
        latencyUs,
      },
      screened.explanation,
    );
    options.onScreened?.(screened);
    if (sent?.connected === false) return;
    const opening = sent?.decision === decision ? [] : decisionVariables(decision, setCallerIdName);
    await setVariables(session, [...opening, ...closingVariables(decision, callId)], log);
  }

  return async (session) => {
    active++;
    try {
      await screen(session);
    } finally {
      active--;
    }
  };
}
