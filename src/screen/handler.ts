import { performance } from 'node:perf_hooks';
import type { AgiHandler, AgiSession } from 'asterisk-agi';
import type { AppContext } from '../context.js';
import { faultKind } from '../faults.js';
import { callPathLogger } from '../logger.js';
import type { Decision } from '../policy/types.js';
import type { Queued } from '../store/group-commit.js';
import { callRow } from './call-row.js';
import { createBurstLogger } from './error-burst.js';
import { evaluate, type CallInput, type Evaluation } from './evaluate.js';
import { failOpenDecision, withDeadline } from './fail-open.js';
import { closingVariables, decisionVariables, setVariables, type Variable } from './variables.js';

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

/**
 * The /screen handler: facts in, decision logged, variables out. It never executes the action — the dialplan
 * branches on CALLFILTER_ACTION — and any failure or a late lookup becomes `connect` (fail-open).
 *
 * The call-log row is queued as soon as the call is decided, and the variables that do not need its id go out
 * while it waits: its commit is shared with the rows of the calls decided meanwhile (group-commit.ts). The row is
 * committed before CALLFILTER_CALL_ID and CALLFILTER_ACTION are set, so before the AGI session ends (DESIGN.md
 * "Data"). A row that cannot be committed turns the call into a fail-open connect even then: CALLFILTER_REASON is set
 * again, and ACTION comes last as always (a label or caller name already set stays: it only names the caller).
 */
export function createScreenHandler(ctx: AppContext, options: ScreenHandlerOptions = {}): AgiHandler {
  const log = callPathLogger(ctx.logger, { subsystem: 'screen' });
  const failures = createBurstLogger(log);
  const { setCallerIdName } = ctx.config;
  /** Calls in this handler now. A lone call asks for its commit at once; under load the rows wait for company. */
  let active = 0;

  async function screen(session: AgiSession): Promise<void> {
    const started = performance.now();
    const at = ctx.clock();
    const input = callInput(session);
    let ev: Evaluation | undefined;
    let queued: Queued<number> | undefined;
    let callId: number | undefined;
    let error: unknown;
    let latencyUs = 0;
    try {
      const pending = evaluate(ctx, input, at);
      // Only an evaluation still waiting on a lookup can be late; a synchronous one is done already.
      ev = pending instanceof Promise ? await withDeadline(pending, ctx.config.decisionMs) : pending;
      latencyUs = Math.round((performance.now() - started) * 1000);
      queued = ctx.store.calls.queue(callRow(input, ev, at, latencyUs), active === 1);
    } catch (err) {
      error = err;
    }
    let connected = true; // false once a variable could not be set: the closing ones are not sent either
    if (ev && queued) {
      connected = await setVariables(session, decisionVariables(ev.decision, setCallerIdName), log);
      try {
        callId = await queued.committed();
      } catch (err) {
        error = err;
      }
    }
    let decision: Decision;
    let closing: Variable[];
    if (error === undefined && ev) {
      decision = ev.decision;
      closing = closingVariables(decision, callId);
      failures.success();
    } else {
      if (!queued) latencyUs = Math.round((performance.now() - started) * 1000);
      failures.failure(error, { call: input.uniqueId, caller: input.callerRaw }, 'screening failed; failing open');
      const kind = faultKind(error);
      ctx.faults.inc('errors', { source: 'screen', kind });
      ctx.faults.inc('failOpens', { why: kind });
      decision = failOpenDecision(error instanceof Error ? error.message : String(error), ev?.decision.profile);
      try {
        callId = ctx.store.calls.insert(callRow(input, { caller: ev?.caller ?? { kind: 'withheld', raw: input.callerRaw, why: 'no-number' }, decision }, at, latencyUs));
      } catch {
        callId = undefined; // the store is what failed; the error is logged above
      }
      closing = [...decisionVariables(decision, setCallerIdName), ...closingVariables(decision, callId)];
    }
    // One line per call, with the call's id in the fields rather than a child logger per call (allocations on
    // the hot path; pino builds a child's bindings eagerly).
    log.info(
      { call: input.uniqueId, caller: input.callerRaw, did: input.didRaw, action: decision.action, reason: decision.reason, label: decision.label, callId, latencyUs },
      decision.explanation,
    );
    options.onOutcome?.({ input, decision, ...(callId !== undefined && { callId }), latencyUs, ...(error !== undefined && { error }) });
    if (connected) await setVariables(session, closing, log);
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
