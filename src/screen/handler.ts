import { performance } from 'node:perf_hooks';
import type { AgiHandler, AgiSession } from 'asterisk-agi';
import type { AppContext } from '../context.js';
import { faultKind } from '../faults.js';
import type { Decision } from '../policy/types.js';
import { callRow } from './call-row.js';
import { createBurstLogger } from './error-burst.js';
import { evaluate, type CallInput, type Evaluation } from './evaluate.js';
import { failOpenDecision, withDeadline } from './fail-open.js';
import { setDecisionVariables } from './variables.js';

export interface ScreenOutcome {
  input: CallInput;
  decision: Decision;
  callId?: number;
  latencyUs: number;
  error?: unknown;
}

export interface ScreenHandlerOptions {
  /** Called once per call with what was decided (metrics, live updates). Must not throw. */
  onOutcome?: (outcome: ScreenOutcome) => void;
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

/**
 * The /screen handler: facts in, decision logged, variables out. It never executes the action — the dialplan
 * branches on CALLFILTER_ACTION — and any failure or a late lookup becomes `connect` (fail-open).
 */
export function createScreenHandler(ctx: AppContext, options: ScreenHandlerOptions = {}): AgiHandler {
  const log = ctx.logger.child({ subsystem: 'screen' });
  const failures = createBurstLogger(log);
  return async (session) => {
    const started = performance.now();
    const at = ctx.clock();
    const input = callInput(session);
    let ev: Evaluation | undefined;
    let callId: number | undefined;
    let error: unknown;
    try {
      const pending = evaluate(ctx, input, at);
      // Only an evaluation still waiting on a lookup can be late; a synchronous one is done already.
      ev = pending instanceof Promise ? await withDeadline(pending, ctx.config.decisionMs) : pending;
      const latencyUs = Math.round((performance.now() - started) * 1000);
      // Durable before the session ends (DESIGN.md "Data"): the row is committed before any variable is set.
      callId = await ctx.store.calls.write(callRow(input, ev, at, latencyUs));
    } catch (err) {
      error = err;
      failures.failure(err, { call: input.uniqueId, caller: input.callerRaw }, 'screening failed; failing open');
    }
    const latencyUs = Math.round((performance.now() - started) * 1000);
    let decision: Decision;
    if (error === undefined && ev) {
      decision = ev.decision;
      failures.success();
    } else {
      const kind = faultKind(error);
      ctx.faults.inc('errors', { source: 'screen', kind });
      ctx.faults.inc('failOpens', { why: kind });
      decision = failOpenDecision(error instanceof Error ? error.message : String(error), ev?.decision.profile);
      try {
        callId = ctx.store.calls.insert(callRow(input, { caller: ev?.caller ?? { kind: 'withheld', raw: input.callerRaw, why: 'no-number' }, decision }, at, latencyUs));
      } catch {
        callId = undefined; // the store is what failed; the error is logged above
      }
    }
    // One line per call, with the call's id in the fields rather than a child logger per call (allocations on
    // the hot path; pino builds a child's bindings eagerly).
    log.info(
      { call: input.uniqueId, caller: input.callerRaw, did: input.didRaw, action: decision.action, reason: decision.reason, label: decision.label, callId, latencyUs },
      decision.explanation,
    );
    options.onOutcome?.({ input, decision, ...(callId !== undefined && { callId }), latencyUs, ...(error !== undefined && { error }) });
    await setDecisionVariables(session, decision, callId, ctx.config.setCallerIdName, log);
  };
}
